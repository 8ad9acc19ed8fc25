"""When the database cannot be reached, every request answers 503 with a message and a
Retry-After, not 500: the phone keeps its records and tries again, an office user reads
that the service is briefly unavailable."""
import pytest
from sqlalchemy import event

from app.extensions import db
from tests.sync_setup import field, record


@pytest.fixture
def unreachable(app):
    """Sign-ins done before; from here every new connection fails as a stopped server's does."""

    def refuse(*_args, **_kwargs):
        raise db.engine.dialect.loaded_dbapi.OperationalError("connection refused")

    def cut():
        db.session.remove()
        db.engine.dispose()
        event.listen(db.engine, "do_connect", refuse)

    def restore():
        if event.contains(db.engine, "do_connect", refuse):
            event.remove(db.engine, "do_connect", refuse)

    cut.restore = restore
    yield cut
    restore()


def test_a_push_while_the_database_is_down_answers_503_and_the_next_one_is_stored(county, login, unreachable):
    built = field(county)
    client = login("enum")
    body = {"records": [record(built)]}
    unreachable()
    response = client.post("/api/sync/records", json=body)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "数据库" in response.get_json()["message"]
    page = client.get("/review/")
    assert page.status_code == 503 and "数据库" in page.get_data(as_text=True)
    unreachable.restore()
    again = client.post("/api/sync/records", json=body)
    assert again.status_code == 200 and again.get_json()["results"][0]["result"] == "created"
