from __future__ import annotations

import datetime as dt

from flask_babel import gettext
from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from app import identity
from app.codes import (
    DISABILITY_CLASS,
    EDUCATION_LEVEL,
    ETHNICITY,
    HEALTH_CONDITION,
    HEALTHY_LABEL,
    HOUSEHOLD_TYPE,
    LABOUR_CAPACITY,
    MONITORED_CATEGORY,
    PENSION_INSURANCE,
    POVERTY_SUBTYPE,
    RELATION,
    SCHOOLING,
    SEX,
    WORK_LOCATION,
)
from app.dbtypes import code_check, created_at_column
from app.extensions import db
from app.geo.models import Area

# Head first, then spouse, then everyone else by age: the order a roster is read in.
RELATION_ORDER = {value: index for index, value in enumerate(RELATION.values)}


SAFETY_NET_WHERE = text("minimum_living_allowance OR extreme_poverty_support")


class Household(db.Model):
    """户: a registered household, keyed by its household number (户编号)."""

    __tablename__ = "household"
    __table_args__ = (
        code_check(HOUSEHOLD_TYPE, "household_type"),
        code_check(POVERTY_SUBTYPE, "poverty_subtype", nullable=True),
        code_check(MONITORED_CATEGORY, "monitored_category", nullable=True),
        CheckConstraint(
            "(household_type = 'out_of_poverty') = (poverty_subtype IS NOT NULL)", name="subtype_iff_out_of_poverty"
        ),
        CheckConstraint("phone IS NULL OR length(phone) = 11", name="phone_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_number: Mapped[str] = mapped_column(String(32), unique=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(11))
    household_type: Mapped[str] = mapped_column(String(32))
    poverty_subtype: Mapped[str | None] = mapped_column(String(32))
    monitored_category: Mapped[str | None] = mapped_column(String(32))
    without_labour: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # 整户无劳动能力
    relocation_site: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # 易地搬迁安置点
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    village: Mapped[Area] = relationship(foreign_keys=[village_id])
    group: Mapped[Area | None] = relationship(foreign_keys=[group_id])
    members: Mapped[list[Member]] = relationship(back_populates="household", cascade="all, delete-orphan")

    @property
    def ordered_members(self) -> list[Member]:
        return sorted(self.members, key=lambda m: (RELATION_ORDER.get(m.relation, 99), m.birth_date, m.id or 0))

    @property
    def head(self) -> Member | None:
        return next((member for member in self.members if member.relation == "head"), None)

    @property
    def household_type_label(self) -> str:
        label = HOUSEHOLD_TYPE.label(self.household_type)
        if self.poverty_subtype:
            return f"{label}（{POVERTY_SUBTYPE.label(self.poverty_subtype)}）"
        return label

    @property
    def monitored_category_label(self) -> str:
        return MONITORED_CATEGORY.label(self.monitored_category)


def _person_key_of_id_number(context) -> str | None:
    return identity.person_key(context.get_current_parameters()["id_number"])


class Member(db.Model):
    """家庭成员: one person of a household. The ID number is unique in the whole database, and
    so is the person: ``person_key`` (identity.person_key, set from the ID number on every
    insert, ORM or Core) is what people are compared by, across households and records."""

    __tablename__ = "member"
    __table_args__ = (
        code_check(SEX, "sex"),
        code_check(ETHNICITY, "ethnicity"),
        code_check(RELATION, "relation"),
        code_check(EDUCATION_LEVEL, "education_level", nullable=True),
        code_check(SCHOOLING, "schooling", nullable=True),
        code_check(DISABILITY_CLASS, "disability_class", nullable=True),
        code_check(LABOUR_CAPACITY, "labour_capacity"),
        code_check(WORK_LOCATION, "work_location", nullable=True),
        code_check(PENSION_INSURANCE, "pension_insurance", nullable=True),
        CheckConstraint("education_level IS NULL OR schooling IS NULL", name="education_or_schooling"),
        CheckConstraint("disability_class IS NULL OR disabled", name="disability_class_when_disabled"),
        CheckConstraint("months_worked IS NULL OR months_worked BETWEEN 0 AND 12", name="months_worked_range"),
        # The few members on a safety net (the circle layers ask which households have one).
        Index("ix_member_safety_net", "household_id", postgresql_where=SAFETY_NET_WHERE, sqlite_where=SAFETY_NET_WHERE),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(20), unique=True)
    person_key: Mapped[str | None] = mapped_column(String(18), index=True, default=_person_key_of_id_number)
    sex: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    ethnicity: Mapped[str] = mapped_column(String(2), default="01", server_default="01")
    relation: Mapped[str] = mapped_column(String(32))
    education_level: Mapped[str | None] = mapped_column(String(32))
    schooling: Mapped[str | None] = mapped_column(String(32))
    chronic_illness: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    serious_illness: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    disability_class: Mapped[str | None] = mapped_column(String(1))
    labour_capacity: Mapped[str] = mapped_column(String(16))
    months_worked: Mapped[int | None] = mapped_column(Integer)
    work_location: Mapped[str | None] = mapped_column(String(32))
    public_welfare_job: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    residents_medical_insurance: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    employees_medical_insurance: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    pension_insurance: Mapped[str | None] = mapped_column(String(16))
    minimum_living_allowance: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # 低保
    extreme_poverty_support: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # 特困供养

    household: Mapped[Household] = relationship(back_populates="members")

    @property
    def health_labels(self) -> list[str]:
        return health_labels(self)

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class RecordPerson(db.Model):
    """成员记录索引: a person listed in a record's current revision, and whether the record
    says they live there (``present``) or moved out or died. Kept in step with every
    record's current revision by app.households.people, so that finding the same person in
    another household's record is an index lookup instead of reading every record's JSON.
    The record's household and campaign (which never change) are copied here so that the
    lookup starts from the person, not from every record of the campaign."""

    __tablename__ = "record_person"

    submission_id: Mapped[str] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True)
    person_key: Mapped[str] = mapped_column(String(18), primary_key=True, index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    present: Mapped[bool] = mapped_column(Boolean)


def health_labels(member) -> list[str]:
    """健康状况 of a member (or a row with the three condition columns): its conditions, or 健康."""
    labels = [HEALTH_CONDITION.label(flag) for flag in ("chronic_illness", "serious_illness", "disabled")
              if getattr(member, flag)]
    return labels or [gettext(HEALTHY_LABEL)]
