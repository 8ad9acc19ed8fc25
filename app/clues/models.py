"""Tables of the department warnings: the departments (a code table the county may extend),
each list as uploaded with its rows, the clues made from them and every clue's events
(appended, never changed)."""
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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import true

from app.auth.models import User
from app.campaigns.models import Campaign
from app.clues.workflow import ACTIONS, PUSH, RESULTS, STATES
from app.dbtypes import created_at_column, values_check
from app.extensions import db
from app.households.models import Household, Member
from app.monitoring.models import Proposal

# The departments of the issue, seeded by migration 0017 (code, Chinese name, English name).
DEPARTMENTS = (
    ("medical_insurance", "医保", "Medical insurance"),
    ("civil_affairs", "民政", "Civil affairs"),
    ("disabled_federation", "残联", "Disabled persons' federation"),
    ("education", "教育", "Education"),
    ("housing", "住建", "Housing and construction"),
    ("emergency", "应急", "Emergency management"),
    ("human_resources", "人社", "Human resources and social security"),
    ("assistance_platform", "政府救助平台", "Provincial assistance platform"),
)


class Department(db.Model):
    """预警部门: a department that sends warning lists; names in both languages, since the
    county adds its own."""

    __tablename__ = "department"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_zh


class WarningList(db.Model):
    """预警名单: one file a department sent, as imported (a file is imported once: its hash)."""

    __tablename__ = "warning_list"
    __table_args__ = (UniqueConstraint("department_code", "file_hash", name="uq_warning_list_department_file_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the file's bytes
    pushed_on: Mapped[dt.date] = mapped_column(Date)
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_matched: Mapped[int] = mapped_column(Integer)
    rows_not_found: Mapped[int] = mapped_column(Integer)
    rows_already_imported: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    uploaded_at: Mapped[dt.datetime] = created_at_column()

    department: Mapped[Department] = relationship()
    uploaded_by: Mapped[User] = relationship()


class WarningRow(db.Model):
    """One row of a list: a person and what happened to them. ``household_id`` is None when
    no household of the county has the person (查无此人: sent back to the department). The
    same warning (department, person, what, when) is stored once, whichever file brings it."""

    __tablename__ = "warning_row"
    __table_args__ = (
        UniqueConstraint("department_code", "person_key", "reason", "event_date", name="uq_warning_row_identity"),
        CheckConstraint("amount_fen IS NULL OR amount_fen >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("warning_list.id", ondelete="CASCADE"), index=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"))
    row_number: Mapped[int] = mapped_column(Integer)  # in the file, as a spreadsheet numbers it
    id_number: Mapped[str] = mapped_column(String(20))  # normalised
    person_key: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(String(200))
    event_date: Mapped[dt.date] = mapped_column(Date)
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    clue_id: Mapped[int | None] = mapped_column(ForeignKey("clue.id"), index=True)

    warning_list: Mapped[WarningList] = relationship()
    household: Mapped[Household | None] = relationship()
    member: Mapped[Member | None] = relationship()
    clue: Mapped[Clue | None] = relationship(back_populates="rows")


# Where a clue comes from (codes.CLUE_CHANNEL): a department's list, or a risk a cadre found on a
# duty visit (干部走访发现).
CLUE_SOURCES = ("department_warning", "duty_visit")


class Clue(db.Model):
    """线索: a list's warnings about one household (or a risk a cadre found on a visit, in
    ``note``), to verify on a visit and review. Each step's last day is fixed when it is
    pushed (the campaign's limits).

    ``version`` is the optimistic lock: whoever acts on an older version gets a conflict."""

    __tablename__ = "clue"
    __table_args__ = (
        UniqueConstraint("list_id", "household_id", name="uq_clue_list_household"),
        values_check("state", STATES, "state_code"),
        CheckConstraint(f"result IS NULL OR result IN ({', '.join(repr(r) for r in RESULTS)})", name="result_code"),
        CheckConstraint("(result IS NULL) = (verified_on IS NULL)", name="verified_on_iff_result"),
        values_check("channel", CLUE_SOURCES, "channel_code"),
        CheckConstraint("(list_id IS NOT NULL) = (channel = 'department_warning')", name="list_iff_department"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    list_id: Mapped[int | None] = mapped_column(ForeignKey("warning_list.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(32), default="department_warning",
                                         server_default="department_warning")
    note: Mapped[str] = mapped_column(Text, default="", server_default="")  # a visit's clue: what was found
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"))
    state: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    pushed_on: Mapped[dt.date] = mapped_column(Date)
    verify_due: Mapped[dt.date] = mapped_column(Date)
    village_review_due: Mapped[dt.date] = mapped_column(Date)
    township_review_due: Mapped[dt.date] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(String(16))
    result_reason: Mapped[str] = mapped_column(Text, default="")
    result_note: Mapped[str] = mapped_column(Text, default="")
    photo_sha256: Mapped[str | None] = mapped_column(String(64))
    verified_on: Mapped[dt.date | None] = mapped_column(Date)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))  # the township's reviewer
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"))  # the identification it started

    household: Mapped[Household] = relationship()
    warning_list: Mapped[WarningList | None] = relationship()
    campaign: Mapped[Campaign | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    proposal: Mapped[Proposal | None] = relationship()
    rows: Mapped[list[WarningRow]] = relationship(back_populates="clue", order_by="WarningRow.row_number")

    __mapper_args__ = {"version_id_col": version}

    @property
    def due(self) -> dict[str, dt.date]:
        return {"verify": self.verify_due, "village_review": self.village_review_due,
                "township_review": self.township_review_due}


class ClueEvent(db.Model):
    """线索操作记录: one audited change of a clue. A verification sent from a phone carries the
    phone's own id for it (``client_id``), so that sending it again changes nothing."""

    __tablename__ = "clue_event"
    __table_args__ = (
        values_check("action", ACTIONS + (PUSH,), "action_code"),
        CheckConstraint(f"from_state IS NULL OR from_state IN ({', '.join(repr(s) for s in STATES)})",
                        name="from_state_code"),
        CheckConstraint(f"to_state IN ({', '.join(repr(s) for s in STATES)})", name="to_state_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clue_id: Mapped[int] = mapped_column(ForeignKey("clue.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    client_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    at: Mapped[dt.datetime] = created_at_column()

    actor: Mapped[User] = relationship()
