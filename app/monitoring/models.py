"""Tables of the monitoring work. A household's monitoring is read from its proposals:
the latest approved identification says since when, in which category and for which risks;
an approved (not reversed) elimination after it ends it. ``Household.monitored_category``
is kept equal to that by the services, for lists and the roster. Events are appended,
never changed."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.campaigns.models import Campaign
from app.codes import ASSISTANCE_MEASURE, CLUE_CHANNEL, ELIMINATION_KIND, MONITORED_CATEGORY, N_, PROPOSAL_KIND
from app.dbtypes import code_check, created_at_column, values_check
from app.extensions import db
from app.households.models import Household
from app.monitoring.workflow import ACTION_LABELS, ACTIONS, STATES
from app.records.models import Submission

APPRAISED_STATES = STATES[1:6] + ("reversed",)  # every state after the appraisal was recorded
NOTICED_STATES = STATES[2:6] + ("reversed",)  # every state after the notice started
DECIDED_STATES = ("approved", "reversed")
# An identification the national system had already made, entered by the roster import: it
# was appraised and noticed there, not here, and belongs to no census campaign.
NATIONAL = "national_system"
NATIONAL_ENTRY = "national_entry"  # its event
# Audited changes that are not proposal transitions: the village's two answers to a flagged
# record (not proposed; already monitored, with its identification's risk types perhaps
# updated: ``changes``) and a measure declared or carried out (``changes`` names the measure,
# and the visit that reported it carried out). "record_measure" is the event of a measure
# recorded before measures were declared and carried out (migration 0020): kept as written.
MEASURE_ACTIONS = ("declare_measure", "carry_out_measure")
OTHER_ACTIONS = ("not_proposed", "record_measure", "already_monitored") + MEASURE_ACTIONS
EVENT_LABELS = {**ACTION_LABELS, "not_proposed": N_("不纳入监测"), "record_measure": N_("登记帮扶措施"),
                "declare_measure": N_("帮扶措施已申报"), "carry_out_measure": N_("帮扶措施已落实"),
                "already_monitored": N_("已是监测对象：更新风险类型和帮扶"),
                NATIONAL_ENTRY: N_("全国系统已认定为监测对象，花名册导入")}
# How the village resolved a flagged record that it did not propose.
OUTCOMES = ("not_proposed", "already_monitored")


def _in(column: str, values) -> str:
    return f"({column} IN ({', '.join(repr(value) for value in values)}))"


class Proposal(db.Model):
    """申报: a household proposed for identification (识别) or for risk elimination (风险消除).

    ``version`` is the optimistic lock: whoever acts on an older version gets a conflict."""

    __tablename__ = "proposal"
    __table_args__ = (
        code_check(PROPOSAL_KIND, "kind"),
        code_check(MONITORED_CATEGORY, "category"),
        values_check("state", STATES, "state_code"),
        CheckConstraint(f"(kind = 'identification' AND {CLUE_CHANNEL.check_sql('channel')}) OR "
                        f"(kind = 'elimination' AND {ELIMINATION_KIND.check_sql('channel')})",
                        name="channel_fits_kind"),
        CheckConstraint(f"NOT {_in('state', APPRAISED_STATES)} OR appraisal_date IS NOT NULL "
                        f"OR channel = '{NATIONAL}'", name="appraisal_date_once_appraised"),
        CheckConstraint(f"NOT {_in('state', NOTICED_STATES)} OR notice_start IS NOT NULL "
                        f"OR channel = '{NATIONAL}'", name="notice_start_once_noticed"),
        CheckConstraint(f"(campaign_id IS NULL) = (channel = '{NATIONAL}')", name="campaign_unless_national"),
        CheckConstraint(f"{_in('state', DECIDED_STATES)} = (decided_date IS NOT NULL)",
                        name="decided_date_iff_decided"),
        CheckConstraint("source_submission_id IS NULL OR channel = 'visit_screening'", name="source_from_screening"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)  # None: national
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(32))  # clue channel, or the kind of elimination
    category: Mapped[str] = mapped_column(String(32))  # proposed, or (elimination) the one ending
    risk_types: Mapped[list] = mapped_column(JSON, default=list)  # local risk-type codes (§9), 1–5
    note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    clue_date: Mapped[dt.date] = mapped_column(Date)
    appraisal_date: Mapped[dt.date | None] = mapped_column(Date)
    notice_start: Mapped[dt.date | None] = mapped_column(Date)
    decided_date: Mapped[dt.date | None] = mapped_column(Date)
    decision_reason: Mapped[str | None] = mapped_column(Text)  # the latest rejection, withdrawal or reversal
    source_submission_id: Mapped[str | None] = mapped_column(ForeignKey("submission.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = created_at_column()

    household: Mapped[Household] = relationship()
    campaign: Mapped[Campaign | None] = relationship()
    source_submission: Mapped[Submission | None] = relationship()
    objections: Mapped[list[Objection]] = relationship(back_populates="proposal", order_by="Objection.id")

    __mapper_args__ = {"version_id_col": version}


class AssessmentDecision(db.Model):
    """村级研判: the village resolved a flagged record without proposing it, and why: not
    proposed (不纳入监测), or the household is already monitored (its risk types and
    assistance updated instead)."""

    __tablename__ = "assessment_decision"
    __table_args__ = (
        UniqueConstraint("submission_id", "revision", name="uq_assessment_decision_submission_revision"),
        values_check("outcome", OUTCOMES, "outcome_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submission.id"))
    revision: Mapped[int] = mapped_column(Integer)  # the flags judged were this revision's
    outcome: Mapped[str] = mapped_column(String(20), default="not_proposed", server_default="not_proposed")
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[dt.datetime] = created_at_column()

    decided_by: Mapped[User] = relationship()


class Objection(db.Model):
    """公示异议: an objection received while the proposal was on notice."""

    __tablename__ = "objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    received_on: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[dt.datetime] = created_at_column()

    proposal: Mapped[Proposal] = relationship(back_populates="objections")


class AssistanceMeasure(db.Model):
    """帮扶措施: help for a monitored household (一户一策, DOMAIN §12), first declared (申报, on
    ``declared_on``), later carried out (落实, on ``carried_out_on``; None while only declared).
    Only a measure carried out counts towards risk elimination (§11)."""

    __tablename__ = "assistance_measure"
    __table_args__ = (
        code_check(ASSISTANCE_MEASURE, "measure_type"),
        CheckConstraint("carried_out_on IS NULL OR carried_out_on >= declared_on", name="carried_out_after_declared"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    measure_type: Mapped[str] = mapped_column(String(32))
    declared_on: Mapped[dt.date] = mapped_column(Date)
    carried_out_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))  # who declared it
    created_at: Mapped[dt.datetime] = created_at_column()

    household: Mapped[Household] = relationship()

    @property
    def carried_out(self) -> bool:
        return self.carried_out_on is not None


class MonitoringEvent(db.Model):
    """监测操作记录: one audited change (a proposal's transition, an identification entered
    from the national system, the village's answer to a flagged record, a measure declared or
    carried out),
    append-only."""

    __tablename__ = "monitoring_event"
    __table_args__ = (
        values_check("action", ACTIONS + (NATIONAL_ENTRY,) + OTHER_ACTIONS, "action_code"),
        CheckConstraint(f"from_state IS NULL OR {_in('from_state', STATES)}", name="from_state_code"),
        CheckConstraint(f"to_state IS NULL OR {_in('to_state', STATES)}", name="to_state_code"),
        # A transition names its proposal; "already monitored" names the identification it
        # updated, when it updated one.
        CheckConstraint(f"(proposal_id IS NOT NULL) = {_in('action', ACTIONS + (NATIONAL_ENTRY,))} "
                        "OR action = 'already_monitored'", name="proposal_fits_action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    on_date: Mapped[dt.date | None] = mapped_column(Date)  # the day named: appraisal, notice start, objection
    reason: Mapped[str | None] = mapped_column(Text)
    # what else it changed: {"risk_types": [before, after]}; a measure's: {"measure": id,
    # "visit": the visit's id when a visit reported it carried out}; SQL NULL when nothing
    changes: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    at: Mapped[dt.datetime] = created_at_column()

    actor: Mapped[User] = relationship()
    proposal: Mapped[Proposal | None] = relationship()
