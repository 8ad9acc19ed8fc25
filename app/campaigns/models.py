from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from app.auth.models import User
from app.codes import DAY_COUNT, LINE_KIND
from app.dbtypes import code_check, created_at_column
from app.extensions import db
from app.geo.models import Area
from app.households.models import Household

MIN_NOTICE_DAYS = 5  # DOMAIN §10: the public notice runs at least 5 days; a county may set more


class Campaign(db.Model):
    """One census round (普查批次): the year surveyed and the rules in force for it."""

    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint(f"public_notice_days >= {MIN_NOTICE_DAYS}", name="notice_days_at_least_five"),
        CheckConstraint("decision_days_limit >= 1", name="decision_days_positive"),
        code_check(DAY_COUNT, "decision_day_count"),
        CheckConstraint("clue_verify_days >= 1 AND clue_village_review_days >= 1 AND clue_township_review_days >= 1",
                        name="clue_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer)
    form_version: Mapped[str] = mapped_column(String(32))
    county_approval_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    public_notice_days: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    # Risk types that reveal health (因病, 因残) are left off the public notice unless the county shows them.
    notice_shows_health: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # From a clue to its decision: the limit, in calendar or working days (DAY_COUNT).
    decision_days_limit: Mapped[int] = mapped_column(Integer, default=15, server_default="15")
    decision_day_count: Mapped[str] = mapped_column(String(16), default="calendar", server_default="calendar")
    # A department warning's time limits (限时办结), calendar days per step: verified within
    # 15 days of the push, then the village's and the township's review (app.clues.workflow).
    clue_verify_days: Mapped[int] = mapped_column(Integer, default=15, server_default="15")
    clue_village_review_days: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    clue_township_review_days: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    created_at: Mapped[dt.datetime] = created_at_column()

    thresholds: Mapped[list[MonitoringThreshold]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="MonitoringThreshold.year"
    )


class MonitoringThreshold(db.Model):
    """A per-capita income line for a year and an area, in fen, of a kind (LINE_KIND): the
    monitoring threshold 监测范围, or the circle layers' line 圈层分层线. For each kind the most
    specific area wins (see app.campaigns.thresholds)."""

    __tablename__ = "monitoring_threshold"
    __table_args__ = (
        UniqueConstraint("campaign_id", "kind", "year", "area_id",
                         name="uq_monitoring_threshold_campaign_kind_year_area"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        code_check(LINE_KIND, "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default="monitoring", server_default="monitoring")
    year: Mapped[int] = mapped_column(Integer)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    amount_fen: Mapped[int] = mapped_column(BigInteger)

    campaign: Mapped[Campaign] = relationship(back_populates="thresholds")
    area: Mapped[Area] = relationship()


class Assignment(db.Model):
    """Which enumerator visits which household in a campaign (one enumerator per household)."""

    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("campaign_id", "household_id", name="uq_assignment_campaign_household"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    enumerator_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[dt.datetime] = created_at_column()

    campaign: Mapped[Campaign] = relationship()
    household: Mapped[Household] = relationship()
    enumerator: Mapped[User] = relationship()
