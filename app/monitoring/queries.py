"""Reads for monitoring, always within the user's scope: the village assessment list and
its unresolved counts, proposals and their evidence, the notice, the register, a
household's history and the facts the §11 rule needs."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from flask import abort
from flask_babel import gettext
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from app import clock
from app.campaigns.models import Campaign
from app.campaigns.queries import threshold_for
from app.census import definitions
from app.codes import ELIMINATION_KIND, MONITORED_CATEGORY, N_, PROPOSAL_KIND
from app.extensions import db
from app.files.tables import Field, text_cell
from app.geo.models import Area
from app.households.models import Household, Member
from app.households.scope import household_filter, scoped_villages
from app.money import format_yuan
from app.monitoring import elimination, workflow
from app.monitoring.models import AssessmentDecision, AssistanceMeasure, MonitoringEvent, Proposal
from app.records import display
from app.records.attachments import signed
from app.records.models import Submission, SubmissionRevision
from app.records.queries import current_revision, is_current_revision, latest_approved


def _label(label: dict) -> str:
    return display.text(label, display.locale())


def risk_table(campaign: Campaign | None) -> list[dict]:
    """The local risk-type code table (§9) of the campaign's form version (of the shipped
    default for an identification entered from the national system, which has no campaign)."""
    return display.definition_of(campaign.form_version if campaign else definitions.DEFAULT_VERSION)["risk_types"]


def risk_type_codes(campaign: Campaign) -> set[str]:
    return {risk["code"] for risk in risk_table(campaign)}


def risk_type_choices(campaign: Campaign | None) -> list[tuple[str, str]]:
    return [(risk["code"], _label(risk["label"])) for risk in risk_table(campaign)]


def risk_type_labels(proposal: Proposal, *, on_notice: bool = False) -> list[str]:
    """The proposal's risk types in words; ``on_notice``: without those that reveal health
    (因病, 因残, marked in the table) unless the campaign shows them on the public notice."""
    table = {risk["code"]: risk for risk in risk_table(proposal.campaign)}
    hidden = on_notice and not (proposal.campaign and proposal.campaign.notice_shows_health)
    return [_label(table[code]["label"]) if code in table else code for code in proposal.risk_types
            if not (hidden and table.get(code, {}).get("reveals_health"))]


# Records and their flags ----------------------------------------------------------------------

def flags_of(submission: Submission) -> list[dict]:
    return current_revision(submission).server_result["screening"]["flags"]


# Consent (承诺授权书, §10 step 1) ------------------------------------------------------------

NO_RECORD_FOR_CONSENT = N_("该户还没有审核通过的调查记录，无法确认农户已签署承诺授权书，不能申报。")
NO_CONSENT = N_("该户审核通过的调查记录中没有农户的承诺授权书（须答“已签署”并有农户签名），不能申报。")


def evidence(household: Household, submission: Submission | None = None) -> Submission | None:
    """The approved record a proposal for the household rests on: the one it is made from,
    else the household's latest approved record."""
    return submission or latest_approved(household)


def consented(revisions) -> set[int]:
    """The ids of those revisions on which the household's consent is recorded: the consent
    question answered yes (``answers["consent"]["consent_given"] is True``) and a signature
    whose file the server holds complete. A signature the phone declared but has not sent is
    not consent yet: nobody could show it."""
    answered = [revision.id for revision in revisions
                if isinstance(revision.answers.get("consent"), dict)
                and revision.answers["consent"].get("consent_given") is True]
    return signed(answered)


def consent_problem(household: Household, submission: Submission | None = None) -> str | None:
    """Why the household cannot be proposed for identification for want of its consent on
    the approved record the proposal rests on (``evidence``); None when it is recorded."""
    record = evidence(household, submission)
    if record is None:
        return gettext(NO_RECORD_FOR_CONSENT)
    revision = current_revision(record)
    return None if consented([revision]) else gettext(NO_CONSENT)


# The village assessment ------------------------------------------------------------------------

@dataclass(frozen=True)
class AssessmentRow:
    submission: Submission
    household: Household
    head_name: str | None
    village: Area
    flags: list[str]
    suggested_category: str | None
    proposal: Proposal | None
    decision: AssessmentDecision | None
    consent: bool  # the household's consent is recorded on the record (``consented``)

    @property
    def resolved(self) -> bool:
        return self.proposal is not None or self.decision is not None


def _resolving_proposals(campaign_id: int, household_ids) -> dict[int, Proposal]:
    """Per household, the identification proposal (not withdrawn) of the campaign, if any."""
    proposals = db.session.scalars(select(Proposal).where(
        Proposal.campaign_id == campaign_id, Proposal.kind == "identification", Proposal.state != "withdrawn",
        Proposal.household_id.in_(list(household_ids))).order_by(Proposal.id))
    return {proposal.household_id: proposal for proposal in proposals}


def _decisions(submissions: list[Submission]) -> dict[tuple[str, int], AssessmentDecision]:
    if not submissions:
        return {}
    decisions = db.session.scalars(select(AssessmentDecision).where(
        AssessmentDecision.submission_id.in_([submission.id for submission in submissions])))
    return {(decision.submission_id, decision.revision): decision for decision in decisions}


def is_resolved(submission: Submission) -> bool:
    return bool(_decisions([submission]).get((submission.id, submission.revision))
                or _resolving_proposals(submission.campaign_id, [submission.household_id]))


def assessment(user, campaign: Campaign, village_id: int | None = None) -> list[AssessmentRow]:
    """Every approved record of the campaign with a flag, in the user's area: unresolved first."""
    head = aliased(Member)
    query = (
        select(Submission, SubmissionRevision, Household, head.name)
        .join(Household, Household.id == Submission.household_id)
        .join(SubmissionRevision, is_current_revision())
        .outerjoin(head, and_(head.household_id == Household.id, head.relation == "head"))
        .where(Submission.campaign_id == campaign.id, Submission.status == "approved", household_filter(user))
        .order_by(Household.household_number)
    )
    if village_id:
        query = query.where(Household.village_id == village_id)
    flagged = [row for row in db.session.execute(query) if row[1].server_result["screening"]["flags"]]
    proposals = _resolving_proposals(campaign.id, {household.id for _s, _r, household, _n in flagged})
    decisions = _decisions([submission for submission, _r, _h, _n in flagged])
    with_consent = consented([revision for _s, revision, _h, _n in flagged])
    rows = [AssessmentRow(submission, household, head_name, household.village, display.flags_of(revision),
                          revision.server_result["screening"]["suggested_category"], proposals.get(household.id),
                          decisions.get((submission.id, submission.revision)), revision.id in with_consent)
            for submission, revision, household, head_name in flagged]
    return sorted(rows, key=lambda row: row.resolved)  # stable: by household number within each


@dataclass(frozen=True)
class VillageCount:
    village: Area
    flagged: int
    unresolved: int


def unresolved_counts(user, campaign: Campaign) -> list[VillageCount]:
    """Per village the user sees: flagged records and how many are still unresolved."""
    rows = assessment(user, campaign)
    flagged = Counter(row.village.id for row in rows)
    unresolved = Counter(row.village.id for row in rows if not row.resolved)
    return [VillageCount(village, flagged[village.id], unresolved[village.id]) for village in scoped_villages(user)]


# Proposals -------------------------------------------------------------------------------------

def scoped_proposals(user):
    return select(Proposal).join(Household, Household.id == Proposal.household_id).where(household_filter(user))


def proposal_or_404(user, proposal_id: int) -> Proposal:
    return db.session.scalar(scoped_proposals(user).where(Proposal.id == proposal_id)) or abort(404)


def open_proposal(household: Household) -> Proposal | None:
    return db.session.scalar(select(Proposal).where(Proposal.household_id == household.id,
                                                    Proposal.state.in_(workflow.OPEN_STATES)))


@dataclass(frozen=True)
class QueueRow:
    proposal: Proposal
    head_name: str | None
    days: int  # since the clue, counted as the proposal's campaign counts its limit
    late: bool  # beyond that limit


def queue(user, today: dt.date) -> list[QueueRow]:
    """Proposals under way in the user's area, longest waiting first, with the days since
    the clue and whether they are beyond their campaign's clue-to-decision limit."""
    head = aliased(Member)
    rows = db.session.execute(
        scoped_proposals(user).add_columns(head.name)
        .outerjoin(head, and_(head.household_id == Household.id, head.relation == "head"))
        .where(Proposal.state.in_(workflow.OPEN_STATES)).order_by(Proposal.clue_date, Proposal.id))
    found = []
    for proposal, head_name in rows:
        campaign = proposal.campaign
        days = workflow.days_from_clue(proposal.clue_date, proposal.decided_date, today, campaign.decision_day_count)
        found.append(QueueRow(proposal, head_name, days, days > campaign.decision_days_limit))
    return found


@dataclass(frozen=True)
class NoticeRow:
    """One line of the public notice: never ID numbers, phone numbers, bank accounts or
    health (DOMAIN §10: risk types that reveal it only when the county shows them), and never
    the free-text note, which could hold any of them."""

    name: str
    group: str
    kind: str
    category: str
    reason: str
    start: dt.date
    end: dt.date  # the notice's last day

    @property
    def period(self) -> str:
        return gettext("%(start)s 至 %(end)s", start=self.start.isoformat(), end=self.end.isoformat())


NOTICE_FIELDS = [Field("name", N_("姓名"), text_cell), Field("group", N_("村民小组"), text_cell),
                 Field("kind", N_("事项"), text_cell), Field("category", N_("监测对象类别"), text_cell),
                 Field("reason", N_("原因"), text_cell), Field("period", N_("公示期"), text_cell)]


def objection_contact(village: Area) -> tuple[Area, str] | None:
    """Where the village's notice says to object: the village's phone, else its township's."""
    for area in (village, village.parent):
        if area is not None and area.objection_phone:
            return area, area.objection_phone
    return None


def notice(user, village: Area) -> list[NoticeRow]:
    """The proposals of a village now on public notice."""
    head = aliased(Member)
    group = aliased(Area)
    rows = db.session.execute(
        scoped_proposals(user).add_columns(head.name, group.name)
        .outerjoin(head, and_(head.household_id == Household.id, head.relation == "head"))
        .outerjoin(group, group.id == Household.group_id)
        .where(Household.village_id == village.id, Proposal.state == "on_notice")
        .order_by(Proposal.kind.desc(), Household.household_number))
    return [NoticeRow(
        name=head_name or "", group=group_name or "", kind=PROPOSAL_KIND.label(proposal.kind),
        category=MONITORED_CATEGORY.label(proposal.category),
        reason="、".join(risk_type_labels(proposal, on_notice=True)) if proposal.kind == "identification"
        else ELIMINATION_KIND.label(proposal.channel),
        start=proposal.notice_start,
        end=workflow.notice_last_day(proposal.notice_start, proposal.campaign.public_notice_days),
    ) for proposal, head_name, group_name in rows]


# Monitored households --------------------------------------------------------------------------

def identification_of(household: Household) -> Proposal | None:
    """The approved identification the household's current monitoring rests on."""
    return db.session.scalar(select(Proposal).where(
        Proposal.household_id == household.id, Proposal.kind == "identification", Proposal.state == "approved")
        .order_by(Proposal.decided_date.desc(), Proposal.id.desc()).limit(1))


@dataclass(frozen=True)
class RegisterRow:
    household: Household
    head_name: str | None
    identification: Proposal | None


def register(user, village_id: int | None = None) -> list[RegisterRow]:
    """Monitored households in the user's area, with the identification behind each."""
    head = aliased(Member)
    query = (select(Household, head.name)
             .outerjoin(head, and_(head.household_id == Household.id, head.relation == "head"))
             .where(household_filter(user), Household.monitored_category.is_not(None))
             .order_by(Household.household_number))
    if village_id:
        query = query.where(Household.village_id == village_id)
    households = db.session.execute(query).all()
    identifications = {}
    if households:
        for proposal in db.session.scalars(select(Proposal).where(
                Proposal.household_id.in_([household.id for household, _name in households]),
                Proposal.kind == "identification", Proposal.state == "approved")
                .order_by(Proposal.decided_date, Proposal.id)):
            identifications[proposal.household_id] = proposal  # the latest wins
    return [RegisterRow(household, name, identifications.get(household.id)) for household, name in households]


@dataclass(frozen=True)
class MeasureCounts:
    carried_out: int  # carried out since the day asked (the current monitoring period)
    declared_only: int  # declared and not yet carried out, whenever declared


def measure_counts(household: Household, since: dt.date | None = None) -> MeasureCounts:
    """The household's assistance measures carried out (on or after ``since``, when given) and
    those only declared so far."""
    carried_out = AssistanceMeasure.carried_out_on.is_not(None)
    if since is not None:
        carried_out = and_(carried_out, AssistanceMeasure.carried_out_on >= since)
    row = db.session.execute(select(func.count().filter(carried_out),
                                    func.count().filter(AssistanceMeasure.carried_out_on.is_(None)))
                             .where(AssistanceMeasure.household_id == household.id)).one()
    return MeasureCounts(row[0], row[1])


def measure_or_404(user, household: Household, measure_id: int | None) -> AssistanceMeasure:
    """One of the household's measures (the household already fetched within the user's areas)."""
    measure = db.session.get(AssistanceMeasure, measure_id) if measure_id is not None else None
    if measure is None or measure.household_id != household.id:
        abort(404)
    return measure


def income_figures(household: Household) -> tuple[elimination.IncomeFigure, ...]:
    """Every per-capita income figure recorded for the household: its approved census records',
    each of the day of its visit."""
    rows = db.session.execute(
        select(SubmissionRevision.answers, SubmissionRevision.server_result, SubmissionRevision.received_at)
        .join(Submission, is_current_revision())
        .where(Submission.household_id == household.id, Submission.status == "approved"))
    figures = []
    for answers, result, received_at in rows:
        visit = (answers.get("household") or {}).get("visit_date")
        try:
            day = dt.date.fromisoformat(visit)
        except (TypeError, ValueError):
            day = clock.county_date(received_at)
        figures.append(elimination.IncomeFigure("census", day, result["income"]["per_capita_net_income"],
                                                result["income"]["per_capita_after_rigid_costs"]))
    return tuple(figures)


def elimination_facts(household: Household, campaign: Campaign, today: dt.date) -> elimination.Facts:
    identification = identification_of(household)
    since = identification.decided_date if identification else None
    record = latest_approved(household)
    threshold = threshold_for(campaign, household.group or household.village)
    measures = measure_counts(household, since)
    facts = {"today": today, "monitored_since": since, "measures": measures.carried_out,
             "declared_measures": measures.declared_only,
             "has_approved_record": record is not None, "threshold": threshold.amount_fen if threshold else None,
             "incomes": income_figures(household), "without_labour": household.without_labour}
    if record is not None:
        revision = current_revision(record)
        answered = revision.answers.get("guarantees") or {}
        flags = {flag["code"] for flag in revision.server_result["screening"]["flags"]}
        facts.update(
            unmet_guarantees=tuple(
                guarantee["id"] for guarantee in display.definition_of(revision.form_version)["guarantees"]
                if answered.get(guarantee["id"]) is not True),
            rigid_cost_burden="rigid_cost_burden" in flags,
            without_labour=household.without_labour or "without_labour" in flags,
        )
    return elimination.Facts(**facts)


def unmet_messages(unmet: list[elimination.Unmet], campaign: Campaign) -> list[str]:
    """What each unmet §11 condition says, in the request's language."""
    labels = {item["id"]: _label(item["label"]) for item in display.definition_of(campaign.form_version)["guarantees"]}
    shown = []
    for item in unmet:
        params = dict(item.params)
        for key in elimination.MONEY_PARAMS & params.keys():
            params[key] = "—" if params[key] is None else format_yuan(params[key])
        if "guarantees" in params:
            params["guarantees"] = "、".join(labels.get(g, g) for g in params["guarantees"])
        shown.append(gettext(elimination.MESSAGES[item.code], **params))
    return shown


@dataclass(frozen=True)
class History:
    proposals: list[Proposal]
    events: list[MonitoringEvent]
    measures: list[AssistanceMeasure]
    submissions: list[tuple[Submission, Campaign]]


def history(household: Household) -> History:
    """Everything monitoring knows about one household, oldest first."""
    return History(
        proposals=list(db.session.scalars(select(Proposal).where(Proposal.household_id == household.id)
                                          .order_by(Proposal.id))),
        events=list(db.session.scalars(select(MonitoringEvent).where(MonitoringEvent.household_id == household.id)
                                       .order_by(MonitoringEvent.id))),
        measures=list(db.session.scalars(select(AssistanceMeasure).where(AssistanceMeasure.household_id == household.id)
                                         .order_by(AssistanceMeasure.declared_on, AssistanceMeasure.id))),
        submissions=list(db.session.execute(
            select(Submission, Campaign).join(Campaign, Campaign.id == Submission.campaign_id)
            .where(Submission.household_id == household.id).order_by(Submission.created_at))),
    )


def proposal_events(proposal: Proposal) -> list[MonitoringEvent]:
    return list(db.session.scalars(select(MonitoringEvent).where(MonitoringEvent.proposal_id == proposal.id)
                                   .order_by(MonitoringEvent.id)))
