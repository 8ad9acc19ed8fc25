"""Attachments: addressed by SHA-256, chunked, resumable, verified, idempotent; partial
uploads capped per user and expiring."""
import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from sqlalchemy import update

from app import clock
from app.extensions import db
from app.records.models import Attachment
from tests.sync_setup import JPEG, count, field, push, record

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))


@pytest.fixture
def setup(county, login):
    built = field(county)
    built.client = login("enum")
    return built


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put(client, digest, data, content_type="image/jpeg", content_range=None):
    headers = {"X-CSRFToken": client.csrf_token(), "Content-Type": content_type}
    if content_range:
        headers["Content-Range"] = content_range
    return client.put(f"/api/attachments/{digest}", data=data, headers=headers, csrf=False)


def on_disk(app, digest: str) -> list[str]:
    """The files kept for ``digest``, complete or partial."""
    folder = Path(app.instance_path) / "attachments"
    return sorted(path.name for path in folder.glob(f"{digest}*"))


def test_a_whole_file_in_one_request(app, setup):
    response = put(setup.client, sha(JPEG), JPEG)
    assert response.status_code == 200
    assert response.get_json() == {"sha256": sha(JPEG), "received": len(JPEG), "size": len(JPEG), "complete": True}
    assert (Path(app.instance_path) / "attachments" / sha(JPEG)).read_bytes() == JPEG
    assert setup.client.get(f"/api/attachments/{sha(JPEG)}").get_json()["complete"] is True


def test_chunks_resume_after_an_interruption(setup):
    digest, size = sha(PNG), len(PNG)
    assert setup.client.get(f"/api/attachments/{digest}").status_code == 404
    first = put(setup.client, digest, PNG[:100], "image/png", f"bytes 0-99/{size}")
    assert first.get_json() == {"sha256": digest, "received": 100, "size": size, "complete": False}
    # the connection dropped; the phone asks where to continue
    assert setup.client.get(f"/api/attachments/{digest}").get_json()["received"] == 100
    skipped = put(setup.client, digest, PNG[150:], "image/png", f"bytes 150-{size - 1}/{size}")
    assert skipped.status_code == 409 and skipped.get_json()["received"] == 100
    rest = put(setup.client, digest, PNG[100:], "image/png", f"bytes 100-{size - 1}/{size}")
    assert rest.get_json()["complete"] is True


def test_a_wrong_hash_is_refused_and_the_partial_file_discarded(app, setup):
    digest = sha(b"something else")
    response = put(setup.client, digest, JPEG)
    assert response.status_code == 422
    assert response.get_json()["message"] == "文件内容与其 SHA-256 不符，已丢弃，请重新上传。"
    assert setup.client.get(f"/api/attachments/{digest}").status_code == 404
    assert on_disk(app, digest) == [] and count(Attachment) == 0


def test_an_oversized_file_gets_a_clear_message(setup):
    big = b"\xff\xd8\xff" + b"\0" * (5 * 1024 * 1024)
    response = put(setup.client, sha(big), big)
    assert response.status_code == 413
    assert response.get_json()["message"] == "文件超过 5 MB，无法上传；请压缩或重新拍摄后再试。"
    declared = put(setup.client, "b" * 64, JPEG[:10], content_range=f"bytes 0-9/{6 * 1024 * 1024}")
    assert declared.status_code == 413 and count(Attachment) == 0


@pytest.mark.parametrize("data, content_type", [
    (JPEG + b"pdf", "application/pdf"), (JPEG + b"png", "image/png"), (b"GIF89a...", "image/jpeg")])
def test_only_jpeg_and_png_that_are_what_they_claim(app, setup, data, content_type):
    response = put(setup.client, sha(data), data, content_type)
    assert response.status_code == 415
    assert response.get_json()["message"] == "只能上传 JPEG 或 PNG 图片。"
    assert count(Attachment) == 0 and on_disk(app, sha(data)) == []


def test_sending_a_complete_file_again_is_idempotent(setup):
    put(setup.client, sha(JPEG), JPEG)
    again = put(setup.client, sha(JPEG), JPEG)
    assert again.status_code == 200 and again.get_json()["complete"] is True
    assert count(Attachment) == 1


@pytest.mark.parametrize("digest", ["abc", "G" * 64, "A" * 64, "..%2F..%2Fsecret_key" + "0" * 40])
def test_only_a_sha256_names_a_file(setup, digest):
    assert put(setup.client, digest, JPEG).status_code in (400, 404)
    assert setup.client.get(f"/api/attachments/{digest}").status_code in (400, 404)


def test_a_bad_content_range_is_refused(setup):
    assert put(setup.client, sha(JPEG), JPEG[:10], content_range="bytes 0-19/100").status_code == 400
    assert put(setup.client, sha(JPEG), JPEG[:10], content_range="0-9").status_code == 400


def test_a_record_is_complete_when_its_last_file_arrives(setup):
    signature, photo = PNG, JPEG
    files = [{"sha256": sha(signature), "kind": "signature", "size": len(signature), "content_type": "image/png"},
             {"sha256": sha(photo), "kind": "photo", "size": len(photo), "content_type": "image/jpeg"}]
    put(setup.client, sha(photo), photo)  # a file may arrive before its record
    [result] = push(setup.client, record(setup, attachments=files)).get_json()["results"]
    assert (result["complete"], result["missing_attachments"]) == (False, [sha(signature)])

    def state():
        [listed] = setup.client.get("/api/sync/records").get_json()["records"]
        return listed["complete"], listed["missing_attachments"]

    assert state() == (False, [sha(signature)])
    put(setup.client, sha(signature), signature[:50], "image/png", f"bytes 0-49/{len(signature)}")
    assert state() == (False, [sha(signature)])
    put(setup.client, sha(signature), signature[50:], "image/png", f"bytes 50-{len(signature) - 1}/{len(signature)}")
    assert state() == (True, [])


def first_chunk(client, number: int):
    """The first 100 bytes of a PNG no other test has."""
    data = PNG + number.to_bytes(4, "big")
    return put(client, sha(data), data[:100], "image/png", f"bytes 0-99/{len(data)}"), sha(data)


def test_a_user_has_at_most_so_many_files_begun_and_not_finished(app, setup):
    limit = app.config["MAX_PARTIAL_UPLOADS"]
    for number in range(limit):
        assert first_chunk(setup.client, number)[0].status_code == 200
    refused, digest = first_chunk(setup.client, limit)
    assert refused.status_code == 429
    assert refused.get_json()["message"] == f"已有 {limit} 个文件尚未传完，请先传完它们再上传新文件。"
    assert on_disk(app, digest) == [] and count(Attachment) == limit


def test_a_partial_upload_expires_and_the_phone_starts_it_again(app, setup, runner):
    response, digest = first_chunk(setup.client, 1)
    assert response.status_code == 200
    _, kept = first_chunk(setup.client, 2)
    old = clock.now() - dt.timedelta(hours=app.config["PARTIAL_UPLOAD_HOURS"], minutes=1)
    db.session.execute(update(Attachment).where(Attachment.sha256 == digest).values(created_at=old))
    db.session.commit()
    result = runner.invoke(args=["attachments", "expire"])
    assert result.exit_code == 0 and "1 partial uploads removed." in result.output
    assert on_disk(app, digest) == [] and on_disk(app, kept) == [f"{kept}.part"]
    assert setup.client.get(f"/api/attachments/{digest}").status_code == 404


def test_expired_partials_do_not_count_against_the_cap(app, setup):
    limit = app.config["MAX_PARTIAL_UPLOADS"]
    digests = [first_chunk(setup.client, number)[1] for number in range(limit)]
    old = clock.now() - dt.timedelta(hours=app.config["PARTIAL_UPLOAD_HOURS"] + 1)
    db.session.execute(update(Attachment).where(Attachment.sha256 == digests[0]).values(created_at=old))
    db.session.commit()
    assert first_chunk(setup.client, limit)[0].status_code == 200
    assert on_disk(app, digests[0]) == []


def test_a_chunked_upload_over_the_limit_is_refused_without_reading_it_all(setup):
    data = JPEG * (5 * 1024 * 1024 // len(JPEG) + 1)
    response = setup.client.put(f"/api/attachments/{sha(data)}", input_stream=io.BytesIO(data), csrf=False,
                                headers={"X-CSRFToken": setup.client.csrf_token(), "Content-Type": "image/jpeg",
                                         "Transfer-Encoding": "chunked"},
                                environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413
    assert response.get_json()["message"] == "文件超过 5 MB，无法上传；请压缩或重新拍摄后再试。"
    assert count(Attachment) == 0
