"""Tables of the sample audits 抽样审核 (DOMAIN §12, §13): a round draws a seeded, stratified
sample of a population of households; auditors are assigned per township; an auditor's copy
of the census form is kept beside (never instead of) the household's record, with the
differences found and the village's answer."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.codes import AUDIT_OUTCOME, AUDIT_POPULATION
from app.dbtypes import code_check, created_at_column
from app.extensions import db
from app.geo.models import Area
from app.households.models import Household


class AuditRound(db.Model):
    """抽样审核批次: which population, what share or count, drawn with which seed."""

    __tablename__ = "audit_round"
    __table_args__ = (
        code_check(AUDIT_POPULATION, "population"),
        CheckConstraint("(share IS NULL) != (sample_count IS NULL)", name="share_or_count"),
        CheckConstraint("share IS NULL OR (share > 0 AND share <= 1)", name="share_range"),
        CheckConstraint("sample_count IS NULL OR sample_count >= 1", name="count_positive"),
        CheckConstraint("period_start <= period_end", name="period_ordered"),
        CheckConstraint("tolerance_percent >= 0", name="tolerance_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    population: Mapped[str] = mapped_column(String(32))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    share: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    sample_count: Mapped[int | None] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(BigInteger)
    # per-capita income may differ by this much (in % of the original) and still be consistent
    tolerance_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("5.00"))
    population_households: Mapped[int] = mapped_column(Integer)  # how many the draw was made from
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))  # None: on the command line
    created_at: Mapped[dt.datetime] = created_at_column()

    county: Mapped[Area] = relationship()
    samples: Mapped[list[AuditSample]] = relationship(back_populates="round", order_by="AuditSample.id")


class AuditAuditor(db.Model):
    """An auditor assigned to a township of a round."""

    __tablename__ = "audit_auditor"

    round_id: Mapped[int] = mapped_column(ForeignKey("audit_round.id", ondelete="CASCADE"), primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)

    user: Mapped[User] = relationship()


class AuditSample(db.Model):
    """A household drawn in a round, the original record it is compared with, who audits it and
    what was found. ``persons`` is the household's size at the draw (the round reports people)."""

    __tablename__ = "audit_sample"
    __table_args__ = (
        UniqueConstraint("round_id", "household_id", name="uq_audit_sample_round_household"),
        code_check(AUDIT_OUTCOME, "outcome"),
        CheckConstraint("village_answer IS NULL OR outcome = 'discrepancy'", name="answer_only_discrepancy"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_round.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    submission_id: Mapped[str | None] = mapped_column(ForeignKey("submission.id"))  # the original record
    persons: Mapped[int] = mapped_column(Integer)
    auditor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16), default="pending")
    village_answer: Mapped[str | None] = mapped_column(Text)  # the village's answer to the differences
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    round: Mapped[AuditRound] = relationship(back_populates="samples")
    household: Mapped[Household] = relationship()
    auditor: Mapped[User | None] = relationship(foreign_keys=[auditor_id])


class AuditRecord(db.Model):
    """审核复核表: the auditor's copy of the census form (answers and the census engine's income
    result), and the field-by-field differences from the original. Keyed by the phone's UUID."""

    __tablename__ = "audit_record"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("audit_sample.id", ondelete="CASCADE"), unique=True)
    auditor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    answers: Mapped[dict] = mapped_column(JSON)
    result: Mapped[dict] = mapped_column(JSON)  # app.census income of the answers
    differences: Mapped[list] = mapped_column(JSON)  # audits.comparison.Difference as dicts
    content_sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = created_at_column()


class AuditEvent(db.Model):
    """One audited change of a round: drawn, auditor assigned, copy received, village answered."""

    __tablename__ = "audit_event"
    __table_args__ = (
        CheckConstraint("action IN ('draw', 'assign_auditor', 'receive_copy', 'answer')", name="action_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_round.id", ondelete="CASCADE"), index=True)
    sample_id: Mapped[int | None] = mapped_column(ForeignKey("audit_sample.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))  # None: on the command line
    action: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = created_at_column()

    round: Mapped[AuditRound] = relationship()
