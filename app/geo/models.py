from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.codes import AREA_LEVEL
from app.dbtypes import code_check
from app.extensions import db


class Area(db.Model):
    """An administrative area (行政区划). ``code`` is the 12-digit statistical division code;
    a village group (村民小组), which has no national code, gets its village's code plus
    a 3-digit group number."""

    __tablename__ = "area"
    __table_args__ = (
        code_check(AREA_LEVEL, "level"),
        CheckConstraint(
            "(level = 'group' AND length(code) = 15) OR (level <> 'group' AND length(code) = 12)",
            name="code_length",
        ),
        CheckConstraint("(level = 'county') = (parent_id IS NULL)", name="parent_by_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(15), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    code_year: Mapped[int] = mapped_column(Integer)
    # Villages only: moves on in the same transaction as any change to the village's
    # households, members, records or proposals (app/figures/), so dashboard figures
    # stored at an older version are known to be stale.
    data_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    parent: Mapped[Area | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Area]] = relationship(back_populates="parent", order_by="Area.code")

    @property
    def level_label(self) -> str:
        return AREA_LEVEL.label(self.level)

    def __repr__(self) -> str:
        return f"<Area {self.code} {self.name}>"
