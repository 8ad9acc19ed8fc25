"""A reviewer on a phone (393 px wide) prepares an export, follows its job until it is done
and downloads it; a page left open on a queued job moves on by itself once the worker has run it."""
import re

from playwright.sync_api import Page, expect

from app.auth.models import User
from app.extensions import db
from app.jobs import services
from app.jobs.models import Job
from app.reports.jobs import EXPORT_JOB, export_params
from tests.browser.test_sign_in import sign_in


def fits_the_screen(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_reviewer_prepares_an_export_and_downloads_it(page: Page, world):
    sign_in(page, "reviewer")
    page.goto("/reports/exports")
    fits_the_screen(page)
    page.get_by_label("格式").first.select_option("csv")
    page.get_by_role("button", name=re.compile("^生成导出：农户")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("数据导出")
    expect(page.get_by_role("status")).to_have_text("已完成")  # tests run jobs as they are asked for
    fits_the_screen(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载文件").click()
    assert download.value.suggested_filename == "households-2026.csv"

    page.get_by_role("link", name="我的后台作业").click()
    expect(page.get_by_role("link", name="下载")).to_be_visible()
    fits_the_screen(page)


def test_a_page_left_open_on_a_queued_job_shows_it_done_once_the_worker_ran_it(page: Page, world, app):
    reviewer = db.session.scalar(db.select(User).where(User.username == "reviewer"))
    # Queued as ask() queues it, but not handed to a queue: the test is the worker.
    job = Job(kind=EXPORT_JOB, owner_id=reviewer.id, scope=services.scope_of(reviewer),
              params=export_params("members", "xlsx", "en", None), state="queued", active_key="k" * 64, rows_done=0)
    db.session.add(job)
    db.session.commit()
    sign_in(page, "reviewer")
    page.get_by_role("button", name="English").click()
    page.goto(f"/jobs/{job.id}")
    expect(page.get_by_role("status")).to_have_text("Queued")
    expect(page.get_by_label("Progress")).to_be_visible()
    fits_the_screen(page)

    with app.app_context():
        services.run(job.id)
    expect(page.get_by_role("status")).to_have_text("Done", timeout=10_000)  # polled, then the page reloaded
    expect(page.get_by_role("link", name="Download the file")).to_be_visible()
    expect(page.get_by_text("3 of 3 rows done")).to_be_visible()
