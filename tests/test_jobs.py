"""Background jobs (app/jobs): an export asked for on the page runs as a job with its progress,
is the owner's only, waits as a download until it expires, says why when it fails, is never
queued twice for the same thing, and a queued job survives a new worker.

Jobs run for real: the test app runs each in Huey's immediate mode (the worker's own task,
as it is asked for); ``queued_app`` keeps them queued in a SQLite Huey file, and a real
consumer runs them."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.jobs import services
from app.jobs.models import Job
from app.jobs.services import queue_of
from tests import factories
from tests.jobs_setup import queued_app as queued_app  # noqa: F401  (the fixture)
from tests.jobs_setup import run_a_consumer_until
from tests.test_exports import bare_get, read_csv, read_xlsx_bytes, signed_in
from tests.test_exports import setup as setup  # noqa: F401  (the fixture: villages A and B with records)


def prepare(client, name="households", file_format="csv", headers="zh"):
    return client.post(f"/reports/exports/{name}", data={"format": file_format, "headers": headers})


def job_id_of(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_an_export_job_shows_its_progress_and_its_file_is_the_streamed_export(setup, app, monkeypatch):
    written = []
    original = services.Progress._write
    monkeypatch.setattr(services, "PROGRESS_EVERY_ROWS", 1)
    monkeypatch.setattr(services.Progress, "_write", lambda self, **values: (written.append(values),
                                                                               original(self, **values)))
    reviewer = signed_in(app, setup.reviewer)
    job_id = job_id_of(prepare(reviewer))

    # the total first, then every row as it is written (village A's two households), then the end
    assert written == [{"rows_total": 2}, {"rows_done": 1}, {"rows_done": 2}, {"rows_done": 2}]
    assert reviewer.get(f"/jobs/{job_id}/status").get_json() == {
        "state": "done", "state_label": "已完成", "rows_done": 2, "rows_total": 2, "progress_text": "已处理 2 / 2 行",
        "finished": True}
    page = reviewer.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert f'href="/jobs/{job_id}/download"' in page and "农户 · CSV · 中文表头" in page
    download = reviewer.get(f"/jobs/{job_id}/download")
    assert download.headers["Content-Disposition"] == "attachment; filename=households-2026.csv"
    assert read_csv(download) == read_csv(reviewer.get("/reports/exports/households.csv"))
    assert f'/jobs/{job_id}/download' in reviewer.get("/jobs").get_data(as_text=True)


@pytest.mark.parametrize("role", ["village_reviewer", "township_approver", "county_approver", "county_admin"])
def test_an_export_jobs_file_downloads_whole_to_a_bare_client_for_every_role_allowed(setup, app, role):
    """As a real server runs it: no application context of the test's around the answer."""
    area = {"village_reviewer": setup.county.village_a, "township_approver": setup.county.township_1}.get(
        role, setup.county.county)
    user = factories.user(f"bare-{role}", role, [area])
    db.session.commit()
    job_id = job_id_of(prepare(signed_in(app, user), "register", "xlsx"))
    status, body = bare_get(app, user.get_id(), f"/jobs/{job_id}/download")
    assert status == 200, body[:300]
    assert read_xlsx_bytes(body)[0][0]


def test_the_jobs_page_is_titled_for_every_kind_of_job_not_only_exports(setup, app):
    """It lists imports and draws beside exports: its title, its links and its empty state say
    "background jobs", in both languages."""
    reviewer = signed_in(app, setup.reviewer)
    empty = reviewer.get("/jobs").get_data(as_text=True)
    assert "<title>我的后台作业" in empty and "<h1>我的后台作业</h1>" in empty and "还没有后台作业。" in empty
    job_id = job_id_of(prepare(reviewer))
    for page in (reviewer.get("/jobs"), reviewer.get(f"/jobs/{job_id}"), reviewer.get("/reports/exports")):
        text = page.get_data(as_text=True)
        assert "我的后台作业" in text and "我的导出" not in text
    reviewer.post("/locale", data={"locale": "en"})
    listed = reviewer.get("/jobs").get_data(as_text=True)
    assert "<h1>My background jobs</h1>" in listed and "My exports" not in listed


def test_an_xlsx_job_with_english_headers(setup, app):
    admin = signed_in(app, setup.admin)
    job_id = job_id_of(prepare(admin, "members", "xlsx", "en"))
    download = admin.get(f"/jobs/{job_id}/download")
    rows = read_xlsx_bytes(download.get_data())
    download.close()
    assert rows[0][0] == "Household number"
    assert rows == read_xlsx_bytes(admin.get("/reports/exports/members.xlsx?headers=en").get_data())
    assert download.headers["Content-Disposition"] == "attachment; filename=members.xlsx"


def test_another_users_job_answers_404_and_so_does_ones_own_after_ones_areas_change(setup, app):
    job_id = job_id_of(prepare(signed_in(app, setup.reviewer)))
    other = signed_in(app, setup.reviewer_b)
    for url in (f"/jobs/{job_id}", f"/jobs/{job_id}/status", f"/jobs/{job_id}/download"):
        assert other.get(url).status_code == 404
    assert f"/jobs/{job_id}" not in other.get("/jobs").get_data(as_text=True)

    reviewer = db.session.merge(setup.reviewer)
    reviewer.areas = [setup.county.village_b]  # the file holds village A, which they no longer cover
    db.session.commit()
    assert signed_in(app, setup.reviewer).get(f"/jobs/{job_id}/download").status_code == 404


def test_an_enumerator_may_not_ask_for_an_export_job(setup, app):
    assert prepare(signed_in(app, setup.enumerator)).status_code == 403
    assert db.session.scalar(select(Job)) is None


def test_a_bad_format_is_refused_and_nothing_is_queued(setup, app):
    assert prepare(signed_in(app, setup.reviewer), file_format="pdf").status_code == 400
    assert db.session.scalar(select(Job)) is None


def test_a_failed_job_says_why_in_the_users_language_and_may_be_asked_again(setup, app, monkeypatch, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")  # where the files should go is a file: the disk refuses the export
    monkeypatch.setitem(app.config, "JOBS_DIR", str(blocked))
    reviewer = signed_in(app, setup.reviewer)
    job_id = job_id_of(prepare(reviewer))
    assert reviewer.get(f"/jobs/{job_id}/status").get_json()["state"] == "failed"
    assert "作业失败：作业意外中断。请重新发起；若仍失败，请联系管理员。" in reviewer.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert reviewer.get(f"/jobs/{job_id}/download").status_code == 409
    reviewer.post("/locale", data={"locale": "en"})
    assert "The job was interrupted" in reviewer.get(f"/jobs/{job_id}").get_data(as_text=True)

    monkeypatch.setitem(app.config, "JOBS_DIR", str(tmp_path / "jobs"))
    again = job_id_of(prepare(reviewer))
    assert again != job_id and reviewer.get(f"/jobs/{again}/status").get_json()["state"] == "done"


def test_a_finished_export_expires_after_the_keeping_days_and_its_file_is_removed(setup, app, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_KEEP_DAYS", 0)  # kept for no time: expired once finished
    reviewer = signed_in(app, setup.reviewer)
    job_id = job_id_of(prepare(reviewer))
    job = db.session.get(Job, job_id)
    path = services.jobs_dir() / job.result_path
    assert path.exists()

    answer = reviewer.get(f"/jobs/{job_id}/download")
    assert answer.status_code == 410 and "文件已过保留期限并已删除，请重新导出。" in answer.get_data(as_text=True)
    assert services.expire_finished() == 1
    assert not path.exists()
    db.session.expire_all()
    assert (db.session.get(Job, job_id).state, db.session.get(Job, job_id).result_path) == ("expired", None)
    assert "已过期" in reviewer.get("/jobs").get_data(as_text=True)


# A real queue: jobs wait in a SQLite Huey file until a consumer runs them -------------------------------------------

def test_a_queued_job_survives_a_new_worker_and_is_never_queued_twice(setup, queued_app):
    web = queued_app()
    reviewer = signed_in(web, setup.reviewer)
    job_id = job_id_of(prepare(reviewer))
    assert reviewer.get(f"/jobs/{job_id}/status").get_json()["state"] == "queued"
    assert "排队中" in reviewer.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert job_id_of(prepare(reviewer)) == job_id  # asking again finds the job on its way
    assert job_id_of(prepare(reviewer, file_format="xlsx")) != job_id  # another file is another job
    assert len(queue_of(web).huey) == 2

    restarted = queued_app()  # the server restarted: a new app and a new consumer on the same queue
    assert run_a_consumer_until(restarted, job_id) == "done"
    assert read_csv(reviewer.get(f"/jobs/{job_id}/download"))[1][0] == "A-1"
    assert job_id_of(prepare(reviewer)) != job_id  # finished: asking again makes a new file


def test_a_job_claimed_once_is_not_run_again(setup, queued_app):
    web = queued_app()
    job_id = job_id_of(prepare(signed_in(web, setup.reviewer)))
    runs = []
    kind = services.KINDS["export"]
    services.KINDS["export"] = services.Kind(kind.name, kind.label, lambda job, progress: (
        runs.append(job.id), kind.run(job, progress))[1], kind.right, kind.describe)
    try:
        threads = [threading.Thread(target=_run_in_context, args=(web, job_id)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        services.KINDS["export"] = kind
    assert runs == [job_id]
    assert db.session.get(Job, job_id).state == "done"


def _run_in_context(app, job_id: int) -> None:
    with app.app_context():
        services.run(job_id)


def test_a_job_whose_campaign_is_gone_fails_with_the_reason(setup, queued_app):
    web = queued_app()
    reviewer = signed_in(web, setup.reviewer)
    job_id = job_id_of(prepare(reviewer))
    job = db.session.get(Job, job_id)
    job.params = {**job.params, "campaign": setup.campaign.id + 1000}
    db.session.commit()
    assert run_a_consumer_until(queued_app(), job_id) == "failed"
    assert "该普查批次已不存在，无法导出。" in reviewer.get(f"/jobs/{job_id}").get_data(as_text=True)


def test_a_job_that_cannot_be_queued_says_so(setup, queued_app):
    unreachable = queued_app(REDIS_URL="redis://127.0.0.1:9/0")  # no Redis answers on port 9
    reviewer = signed_in(unreachable, setup.reviewer)
    job_id = job_id_of(prepare(reviewer))
    assert "作业无法加入队列，请稍后再试。" in reviewer.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert db.session.get(Job, job_id).active_key is None


def test_a_job_left_running_by_a_dead_worker_gives_way_when_asked_again(setup, queued_app):
    web = queued_app()
    reviewer = signed_in(web, setup.reviewer)
    job_id = job_id_of(prepare(reviewer))
    db.session.execute(update(Job).where(Job.id == job_id).values(  # a worker took it two hours ago and died
        state="running", started_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)))
    db.session.commit()
    again = job_id_of(prepare(reviewer))
    assert again != job_id
    assert "作业运行时中断（服务器可能已重启），请重新发起。" in reviewer.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert reviewer.get(f"/jobs/{again}/status").get_json()["state"] == "queued"


def test_the_database_holds_one_unfinished_job_per_thing(app_context):
    from sqlalchemy.exc import IntegrityError

    db.session.add_all([Job(kind="export", scope="", params={}, state="queued", active_key="k" * 64, rows_done=0),
                        Job(kind="export", scope="", params={}, state="running", active_key="k" * 64, rows_done=0)])
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add_all([Job(kind="export", scope="", params={}, state=state, rows_done=0)  # finished: no key
                        for state in ("done", "failed", "done")])
    db.session.commit()
