"""The read-only engine (RUHU_READ_DATABASE_URL, a replica): reports and exports read through
it, and no write ever goes there.

Two databases of the run's kind (two SQLite files, or two PostgreSQL databases): the primary
holds the demo county with 30 households, the "replica" the same county with 60, and is
opened read-only (as a hot standby is), so that a write sent there fails the test."""
from __future__ import annotations

import csv
import io
import os

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from app import config, create_app
from app.auth.models import User
from app.demo import generator
from app.demo import services as demo
from app.extensions import db, reading
from app.figures.models import VillageFigures
from app.geo.models import Area
from app.households.models import Household
from tests.conftest import Client, _postgres_database

PRIMARY_HOUSEHOLDS, REPLICA_HOUSEHOLDS = 30, 60


def test_the_setting_binds_the_read_engine_and_defaults_to_none(monkeypatch):
    monkeypatch.setenv("RUHU_READ_DATABASE_URL", "postgresql://reader@replica.example:5432/ruhu")
    assert config.load()["SQLALCHEMY_BINDS"] == {"read": "postgresql+psycopg://reader@replica.example:5432/ruhu"}
    monkeypatch.delenv("RUHU_READ_DATABASE_URL")
    assert config.load()["SQLALCHEMY_BINDS"] == {}


def _app(url: str, **settings):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-secret",
                      "PASSWORD_HASH_METHOD": "scrypt:1024:8:1", **settings})
    app.test_client_class = Client  # sends the CSRF token with each form, as a browser does
    return app


def _read_only(url: str) -> str:
    """The same database, opened so that it refuses every write."""
    if url.startswith("sqlite:///"):
        return f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    return f"{url}?options=-c%20default_transaction_read_only%3Don"


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    """(primary URL, replica URL), each migrated and seeded."""
    drops = []
    urls = []
    for households in (PRIMARY_HOUSEHOLDS, REPLICA_HOUSEHOLDS):
        if os.environ.get("RUHU_TEST_DATABASE", "sqlite") == "postgresql":
            url, drop = _postgres_database()
            drops.append(drop)
        else:
            url = f"sqlite:///{tmp_path_factory.mktemp('read-db') / 'db.sqlite3'}"
        app = _app(url)
        with app.app_context():
            upgrade()
            demo.seed(1, households)
            db.engine.dispose()
        urls.append(url)
    yield urls
    for drop in drops:
        drop()


@pytest.fixture
def with_replica(databases):
    primary, replica = databases
    app = _app(primary, SQLALCHEMY_BINDS={"read": _read_only(replica)})
    yield app
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


def _admin_client(app):
    admin = next(login for login in generator.LOGINS if login[2] == "county_admin")[0]
    client = app.test_client()
    assert client.post("/login", data={"username": admin, "password": generator.PASSWORD}).status_code == 302
    return client


def _count(app, bind, statement):
    with app.app_context():
        engine = db.engines[bind] if bind else db.engine
        with engine.connect() as connection:
            return connection.execute(statement).scalar()


def test_the_dashboard_reads_the_replica_and_stores_its_figures_on_the_primary(with_replica):
    response = _admin_client(with_replica).get("/reports/")
    assert response.status_code == 200
    # No village had figures stored: the page counted them from the replica's households and
    # stored the rows on the primary, never on the replica (a write there would have failed).
    with with_replica.app_context(), db.engine.connect() as connection:
        stored = connection.execute(select(VillageFigures.totals)).scalars().all()
    assert sum(totals["households"] for totals in stored) == REPLICA_HOUSEHOLDS
    assert _count(with_replica, "read", select(func.count()).select_from(VillageFigures)) == 0


def test_an_export_reads_the_replica(with_replica):
    response = _admin_client(with_replica).get("/reports/exports/households.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))
    response.close()
    assert response.status_code == 200 and len(rows) == 1 + REPLICA_HOUSEHOLDS


def test_without_a_replica_the_same_pages_read_the_database_itself(databases):
    app = _app(databases[0])
    response = _admin_client(app).get("/reports/exports/households.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))
    response.close()
    assert len(rows) == 1 + PRIMARY_HOUSEHOLDS
    with app.app_context():
        db.engine.dispose()


def test_writes_inside_a_reading_section_go_to_the_primary(with_replica):
    with with_replica.app_context():
        with reading(db.session):
            assert db.session.scalar(select(func.count()).select_from(Household)) == REPLICA_HOUSEHOLDS
            county = db.session.scalar(select(Area).where(Area.level == "county"))
            db.session.add(User(username="written-while-reading", display_name="读时写入", role="county_admin",
                                active=True, password_hash="x", areas=[county]))
            db.session.commit()
            # A row locked to be changed is the primary's.
            locked = db.session.scalar(select(Household.id).order_by(Household.id.desc()).limit(1).with_for_update())
        assert db.session.scalar(select(func.count()).select_from(Household)) == PRIMARY_HOUSEHOLDS
    assert locked <= PRIMARY_HOUSEHOLDS and locked is not None
    named = select(func.count()).select_from(User).where(User.username == "written-while-reading")
    assert _count(with_replica, None, named) == 1
    assert _count(with_replica, "read", named) == 0
