"""Exports: the rows of each download (always scoped by ``household_filter``) and their
fields, written by app.files.tables.

Headers are the national system's Chinese names (``app.roster.columns``, so a members export
re-imports as a roster) and message ids, so that ``lang="en"`` heads the file and labels its
codes in English.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from flask_babel import get_locale, gettext
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from app import codes
from app.campaigns.models import Campaign
from app.census.messages import FLAG_LABELS, LINES
from app.codes import N_
from app.extensions import db
from app.files.tables import Field, stream
from app.files.tables import text_cell as _text
from app.geo.models import Area
from app.households.models import Household, Member, health_labels
from app.households.scope import household_filter
from app.money import MoneyError, parse_yuan, yuan
from app.monitoring import queries as monitoring
from app.monitoring.models import Proposal
from app.records import display
from app.records.models import Submission, SubmissionRevision
from app.records.queries import is_current_revision
from app.records.workflow import STATE_LABELS
from app.roster import columns as roster


def _yes_no(value) -> str:
    return gettext("是") if value else gettext("否")


def _date(value) -> str:
    return value.isoformat() if value else ""


LABEL_BY_KIND = {roster.BOOL: _yes_no, roster.HOUSEHOLD_TYPE: codes.HOUSEHOLD_TYPE.label}


def _roster_field(column: roster.Column) -> Field:
    if column.kind == roster.CODE:
        return Field(column.field, column.header, column.codes.label, labels=True)
    if column.kind in LABEL_BY_KIND:
        return Field(column.field, column.header, LABEL_BY_KIND[column.kind], labels=True)
    if column.kind == roster.HEALTH:
        return Field(column.field, column.header, lambda row: "、".join(health_labels(row)), whole_row=True)
    return Field(column.field, column.header, _date if column.kind == roster.DATE else _text)


HOUSEHOLD_ROSTER_FIELDS = [_roster_field(column) for column in roster.COLUMNS if column.level == roster.HOUSEHOLD]
MEMBER_FIELDS = [*HOUSEHOLD_ROSTER_FIELDS,
                 *(_roster_field(column) for column in roster.COLUMNS if column.level == roster.MEMBER)]


def _flag_codes(flags) -> tuple[str, ...]:
    return tuple(flag["code"] for flag in flags or ())


@functools.lru_cache(maxsize=512)
def _flag_labels(codes: tuple[str, ...], locale: str) -> str:
    """The flags in a word or two each (FLAG_LABELS), once per combination and language."""
    return "、".join(gettext(FLAG_LABELS[code]) for code in codes)


HOUSEHOLD_FIELDS = [
    *HOUSEHOLD_ROSTER_FIELDS,
    Field("village_name", N_("村名称"), _text),
    Field("group_name", N_("村民小组名称"), _text),
    Field("member_count", N_("家庭人口数"), _text),
    Field("status", N_("提交状态"), lambda status: gettext(STATE_LABELS[status]) if status else "", labels=True),
    Field("per_capita_net_income", N_("人均纯收入（元）"), yuan),
    Field("flags", N_("风险标识代码"), lambda flags: ";".join(_flag_codes(flags))),
    Field("flag_labels", N_("风险标识"), lambda row: _flag_labels(_flag_codes(row.flags), str(get_locale())),
          whole_row=True),
]


# Row queries ------------------------------------------------------------------------------------

def _household_columns(head, village, group) -> list:
    """The roster's household columns, labelled by their field names; a monitored household's
    纳入监测时间 is the day its latest identification was approved."""
    identified = (select(func.max(Proposal.decided_date))
                  .where(Proposal.household_id == Household.id, Proposal.kind == "identification",
                         Proposal.state == "approved").correlate(Household).scalar_subquery())
    return [Household.household_number, head.name.label("head_name"), village.code.label("village_code"),
            group.code.label("group_code"), Household.phone, Household.household_type, Household.poverty_subtype,
            Household.monitored_category,
            case((Household.monitored_category.is_not(None), identified)).label("monitored_since"),
            Household.without_labour, Household.relocation_site]


def household_rows(user, campaign: Campaign) -> Iterator:
    return stream(household_query(user, campaign))


def household_query(user, campaign: Campaign):
    """Every household in the user's areas with its campaign record's status, per-capita net
    income and flags (the household's latest record in ``campaign``; empty when none)."""
    head, village, group = aliased(Member), aliased(Area), aliased(Area)
    latest = (select(Submission.id, Submission.household_id, Submission.status, Submission.revision,
                     Submission.per_capita_net_income, Submission.household_size, Submission.flag_count,
                     func.row_number().over(partition_by=Submission.household_id,
                                            order_by=(Submission.created_at.desc(), Submission.id.desc()))
                     .label("rank"))
              .where(Submission.campaign_id == campaign.id).subquery())
    member_count = (select(func.count()).where(Member.household_id == Household.id)
                    .correlate(Household).scalar_subquery())
    # Only flagged records' revisions are read (and their JSON parsed) for the flag codes.
    flag_list = (select(SubmissionRevision.server_result[("screening", "flags")])
                 .where(is_current_revision(latest.c.id, latest.c.revision))
                 .scalar_subquery())
    query = (
        select(*_household_columns(head, village, group), village.name.label("village_name"),
               group.name.label("group_name"),
               # the size per-capita income was computed over; the roster's without a record
               func.coalesce(latest.c.household_size, member_count).label("member_count"), latest.c.status,
               latest.c.per_capita_net_income, case((latest.c.flag_count > 0, flag_list)).label("flags"))
        .join(village, village.id == Household.village_id)
        .outerjoin(group, group.id == Household.group_id)
        .outerjoin(head, and_(head.household_id == Household.id, head.relation == "head"))
        .outerjoin(latest, and_(latest.c.household_id == Household.id, latest.c.rank == 1))
        .where(household_filter(user))
        .order_by(Household.household_number))
    return query


def member_rows(user) -> Iterator:
    return stream(member_query(user))


def member_query(user):
    """Every member in the user's areas as a roster row: household columns repeated, head first."""
    head, village, group = aliased(Member), aliased(Area), aliased(Area)
    member_columns = [Member.__table__.c[column.field] for column in roster.COLUMNS
                      if column.level == roster.MEMBER and column.kind != roster.HEALTH]
    query = (
        select(*_household_columns(head, village, group), *member_columns, Member.chronic_illness,
               Member.serious_illness, Member.disabled)
        .join(Household, Household.id == Member.household_id)
        .join(village, village.id == Household.village_id)
        .outerjoin(group, group.id == Household.group_id)
        .outerjoin(head, and_(head.household_id == Household.id, head.relation == "head"))
        .where(household_filter(user))
        .order_by(Household.household_number, Member.relation != "head", Member.birth_date, Member.id))
    return query


REGISTER_FIELDS = [
    Field("household_number", N_("户编号"), _text),
    Field("head_name", N_("户主姓名"), _text),
    Field("village", N_("村名称"), _text),
    Field("category", N_("监测对象类别"), _text),
    Field("identified_on", N_("纳入监测日期"), _text),
    Field("risk_types", N_("风险类型"), _text),
]


@dataclass(frozen=True)
class RegisterLine:
    household_number: str
    head_name: str
    village: str
    category: str
    identified_on: str
    risk_types: str


def register_rows(user) -> list[RegisterLine]:
    """The monitored register (app.monitoring.queries.register) as export lines, made here in
    the view while the session that loaded the user and the rows is open: the response streams
    after it has closed. (Monitored households are a few thousand in a county at most.)"""
    return [_register_line(row) for row in monitoring.register(user)]


def _register_line(row) -> RegisterLine:
    identification = row.identification
    return RegisterLine(
        row.household.household_number, row.head_name or "", row.household.village.name,
        row.household.monitored_category_label,
        identification.decided_date.isoformat() if identification else "",
        "、".join(monitoring.risk_type_labels(identification)) if identification else "")


# The survey's answers: one row per recorded household, a column per question -----------------

ANSWERED_SECTIONS = ("household", "income", "expenses", "rigid_costs", "guarantees", "consent", "notes")
RESULT_LINES = ("household_size", "family_net_income", "per_capita_net_income", "per_capita_after_rigid_costs")


def answer_fields(definition: dict) -> list[Field]:
    """The columns of the answers export for a form version: the household and record, every
    question of the single sections (headers are the definition's own labels, in the file's
    language), the events, and the server's income figures."""
    fields = [Field("household_number", N_("户编号"), _text), Field("head_name", N_("户主姓名"), _text),
              Field("village_name", N_("村名称"), _text), Field("group_name", N_("村民小组名称"), _text),
              Field("status", N_("提交状态"), lambda status: gettext(STATE_LABELS[status]), labels=True),
              Field("revision", N_("修订号"), _text)]
    for section in definition["sections"]:
        if section["id"] not in ANSWERED_SECTIONS:
            continue
        key = section.get("answers", section["id"])
        fields += [Field(question["id"], question["label"], functools.partial(_answer_cell, key, question),
                         whole_row=True) for question in section["questions"]]
    fields.append(Field("events", N_("突发事件"), _events_cell(definition), whole_row=True))
    fields += [Field(line, LINES[line], functools.partial(_result_cell, line), whole_row=True)
               for line in RESULT_LINES]
    return fields


def _answer_cell(key: str, question: dict, row):
    value = ((row.answers or {}).get(key) or {}).get(question["id"])
    if question["type"] == "money":
        try:
            return yuan(parse_yuan(value)) if value not in (None, "") else ""
        except MoneyError:
            return str(value)  # as typed: the record was stored with it, the reviewer sees it
    return display.value_text(question, value, str(get_locale()))


def _events_cell(definition: dict) -> Callable:
    labels = {item["id"]: item["label"] for item in definition["event_types"]}

    def cell(row) -> str:
        language = str(get_locale())
        return "；".join(
            " ".join(part for part in (display.text(labels[event["type"]], language) if event.get("type") in labels
                                       else str(event.get("type") or ""), str(event.get("date") or ""),
                                       str(event.get("cost") or "")) if part)
            for event in (row.answers or {}).get("events") or [] if isinstance(event, dict))
    return cell


def _result_cell(line: str, row):
    value = ((row.server_result or {}).get("income") or {}).get(line)
    return value if line == "household_size" else yuan(value)


def answer_rows(user, campaign: Campaign) -> Iterator:
    return stream(answer_query(user, campaign))


def answer_query(user, campaign: Campaign):
    """Every household in the user's areas with a record in ``campaign``, with the record's
    current answers and the server's result."""
    head, village, group = aliased(Member), aliased(Area), aliased(Area)
    query = (
        select(Household.household_number, head.name.label("head_name"), village.name.label("village_name"),
               group.name.label("group_name"), Submission.status, Submission.revision, SubmissionRevision.answers,
               SubmissionRevision.server_result)
        .join(Household, Household.id == Submission.household_id)
        .join(SubmissionRevision, is_current_revision())
        .join(village, village.id == Household.village_id)
        .outerjoin(group, group.id == Household.group_id)
        .outerjoin(head, and_(head.household_id == Household.id, head.relation == "head"))
        .where(Submission.campaign_id == campaign.id, household_filter(user))
        .order_by(Household.household_number))
    return query


# The exports, by name: what the export page offers, streamed at once or prepared as a job ---------------------------

@dataclass(frozen=True)
class Export:
    label: str  # message id: the sheet's name and what the job page calls it
    right: str
    per_campaign: bool  # rows of the current campaign (none without one)
    fields: Callable[[Campaign | None], list[Field]]
    rows: Callable[[object, Campaign | None], Iterable]
    count: Callable[[object, Campaign | None], int]
    file_name: Callable[[Campaign | None], str]


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


EXPORTS = {
    "households": Export(N_("农户"), "export", True, lambda campaign: HOUSEHOLD_FIELDS, household_rows,
                         lambda user, campaign: _count(household_query(user, campaign)),
                         lambda campaign: f"households-{campaign.year}"),
    "members": Export(N_("家庭成员"), "export", False, lambda campaign: MEMBER_FIELDS,
                      lambda user, campaign: member_rows(user), lambda user, campaign: _count(member_query(user)),
                      lambda campaign: "members"),
    "register": Export(N_("监测对象名册"), "view_monitoring", False, lambda campaign: REGISTER_FIELDS,
                       lambda user, campaign: register_rows(user),
                       lambda user, campaign: len(monitoring.register(user)), lambda campaign: "register"),
    "answers": Export(N_("调查内容"), "export", True,
                      lambda campaign: answer_fields(display.definition_of(campaign.form_version)), answer_rows,
                      lambda user, campaign: _count(answer_query(user, campaign)),
                      lambda campaign: f"answers-{campaign.year}"),
}
