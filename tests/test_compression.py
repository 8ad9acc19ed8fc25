"""The app compresses what it sends (flask-compress), since gunicorn does not and the
embedded default has no nginx in front: the households' forms a phone pulls, the app shell and its
modules. Exports stream uncompressed, their first rows leaving at once."""
import gzip
import zlib

import brotli
import pytest
from backports import zstd

from app.files import tables, xlsx
from tests import factories
from tests.sync_setup import field

CHROMIUM = {"Accept-Encoding": "gzip, deflate, br, zstd"}  # what Chromium 156 asks for
GZIP_ONLY = {"Accept-Encoding": "gzip"}
DECODE = {"gzip": gzip.decompress, "deflate": zlib.decompress, "br": brotli.decompress, "zstd": zstd.decompress}


@pytest.fixture
def setup(county):
    built = field(county)
    built.admin = factories.user("admin", "county_admin", [county.county])
    return built


def signed_in(app, user):
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": factories.PASSWORD})
    return client


def fetch(client, url: str, headers=None) -> tuple[str | None, bytes, dict]:
    """The body as it travelled, decoded; with the encoding it travelled in."""
    with client.get(url, headers=headers or {}) as response:
        assert response.status_code == 200, url
        encoding = response.headers.get("Content-Encoding")
        body = response.get_data()
        return encoding, DECODE[encoding](body) if encoding else body, dict(response.headers) | {"size": len(body)}


@pytest.mark.parametrize("accept", [CHROMIUM, GZIP_ONLY], ids=["chromium", "gzip-only"])
def test_what_the_phone_downloads_is_compressed(app, setup, accept):
    client = signed_in(app, setup.enumerator)
    # The households' forms are the large answer (two households' list is below flask-compress's minimum).
    forms = f"/api/sync/households/forms?ids={setup.household.id},{setup.second.id}"
    for url in (forms, "/app", "/sw.js", "/static/js/app.js",
                "/static/css/app.css", f"/census/forms/{setup.campaign.form_version}.json?locale=zh_Hans"):
        _, plain, _ = fetch(client, url)
        encoding, decoded, headers = fetch(client, url, accept)
        assert encoding in accept["Accept-Encoding"].split(", "), url
        assert decoded == plain, url
        assert headers["size"] < len(plain), url
        assert "Accept-Encoding" in headers["Vary"], url


@pytest.mark.parametrize("url", ["/static/js/app.js", "/api/sync/households"])
def test_what_the_phone_has_is_revalidated_without_being_sent_again(app, setup, url):
    """The phone sends back the ETag of the compressed answer (static/js/sync/engine.js keeps
    the households' one): unchanged, the answer is a 304."""
    client = signed_in(app, setup.enumerator)
    _, _, headers = fetch(client, url, CHROMIUM)
    with client.get(url, headers={**CHROMIUM, "If-None-Match": headers["ETag"]}) as response:
        assert response.status_code == 304


@pytest.mark.parametrize(("file_format", "start"), [("csv", "\ufeff户编号".encode()), ("xlsx", b"PK")])
def test_exports_stream_uncompressed_and_their_first_rows_leave_at_once(app, setup, monkeypatch, file_format, start):
    monkeypatch.setattr(tables, "CHUNK_ROWS", 1)
    monkeypatch.setattr(xlsx, "CHUNK_ROWS", 1)
    response = signed_in(app, setup.admin).get(f"/reports/exports/households.{file_format}", headers=CHROMIUM,
                                               buffered=False)
    assert "Content-Encoding" not in response.headers
    chunks = (chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in response.response)
    first = next(chunk for chunk in chunks if chunk)
    rest = b"".join(chunks)
    response.close()
    assert first.startswith(start) and rest  # the file began before it was all written
