"""Tables of the visits between censuses (DOMAIN §12, §13): who answers for each household,
how often a county wants its households contacted, the circle layer each household was
assessed in each year, and the visits made. ``DutyEvent`` is the audit of every change here
(appended, never changed); a household's layer history is its ``assess_layer`` events."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.codes import CIRCLE_LAYER, CONTACT_KIND, DUTY_PERIOD, INCOME_CHANGE, MONITORING_STATUS
from app.dbtypes import code_check, created_at_column, values_check
from app.extensions import db
from app.figures.models import track
from app.geo.models import Area
from app.households.models import Household

APPLIES_TO = ("status", "layer")  # a rule is for a monitoring status or for a circle layer
DUTY_ACTIONS = ("assign_cadre", "assess_layer", "record_visit", "choose_rules", "edit_rule")


class ResponsibleCadre(db.Model):
    """帮扶责任人 (包保干部): the user who answers for a household's visits, since a day."""

    __tablename__ = "responsible_cadre"

    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    since: Mapped[dt.date] = mapped_column(Date)

    household: Mapped[Household] = relationship()
    user: Mapped[User] = relationship()


class DutyRuleSet(db.Model):
    """走访频次规则: the visit duties a county uses, copied from one of the shipped sets
    (``duties.SHIPPED``: by monitoring status, by circle layer; §12) when the county picks it, and
    then its own to edit. A county without one uses ``duties.DEFAULT``."""

    __tablename__ = "duty_rule_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("area.id"), unique=True)
    based_on: Mapped[str] = mapped_column(String(16))  # the shipped set's code

    rules: Mapped[list[DutyRule]] = relationship(back_populates="rule_set", order_by="DutyRule.id",
                                                 cascade="all, delete-orphan")


class DutyRule(db.Model):
    """One duty: households of a status or layer are contacted ``count`` times a ``period`` by
    one of ``kinds`` (a call or WeChat both answer "a call or WeChat monthly")."""

    __tablename__ = "duty_rule"
    __table_args__ = (
        values_check("applies_to", APPLIES_TO, "applies_to_code"),
        CheckConstraint(f"(applies_to = 'status' AND {MONITORING_STATUS.check_sql('applies_value')}) OR "
                        f"(applies_to = 'layer' AND {CIRCLE_LAYER.check_sql('applies_value')})",
                        name="value_fits_applies_to"),
        code_check(DUTY_PERIOD, "period"),
        CheckConstraint("count >= 1", name="count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("duty_rule_set.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))  # names the duty in task ids: "visit:<household>:<code>"
    applies_to: Mapped[str] = mapped_column(String(8))
    applies_value: Mapped[str] = mapped_column(String(16))
    kinds: Mapped[list] = mapped_column(JSON)  # contact kinds (CONTACT_KIND) that fulfil it
    period: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer)

    rule_set: Mapped[DutyRuleSet] = relationship(back_populates="rules")


class CircleLayer(db.Model):
    """圈层: the layer a household was assessed in for a year (集中动态调整), and why.
    ``suggested`` is what the live rule gave at the time (figures.bands.circle_layer)."""

    __tablename__ = "circle_layer"
    __table_args__ = (
        UniqueConstraint("household_id", "year", name="uq_circle_layer_household_year"),
        code_check(CIRCLE_LAYER, "layer"),
        code_check(CIRCLE_LAYER, "suggested", nullable=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    layer: Mapped[str] = mapped_column(String(8))
    suggested: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text, default="")
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    assessed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))


class Visit(db.Model):
    """走访记录: one contact with a household, keyed by the phone's UUID (a resend is a duplicate)."""

    __tablename__ = "visit"
    __table_args__ = (
        code_check(CONTACT_KIND, "kind"),
        code_check(INCOME_CHANGE, "income_change"),
        CheckConstraint("per_capita_income_fen IS NULL OR per_capita_income_fen >= 0", name="income_not_negative"),
        CheckConstraint("risk_found OR risk_note = ''", name="risk_note_only_with_risk"),
        CheckConstraint("photo_sha256 IS NULL OR kind = 'home_visit'", name="photo_only_home_visit"),
        CheckConstraint("clue_id IS NULL OR risk_found", name="clue_only_with_risk"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the phone's crypto.randomUUID()
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    visit_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    met: Mapped[str] = mapped_column(Text, default="")  # who was met
    member_changes: Mapped[str] = mapped_column(Text, default="")
    income_change: Mapped[str] = mapped_column(String(8), default="none")
    per_capita_income_fen: Mapped[int | None] = mapped_column(BigInteger)
    problems: Mapped[str] = mapped_column(Text, default="")
    assistance: Mapped[str] = mapped_column(Text, default="")  # the follow-up of help, in words
    measure_ids: Mapped[list] = mapped_column(JSON, default=list)  # the household's measures followed up
    # of those, what the cadre reported carried out: [{"measure_id", "on": "YYYY-MM-DD"}]
    carried_out: Mapped[list] = mapped_column(JSON, default=list)
    # The photo's SHA-256: its file may reach /api/attachments after the visit (app.records.attachments).
    photo_sha256: Mapped[str | None] = mapped_column(String(64))
    risk_found: Mapped[bool] = mapped_column(Boolean, default=False)
    risk_note: Mapped[str] = mapped_column(Text, default="")
    clue_id: Mapped[int | None] = mapped_column(ForeignKey("clue.id"))  # the clue its risk raised
    content_sha256: Mapped[str] = mapped_column(String(64))  # what was sent: same uuid, other content → invalid
    received_at: Mapped[dt.datetime] = created_at_column()

    household: Mapped[Household] = relationship()
    cadre: Mapped[User] = relationship()


class DutyEvent(db.Model):
    """One audited change: a cadre assigned, a layer assessed, a visit recorded (each of a
    household), or a county's rule set chosen or one of its rules edited (of an area)."""

    __tablename__ = "duty_event"
    __table_args__ = (
        values_check("action", DUTY_ACTIONS, "action_code"),
        CheckConstraint("(action IN ('choose_rules', 'edit_rule')) = (household_id IS NULL)",
                        name="household_unless_rules"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))  # the county whose rules were chosen
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    action: Mapped[str] = mapped_column(String(16))
    year: Mapped[int | None] = mapped_column(Integer)  # an assessed layer's year
    before: Mapped[str | None] = mapped_column(String(36))  # the cadre's user id, the layer; None: none
    after: Mapped[str | None] = mapped_column(String(36))  # … or the visit's id
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = created_at_column()

    actor: Mapped[User] = relationship()


def _villages_of_rules(session, instance) -> tuple[list[int], tuple]:
    """What a change to a county's rules touches: every village of the county."""
    connection = session.connection()
    county = instance.county_id if isinstance(instance, DutyRuleSet) else connection.scalar(
        select(DutyRuleSet.county_id).where(DutyRuleSet.id == instance.rule_set_id))
    if county is None:  # a rule of a set deleted with it: the set's own change says which county
        return [], ()
    townships = select(Area.id).where(Area.parent_id == county)
    return list(connection.scalars(select(Area.id).where(Area.level == "village", Area.parent_id.in_(townships)))), ()


# Who owes a visit and what answers it: their changes move the village's data version, so the
# stored monthly ranking figure (app.visits.queries.OVERDUE_VISITS) is counted again.
track(CircleLayer)
track(Visit)
track(DutyRuleSet, _villages_of_rules)
track(DutyRule, _villages_of_rules)
