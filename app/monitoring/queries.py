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

from app.campaigns.models import Campaign
from app.campaigns.queries import threshold_for
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
from app.records.models import Submission, SubmissionRevision
from app.records.queries import current_revision, is_current_revision, latest_approved


def _label(label: dict) -> str:
    return display.text(label, display.locale())


def risk_type_codes(campaign: Campaign) -> set[str]:
    return {risk["code"] for risk in display.definition_of(campaign.form_version)["risk_types"]}


def risk_type_choices(campaign: Campaign) -> list[tuple[str, str]]:
    risk_types = display.definition_of(campaign.form_version)["risk_types"]
    return [(risk["code"], _label(risk["label"])) for risk in risk_types]


def risk_type_labels(proposal: Proposal) -> list[str]:
    labels = dict(risk_type_choices(proposal.campaign))
    return [labels.get(code, code) for code in proposal.risk_types]


# Records and their flags ----------------------------------------------------------------------

def flags_of(submission: Submission) -> list[dict]:
    return current_revision(submission).server_result["screening"]["flags"]


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
    rows = [AssessmentRow(submission, household, head_name, household.village, display.flags_of(revision),
                          revision.server_result["screening"]["suggested_category"], proposals.get(household.id),
                          decisions.get((submission.id, submission.revision)))
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
    days: int
    late: bool


def queue(user, today: dt.date, limit: int) -> list[QueueRow]:
    """Proposals under way in the user's area, longest waiting first, with the days since
    the clue (``late`` beyond ``limit``)."""
    head = aliased(Member)
    rows = db.session.execute(
        scoped_proposals(user).add_columns(head.name)
        .outerjoin(head, and_(head.household_id == Household.id, head.relation == "head"))
        .where(Proposal.state.in_(workflow.OPEN_STATES)).order_by(Proposal.clue_date, Proposal.id))
    found = []
    for proposal, head_name in rows:
        days = workflow.days_from_clue(proposal.clue_date, proposal.decided_date, today)
        found.append(QueueRow(proposal, head_name, days, days > limit))
    return found


@dataclass(frozen=True)
class NoticeRow:
    """One line of the public notice: never ID numbers, phone numbers, bank accounts or
    health (DOMAIN §10), and never the free-text note, which could hold any of them."""

    name: str
    group: str
    kind: str
    category: str
    reason: str


NOTICE_FIELDS = [Field("name", N_("姓名"), text_cell), Field("group", N_("村民小组"), text_cell),
                 Field("kind", N_("事项"), text_cell), Field("category", N_("监测对象类别"), text_cell),
                 Field("reason", N_("原因"), text_cell)]


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
        reason="、".join(risk_type_labels(proposal)) if proposal.kind == "identification"
        else ELIMINATION_KIND.label(proposal.channel),
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


def measure_count(household: Household) -> int:
    return db.session.scalar(select(func.count()).select_from(AssistanceMeasure)
                             .where(AssistanceMeasure.household_id == household.id))


def elimination_facts(household: Household, campaign: Campaign, today: dt.date) -> elimination.Facts:
    identification = identification_of(household)
    record = latest_approved(household)
    threshold = threshold_for(campaign, household.group or household.village)
    facts = {"today": today, "monitored_since": identification.decided_date if identification else None,
             "measures": measure_count(household), "has_approved_record": record is not None,
             "threshold": threshold.amount_fen if threshold else None, "without_labour": household.without_labour}
    if record is not None:
        revision = current_revision(record)
        answered = revision.answers.get("guarantees") or {}
        facts.update(
            per_capita=revision.server_result["income"]["per_capita_net_income"],
            unmet_guarantees=tuple(
                guarantee["id"] for guarantee in display.definition_of(revision.form_version)["guarantees"]
                if answered.get(guarantee["id"]) is not True),
            without_labour=household.without_labour or any(
                flag["code"] == "without_labour" for flag in revision.server_result["screening"]["flags"]),
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
                                         .order_by(AssistanceMeasure.measure_date, AssistanceMeasure.id))),
        submissions=list(db.session.execute(
            select(Submission, Campaign).join(Campaign, Campaign.id == Submission.campaign_id)
            .where(Submission.household_id == household.id).order_by(Submission.created_at))),
    )


def proposal_events(proposal: Proposal) -> list[MonitoringEvent]:
    return list(db.session.scalars(select(MonitoringEvent).where(MonitoringEvent.proposal_id == proposal.id)
                                   .order_by(MonitoringEvent.id)))
