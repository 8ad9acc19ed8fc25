"""A department's warning, in real browsers: the county uploads a medical-insurance list; the
enumerator's phone, offline, shows the task and records a risk found with a photo; it syncs
(the photo first, then the result); the village sees the photo and
judges it (the household is proposed for identification, channel "department warning") and
the township closes it; the feedback file shows the result."""
import re
import time
from types import SimpleNamespace

from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app import clock
from app.auth.models import User
from app.campaigns.models import Campaign
from app.clues.models import Clue
from app.extensions import db
from app.monitoring.models import Proposal
from app.records.models import Attachment
from tests import factories
from tests.browser.test_identification import desk
from tests.browser.test_offline import open_app, png, sync_settled
from tests.browser.test_sign_in import sign_in
from tests.clue_setup import county_admin, csv_bytes
from tests.clue_setup import run as clue_run
from tests.monitoring_setup import approved_record


def test_a_department_warning_from_the_list_to_the_feedback(page: Page, browser: Browser, base_url: str, county,
                                                            world, app, tmp_path, page_errors):
    page_errors.expect(r"status of 404 .*/api/attachments/[0-9a-f]{64}")  # the photo: nothing received yet
    # A-0001 has an approved census record with its consent signed (a proposal rests on it).
    campaign = db.session.scalar(select(Campaign))
    enumerator = db.session.scalar(select(User).where(User.username == "enum"))
    reviewer = db.session.scalar(select(User).where(User.username == "reviewer"))
    approved_record(app, SimpleNamespace(county=county, campaign=campaign, enumerator=enumerator),
                    world, reviewer)
    county_admin(county)
    db.session.commit()
    factories.user("township", "township_approver", [county.township_1])

    # The county uploads the list; the household's head is on it.
    head = world.ordered_members[0]
    listed = tmp_path / "医保预警.csv"
    listed.write_bytes(csv_bytes([[head.id_number.lower(), "Wang Wu", "住院自付费用高", "2026-06-03", "23456.70", ""]]))
    office = desk(browser, base_url, "admin")
    office.goto("/clues/upload")
    office.get_by_label("预警部门").select_option("medical_insurance")
    office.get_by_label("预警名单文件（XLSX 或 CSV）").set_input_files(str(listed))
    office.get_by_role("button", name="上传").click()
    expect(office.locator(".flash-success")).to_contain_text("推送线索 1 条")

    # The enumerator's phone takes the task at sync, then verifies with no signal.
    open_app(page)
    page.get_by_role("button", name="立即同步").click()
    expect(page.get_by_role("heading", name="核查任务")).to_be_visible()
    sync_settled(page)
    page.context.set_offline(True)
    page.reload()
    task = page.locator(".task")
    expect(task).to_contain_text("住院自付费用高")
    expect(task).to_contain_text("医保")
    task.get_by_text("登记核查结果").click()
    task.get_by_label("核查结果").select_option("risk_found")
    task.get_by_label("情况说明").fill("今年两次住院，自付两万余元")
    task.get_by_label("核查照片（可选）").set_input_files(files=[{"name": "ward.png", "mimeType": "image/png",
                                                             "buffer": png(2400, 1800)}])
    task.get_by_role("button", name="保存，待发送").click()
    expect(task).to_contain_text("已登记，待发送")
    expect(task.get_by_role("button", name="打开该户普查表")).to_be_visible()
    page.context.set_offline(False)
    page.get_by_role("button", name="立即同步").click()
    expect(page.get_by_role("heading", name="核查任务")).to_have_count(0)
    db.session.expire_all()
    clue = db.session.scalar(select(Clue))
    assert (clue.state, clue.result) == ("verified", "risk_found")
    photo = db.session.get(Attachment, clue.photo_sha256)  # downscaled on the phone, up whole
    assert (photo.content_type, photo.complete) == ("image/jpeg", True)

    # The village judges it and proposes the household; the township closes the clue.
    village = desk(browser, base_url, "reviewer")
    village.goto("/clues/")
    village.get_by_role("link", name="A-0001").click()
    shown = village.get_by_role("img", name="核查照片")
    expect(shown).to_be_visible()
    assert shown.evaluate("image => image.naturalWidth") == 1600
    village.get_by_label("监测对象类别").select_option("sudden_hardship")
    village.locator('input[name="risk_types"]').first.check()
    village.get_by_label("研判意见").fill("大病支出大，申报纳入监测")
    village.get_by_role("button", name="村级研判").click()
    expect(village.locator(".flash-success")).to_be_visible()
    township = desk(browser, base_url, "township")
    township.goto("/clues/")
    township.get_by_role("link", name="A-0001").click()
    township.get_by_role("button", name="乡镇审核通过，办结").click()
    expect(township.get_by_text("已办结", exact=True)).to_be_visible()
    db.session.expire_all()
    proposal = db.session.scalar(select(Proposal))
    assert (proposal.household_id, proposal.channel) == (world.id, "department_warning")
    village.goto(f"/monitoring/proposals/{proposal.id}")
    expect(village.get_by_text("部门筛查预警")).to_be_visible()

    # The feedback for the department shows the household and the result.
    office.goto("/clues/")
    with office.expect_download() as download:
        office.get_by_role("link", name=re.compile("下载反馈表")).click()
    saved = tmp_path / "feedback.xlsx"
    download.value.save_as(saved)
    rows = list(load_workbook(saved).active.iter_rows(values_only=True))
    assert rows[1][5:7] == ("A-0001", "发现风险")


def test_a_first_open_draws_the_tasks_with_the_list_and_moves_nothing(page: Page, base_url: str, county, world,
                                                                      app):
    """A phone's very first open with a task waiting: the tasks stand above the list from the
    first drawing, so nothing moves under the cadre's finger (they were drawn after the list and
    pushed it down: Lighthouse's cumulative layout shift 0.63 on /app)."""
    admin = county_admin(county)
    db.session.commit()
    head = world.ordered_members[0]
    clue_run(admin, csv_bytes([[head.id_number, "Wang Wu", "住院自付费用高", "2026-06-03", "23456.70", ""]]),
             today=clock.today())
    db.session.commit()
    page.add_init_script("""
        window.layoutShifts = [];
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.layoutShifts.push(entry.value);
        }).observe({ type: "layout-shift", buffered: true });
    """)
    # The tasks answer after the list, as with a long list of tasks on a slow network.
    page.route("**/api/sync/tasks", lambda route: (time.sleep(1.5), route.continue_()))
    sign_in(page, "enum", next_page="/")  # signed in, the app not opened yet
    page.goto("/app")
    expect(page.get_by_role("heading", name="核查任务")).to_be_visible()
    expect(page.get_by_role("link", name="Wang Wu")).to_be_visible()
    page.wait_for_timeout(300)  # a shift is reported in the frame after it
    assert page.evaluate("window.layoutShifts.reduce((sum, value) => sum + value, 0)") < 0.05
