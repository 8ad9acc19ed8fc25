"""Writes the demo county into an empty database, in bulk, and reads its logins back.

Households are written in chunks, a commit per chunk, as plain rows (no ORM objects), so
200,000 households take bounded memory. PostgreSQL gets the rows by COPY, several times
faster than executemany (docs/benchmarks.md, "Measurements behind code choices"); SQLite
gets executemany.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice

from sqlalchemy import exists, insert, select, text
from sqlalchemy.orm import selectinload

from app import identity
from app.auth.models import User
from app.campaigns.models import Assignment, Campaign, MonitoringThreshold
from app.demo import generator
from app.extensions import db
from app.geo.models import Area
from app.households.models import Household, Member
from app.monitoring import services as monitoring

CHUNK_SIZE = 2000


class DatabaseNotEmpty(Exception):
    """Demo data goes only into an empty database: two counties must never mix."""


@dataclass(frozen=True)
class SeedResult:
    households: int
    members: int


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    areas: tuple[str, ...]


def is_empty() -> bool:
    """No area and no user yet."""
    return not db.session.scalar(select(exists(select(Area.id)) | exists(select(User.id))))


def seed(seed: int, household_count: int, *, chunk_size: int = CHUNK_SIZE,
         on_progress: Callable[[int], None] | None = None) -> SeedResult:
    """Generate the county for ``seed`` and write it; ``on_progress`` hears the running
    household count after each chunk."""
    if not is_empty():
        raise DatabaseNotEmpty
    plan, households = generator.generate(seed, household_count)
    area_ids = _write_areas(plan)
    users = _write_users(plan, area_ids)
    campaign = _write_campaign(plan, area_ids)
    db.session.commit()
    enumerator_id = next(users[login.username] for login in plan.logins if login.role == "enumerator")
    county_admin = db.session.get(User, next(users[login.username] for login in plan.logins
                                             if login.role == "county_admin"))
    assigned = plan.assigned_village_codes
    written = members = 0
    while chunk := list(islice(households, chunk_size)):
        household_rows, member_lists = [], []
        for household in chunk:
            row = dict(household)
            member_lists.append(row.pop("members"))
            row["village_id"] = area_ids[row.pop("village_code")]
            row["group_id"] = area_ids[row.pop("group_code")]
            household_rows.append(row)
        household_ids = _insert_households(household_rows)
        # PostgreSQL's COPY passes the column default by: the person key is given here.
        member_rows = [{**member, "household_id": household_id, "person_key": identity.person_key(member["id_number"])}
                       for household_id, member_list in zip(household_ids, member_lists) for member in member_list]
        _insert_many(Member, member_rows)
        assignments = [{"campaign_id": campaign.id, "household_id": household_id, "enumerator_id": enumerator_id}
                       for household_id, household in zip(household_ids, chunk)
                       if household["village_code"] in assigned]
        if assignments:
            _insert_many(Assignment, assignments)
        # Monitored households enter as the roster import enters the national system's: an
        # approved identification with its event, decided some months before the census.
        monitored = [(household_id, household["monitored_category"], _monitored_since(written + index))
                     for index, (household_id, household) in enumerate(zip(household_ids, chunk))
                     if household["monitored_category"]]
        if monitored:
            monitoring.enter_from_national_system(county_admin, monitored)
        db.session.commit()
        written += len(chunk)
        members += len(member_rows)
        if on_progress:
            on_progress(written)
    return SeedResult(written, members)


def _monitored_since(index: int) -> dt.date:
    """The national system's decision day for the ``index``-th household: spread over the
    three years before the census, the same for a seed every time."""
    return generator.REFERENCE_DATE - dt.timedelta(days=30 + index * 37 % 1000)


def _on_postgresql() -> bool:
    return db.session.connection().dialect.name == "postgresql"


def _bulk(model):
    """A bulk INSERT that sends NULLs as NULLs: by default the ORM leaves out None values,
    which splits the rows into many small batches by the set of columns present."""
    return insert(model).execution_options(render_nulls=True)


def _insert_households(rows: list[dict]) -> list[int]:
    """Insert and return the new ids in row order (the members need them)."""
    if not _on_postgresql():
        return db.session.scalars(_bulk(Household).returning(Household.id, sort_by_parameter_order=True), rows).all()
    ids = db.session.scalars(text("SELECT nextval(pg_get_serial_sequence('household', 'id')) "
                                  "FROM generate_series(1, :count)"), {"count": len(rows)}).all()
    _insert_many(Household, [{**row, "id": household_id} for row, household_id in zip(rows, ids)])
    return ids


def _insert_many(model, rows: list[dict]) -> None:
    """Insert rows whose ids nobody needs back, in the session's transaction."""
    if not _on_postgresql():
        db.session.execute(_bulk(model), rows)
        return
    columns = list(rows[0])
    with db.session.connection().connection.cursor() as cursor, \
            cursor.copy(f"COPY {model.__tablename__} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


def _write_areas(plan: generator.CountyPlan) -> dict[str, int]:
    areas: dict[str, Area] = {}
    for spec in plan.areas:  # parents come before their children
        areas[spec.code] = Area(code=spec.code, name=spec.name, level=spec.level,
                                parent=areas.get(spec.parent_code), code_year=generator.CODE_YEAR)
    db.session.add_all(areas.values())
    db.session.flush()
    return {code: area.id for code, area in areas.items()}


def _write_users(plan: generator.CountyPlan, area_ids: dict[str, int]) -> dict[str, int]:
    users = []
    for login in plan.logins:
        user = User(username=login.username, display_name=login.display_name, role=login.role, active=True,
                    locale=None)
        user.set_password(generator.PASSWORD)
        user.areas = [db.session.get(Area, area_ids[code]) for code in login.area_codes]
        users.append(user)
    db.session.add_all(users)
    db.session.flush()
    return {user.username: user.id for user in users}


def _write_campaign(plan: generator.CountyPlan, area_ids: dict[str, int]) -> Campaign:
    campaign = Campaign(**plan.campaign)
    campaign.thresholds = [MonitoringThreshold(kind=kind, year=year, area_id=area_ids[code], amount_fen=amount)
                           for kind, year, code, amount in plan.thresholds]
    db.session.add(campaign)
    db.session.flush()
    return campaign


def demo_logins() -> list[DemoLogin]:
    """The demo logins present in this database and still using the demo password, in role
    order. A real database that happens to have a user called ``admin`` shows nothing."""
    order = [username for username, *_ in generator.LOGINS]
    users = db.session.scalars(
        select(User).where(User.username.in_(order), User.active).options(selectinload(User.areas))
    ).all()
    users = sorted((user for user in users if user.check_password(generator.PASSWORD)),
                   key=lambda user: order.index(user.username))
    return [DemoLogin(user.username, generator.PASSWORD, user.role, tuple(area.name for area in user.areas))
            for user in users]
