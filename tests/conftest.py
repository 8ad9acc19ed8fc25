"""Test set-up: one real database per run, schema made by the migrations.

RUHU_TEST_DATABASE=sqlite (default) uses a fresh SQLite file; RUHU_TEST_DATABASE=postgresql
creates a fresh database on the server at RUHU_TEST_PG_URL (default 127.0.0.1:5432) and
drops it at the end. Every test starts from empty tables.
"""
from __future__ import annotations

import atexit
import os
import secrets
import shutil
import tempfile
import time
import uuid

# Before the app is imported: tests never write into the developer's instance/ folder.
os.environ["RUHU_INSTANCE_DIR"] = tempfile.mkdtemp(prefix="ruhu-test-instance-")
atexit.register(shutil.rmtree, os.environ["RUHU_INSTANCE_DIR"], True)

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import create_app
from app.extensions import db
from tests import factories

PG_ADMIN_URL = os.environ.get("RUHU_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _postgres_database():
    import psycopg

    name = f"ruhu_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    url = f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)

    def drop():
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url, drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    kind = os.environ.get("RUHU_TEST_DATABASE", "sqlite")
    if kind == "postgresql":
        url, drop = _postgres_database()
        yield url
        drop()
    elif kind == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        raise pytest.UsageError(f"RUHU_TEST_DATABASE must be sqlite or postgresql, not {kind!r}")


class Client(FlaskClient):
    """A test client that sends a valid CSRF token with every form post, as a browser would
    after loading the page. Pass ``csrf=False`` to post without one."""

    def open(self, *args, csrf: bool = True, **kwargs):
        # A fresh application context per request, as in production: a test holding one open
        # (to build data) must not leak ``g`` or the database session into the request.
        with self.application.app_context():
            return self._open(*args, csrf=csrf, **kwargs)

    def _open(self, *args, csrf: bool, **kwargs):
        method = kwargs.get("method", "GET").upper()
        data = kwargs.get("data")
        if csrf and method in {"POST", "PUT", "PATCH", "DELETE"}:
            if "json" in kwargs:  # scripts send the token in a header
                kwargs["headers"] = {"X-CSRFToken": self.csrf_token(), **kwargs.get("headers", {})}
            elif data is None or isinstance(data, dict):
                kwargs["data"] = {"csrf_token": self.csrf_token(), **(data or {})}
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", secrets.token_hex(20))
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)


@pytest.fixture(scope="session")
def app(database_url):
    # Still scrypt, at a cost low enough for hundreds of sign-ins per run.
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret",
                      "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
                      # Jobs run as they are asked for, through the worker's own task (tests/test_jobs.py
                      # also runs a real consumer).
                      "JOBS_IMMEDIATE": True})
    app.test_client_class = Client
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables(request):
    """Each test starts from empty tables (only when the test uses the app)."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        tables = [table.name for table in reversed(db.metadata.sorted_tables)]
        for attempt in range(5):
            try:
                with db.engine.begin() as connection:
                    if connection.dialect.name == "postgresql":
                        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
                    else:
                        for table in tables:
                            connection.execute(text(f"DELETE FROM {table}"))
                return
            except OperationalError:
                # A request a closed browser page sent late can deadlock with TRUNCATE on
                # PostgreSQL; PostgreSQL aborts one side, so the emptying is tried again.
                if attempt == 4:
                    raise
                time.sleep(0.5)


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def county(app_context):
    """A small county: 2 townships, 3 villages, groups in two of them (see factories.county)."""
    return factories.county()


@pytest.fixture
def login(client):
    def sign_in(username: str, password: str = factories.PASSWORD):
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, response.data.decode()
        return client

    return sign_in
