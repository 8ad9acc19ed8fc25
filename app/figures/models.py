"""Stored village figures, and the village data version that tells when they are stale
(see app/figures/__init__.py)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from itertools import chain

from sqlalchemy import JSON, BigInteger, Date, DateTime, ForeignKey, Integer, String, inspect, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import db
from app.geo.models import Area
from app.households.models import Household, Member
from app.monitoring.models import AssessmentDecision, Proposal
from app.records.models import Submission


class VillageFigures(db.Model):
    """One village's dashboard counts in one campaign, split by group, as they were at the
    village's ``data_version``. A cache: deleting every row loses nothing."""

    __tablename__ = "village_figures"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), primary_key=True)
    data_version: Mapped[int] = mapped_column(Integer)
    layer_threshold_fen: Mapped[int | None] = mapped_column(BigInteger)  # the village's line; None: none set
    # {group id, or "" for households in no group: Counts.to_json()}
    figures: Mapped[dict] = mapped_column(JSON)
    totals: Mapped[dict] = mapped_column(JSON)  # Counts.to_json() over the whole village
    counted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class VillageMonthFigure(db.Model):
    """One village's figure of a month for a measure counted by a package above (registered
    with ``app.figures.monthly.register``: the ranking's overdue visits), as it was at the
    village's ``data_version``. A cache: deleting every row loses nothing."""

    __tablename__ = "village_month_figure"

    measure: Mapped[str] = mapped_column(String(32), primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)  # its first day
    data_version: Mapped[int] = mapped_column(Integer)
    value: Mapped[int] = mapped_column(Integer)
    counted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


# Where a session keeps the villages its writes changed (a set of ids, or ALL_VILLAGES), so
# that their figures are counted again once the response has gone (app.figures.init_app).
CHANGED_VILLAGES = "ruhu.changed_villages"
ALL_VILLAGES = "all"


def mark_changed(village_ids=None, *, household_ids=(), submission_ids=(), session: Session | None = None) -> None:
    """Move on the data version of these villages, of the villages of these households and
    records, or of every village (``village_ids`` None), and note them in the session.
    Writes that bypass the ORM (bulk Core statements) call this themselves; ORM writes are
    seen by ``note_changed_villages``."""
    session = session or db.session()
    areas = Area.__table__
    if village_ids is None:
        which = areas.c.level == "village"
    else:
        households = select(Household.village_id).where(or_(
            Household.id.in_(list(household_ids)),
            Household.id.in_(select(Submission.household_id).where(Submission.id.in_(list(submission_ids))))))
        which = or_(areas.c.id.in_(list(village_ids)), areas.c.id.in_(households))
    changed = session.connection().execute(
        update(areas).where(which).values(data_version=areas.c.data_version + 1).returning(areas.c.id)).scalars()
    noted = session.info.get(CHANGED_VILLAGES, set())
    if village_ids is None or noted == ALL_VILLAGES:
        session.info[CHANGED_VILLAGES] = ALL_VILLAGES
    else:
        session.info[CHANGED_VILLAGES] = noted | set(changed)


# Models of the packages above whose changes move villages' versions too (figures sits below
# them, so they say so themselves with ``track``): model → (session, instance) → the villages
# and the households the change touches.
Touched = Callable[[Session, object], tuple[Iterable[int], Iterable[int]]]
TRACKED: dict[type, Touched] = {}


def now_and_before(instance, attribute) -> list:
    """An attribute's value now and, when this flush changed it, before."""
    return [getattr(instance, attribute), *inspect(instance).attrs[attribute].history.deleted]


def of_household(_session, instance) -> tuple[Iterable[int], Iterable[int]]:
    """What a row with a ``household_id`` touches: its household (before a move as well)."""
    return (), now_and_before(instance, "household_id")


def track(model: type, touched: Touched = of_household) -> None:
    """Let every flushed change to ``model`` move the versions of the villages it touches."""
    TRACKED[model] = touched


def note_changed_villages(session, _context) -> None:
    """Every flushed change to a household, member, record, proposal or assessment, or to a
    model ``track`` was told of, moves its village's data version on (the village before a
    move as well as after). An ``after_flush`` hook on every session, registered by
    ``app.figures.init_app``."""
    villages, households, submissions = set(), set(), set()
    for instance in chain(session.new, session.dirty, session.deleted):
        touched = TRACKED.get(type(instance))
        if touched is not None:
            found_villages, found_households = touched(session, instance)
            villages.update(found_villages)
            households.update(found_households)
        elif isinstance(instance, Household):
            villages.update(now_and_before(instance, "village_id"))
        elif isinstance(instance, (Member, Submission, Proposal)):
            households.update(now_and_before(instance, "household_id"))
        elif isinstance(instance, AssessmentDecision):
            submissions.add(instance.submission_id)
    villages.discard(None)
    households.discard(None)
    if villages or households or submissions:
        mark_changed(villages, household_ids=households, submission_ids=submissions, session=session)
