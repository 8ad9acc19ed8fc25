"""Visit duties and sample audits in real browsers (issue 17): a cadre's phone shows a due and
overdue visit offline, records it (a home visit with a photo and a risk found), syncs; the
township's overdue count drops and the risk comes back as a clue to verify. The county draws
an audit round and assigns an auditor; the auditor's phone gets the task, fills the census
form as an audit copy offline (never the household's record), syncs; the copy is a
discrepancy and the village sees it and answers. The new phone screens fit 393 px in Chinese
and English."""
import datetime as dt
import struct
import zlib
from pathlib import Path
from types import SimpleNamespace

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app import clock
from app.audits.models import AuditRecord, AuditSample
from app.auth.models import User
from app.campaigns.models import Campaign
from app.clues.models import Clue
from app.extensions import db
from app.households.models import Household
from app.monitoring import services as monitoring
from app.monitoring.models import AssistanceMeasure
from app.records.models import Attachment, Submission
from app.records.queries import current_revision
from app.visits import services as visits
from app.visits.models import Visit
from tests import factories
from tests.browser.test_identification import desk
from tests.browser.test_offline import GUARANTEES, open_app, sync_settled
from tests.browser.test_phone_width import PHONE_WIDTH, too_wide
from tests.browser.test_sign_in import sign_in
from tests.monitoring_setup import LOW_INCOME, approved_record, propose

SHOTS = Path("/tmp/ruhu-visits-audits")


def png(width: int = 40, height: int = 30) -> bytes:
    """A real (decodable) PNG: the phone downscales a photo before it stores it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes([120, 160, 90]) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def overdue_of(office: Page, township: str) -> str:
    office.goto("/visits/")
    return office.locator("#overdue-township tr", has_text=township).locator("td").nth(2).inner_text()


def look(page: Page, name: str) -> None:
    """A screenshot to look at, and nothing wider than the phone."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.screenshot(path=str(SHOTS / f"{name}-screen.png"))  # what the phone shows first
    assert page.viewport_size["width"] == PHONE_WIDTH
    assert too_wide(page) == [], name


def test_a_due_visit_offline_then_an_audit_copy_and_its_discrepancy(page: Page, page_errors, browser: Browser,
                                                                     base_url: str, county, world, app, playwright,
                                                                     tmp_path):
    page_errors.expect(r"status of 404 .*/api/attachments/[0-9a-f]{64}")  # the photo: nothing received yet
    today = clock.today()
    admin = factories.user("admin", "county_admin", [county.county])
    enumerator = db.session.scalar(select(User).where(User.username == "enum"))
    reviewer = db.session.scalar(select(User).where(User.username == "reviewer"))
    factories.user("township", "township_approver", [county.township_1])
    # A-0001 is monitored (unresolved) and the enumerator answers for it; this county visits by
    # monitoring status: twice a week, and last week had no visit.
    monitoring.enter_from_national_system(admin, [(world.id, "marginal", today - dt.timedelta(days=60))])
    db.session.commit()
    visits.assign_cadre(admin, world, enumerator, today - dt.timedelta(days=60))
    visits.choose_rule_set(admin, county.county, "by_status")
    # The village declared a measure for it three weeks ago; the visit will find it carried out.
    measure_id = monitoring.declare_measure(reviewer, world, measure_type="public_welfare_job",
                                            declared_on=today - dt.timedelta(days=21), note="护林员").id
    # A-0002 has an approved record (low income) and was proposed for identification.
    campaign = db.session.scalar(select(Campaign))
    second = db.session.scalar(select(Household).where(Household.household_number == "A-0002"))
    setup = SimpleNamespace(county=county, campaign=campaign, enumerator=enumerator, reviewer=reviewer)
    original = approved_record(app, setup, second, reviewer, income=LOW_INCOME)
    propose(setup, second, today=today, clue_date=today)
    auditor = factories.user("auditor", "enumerator", [county.township_1])
    office = desk(browser, base_url, "township")
    assert overdue_of(office, "Township One") == "2"

    # The cadre's phone shows the visit due and overdue, and records one with no signal: a
    # home visit made last Wednesday, with a photo, that found a risk.
    open_app(page)
    tasks = page.locator(".tasks", has=page.get_by_role("heading", name="走访任务"))
    expect(tasks).to_contain_text("已逾期：上期少走访 2 次")
    expect(tasks).to_contain_text("本期")
    page.context.set_offline(True)
    page.reload()
    task = page.locator(f'[data-task="visit:{world.id}"]')
    task.get_by_text("登记走访").click()
    last_wednesday = today - dt.timedelta(days=today.weekday() + 5)
    task.get_by_label("走访日期").fill(last_wednesday.isoformat())
    expect(task.get_by_label("走访方式")).to_have_value("home_visit")
    task.get_by_label("见到的人").fill("Wang Wu")
    task.get_by_label("收入变化").select_option("down")
    task.get_by_label("人均纯收入（元，已知时填写）").fill("五千")
    task.get_by_label("反映的问题").fill("务工收入中断")
    measure = task.locator(f'[data-measure="{measure_id}"]')
    expect(measure).to_contain_text(f"已申报 {(today - dt.timedelta(days=21)).isoformat()}，尚未落实")
    measure.get_by_label("已落实", exact=True).check()  # carried out, on the visit's day unless changed
    expect(measure.get_by_label("落实日期")).to_have_value(last_wednesday.isoformat())
    photo = tmp_path / "visit.png"
    photo.write_bytes(png())
    task.get_by_label("照片（入户走访）").set_input_files(str(photo))
    expect(task.get_by_role("status").filter(has_text="已添加照片")).to_be_visible()
    task.get_by_label("发现风险").check()
    task.get_by_role("button", name="保存走访，待发送").click()
    expect(task.get_by_role("alert")).to_have_text("人均纯收入应为以元计的金额。")  # said on the phone, offline
    task.get_by_label("人均纯收入（元，已知时填写）").fill("５,６００.５")
    task.get_by_role("button", name="保存走访，待发送").click()
    expect(task.get_by_role("alert")).to_have_text("发现风险时请说明情况。")
    task.get_by_label("风险情况").fill("户主住院，自付费用高")
    look(page, "visit-form-zh")
    task.get_by_role("button", name="保存走访，待发送").click()
    expect(task).to_contain_text(f"已登记走访：{last_wednesday.isoformat()}，入户走访")
    # The risk found offers the household's census form.
    task.get_by_role("button", name="打开该户普查表").click()
    expect(page).to_have_url(f"{base_url}/app#/household/{world.id}")
    expect(page.get_by_role("heading", name="走访记录")).to_be_visible()  # a monitored household's visit log
    page.get_by_role("link", name="返回列表").click()

    # Back online: the photo and the visit go; the overdue count drops by the visit made late.
    page.context.set_offline(False)
    page.get_by_role("button", name="立即同步").click()
    sync_settled(page)
    expect(tasks).to_contain_text("已逾期：上期少走访 1 次")
    db.session.expire_all()
    visit = db.session.scalar(select(Visit))
    assert (visit.visit_date, visit.kind, visit.per_capita_income_fen, visit.income_change, visit.risk_note) == (
        last_wednesday, "home_visit", 560050, "down", "户主住院，自付费用高")
    assert db.session.get(Attachment, visit.photo_sha256).complete
    assert visit.measure_ids == [measure_id]
    assert db.session.get(AssistanceMeasure, measure_id).carried_out_on == last_wednesday
    assert overdue_of(office, "Township One") == "1"
    # The risk is a clue to verify, given to the household's enumerator: on the phone at once.
    clue = db.session.scalar(select(Clue))
    assert (clue.id, clue.channel, clue.assignee_id) == (visit.clue_id, "duty_visit", enumerator.id)
    verification = page.locator(f'[data-task="clue:{clue.id}"]')
    expect(verification).to_contain_text("干部走访发现")
    expect(verification).to_contain_text("户主住院，自付费用高")

    # The county draws every proposed household this year and gives Township One an auditor.
    county_office = desk(browser, base_url, "admin")
    county_office.goto("/audits/")
    county_office.get_by_label("抽样范围").select_option("proposed_identification")
    county_office.get_by_label("抽样比例").fill("1")
    county_office.get_by_label("随机种子").fill("20261203")
    county_office.get_by_role("button", name="抽样").click()
    county_office.get_by_role("link", name="查看本批抽样").click()  # the draw ran as a job
    expect(county_office.locator("#drawn")).to_contain_text("1 户 / 1 人")
    county_office.get_by_label("乡镇").select_option(label="Township One")
    county_office.get_by_label("审核人").select_option(str(auditor.id))
    county_office.get_by_role("button", name="分配").click()
    expect(county_office.locator(".flash-success")).to_contain_text("1 户交给了审核人")

    # The auditor's phone gets the task and fills the census form offline as an audit copy:
    # the household earns far more than its record says.
    phone = browser.new_context(base_url=base_url, **playwright.devices["Pixel 5"]).new_page()
    sign_in(phone, "auditor")
    phone.goto("/app")
    expect(phone.locator("body[data-app-ready]")).to_have_count(1)
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")
    audits = phone.locator(".tasks", has=phone.get_by_role("heading", name="抽样审核复核"))
    expect(audits).to_contain_text("A-0002")
    sync_settled(phone)
    phone.context.set_offline(True)
    phone.reload()
    phone.get_by_role("link", name="填写复核表").click()
    expect(phone.get_by_text("这是抽样审核的复核表，单独保存，不会改动该户的普查记录。")).to_be_visible()
    expect(phone.locator(".record-form .census-section").first).to_be_visible()
    for guarantee in GUARANTEES:
        phone.get_by_role("group", name=guarantee).get_by_label("是").check()
    phone.get_by_role("group", name="农户已签署承诺授权书").get_by_label("是").check()
    phone.get_by_label("签字人").fill("Zhao Qi")
    phone.get_by_label("外出务工收入").fill("36000")
    look(phone, "audit-copy-zh")
    phone.get_by_role("button", name="完成复核，放入待发送").click()
    expect(audits).to_contain_text("待发送")
    phone.context.set_offline(False)
    phone.get_by_role("button", name="立即同步").click()
    sync_settled(phone)
    expect(phone.get_by_text("复核发现不一致")).to_be_visible()
    db.session.expire_all()
    sample = db.session.scalar(select(AuditSample))
    assert sample.outcome == "discrepancy"
    assert db.session.scalar(select(AuditRecord.sample_id)) == sample.id
    assert current_revision(db.session.get(Submission, original.id)).answers["income"] == LOW_INCOME  # untouched

    # The village sees the discrepancy and answers it.
    village = desk(browser, base_url, "reviewer")
    village.goto(f"/audits/rounds/{sample.round_id}")
    row = village.locator("#samples tr", has_text="A-0002")
    expect(row).to_contain_text("per_capita_net_income")
    row.get_by_label("说明不一致的原因和处理情况").fill("户主今年外出务工，收入已更新")
    row.get_by_role("button", name="提交说明").click()
    expect(village.locator(".flash-success")).to_be_visible()

    # The same screens in English, at phone width.
    db.session.execute(db.update(User).where(User.username.in_(("enum", "auditor"))).values(locale="en"))
    db.session.commit()
    page.reload()
    sync_settled(page)  # the tasks come again in English
    expect(page.get_by_role("heading", name="Visits due")).to_be_visible()
    expect(page.locator(f'[data-task="clue:{clue.id}"]')).to_contain_text("Found on a cadre's visit")
    page.locator(f'[data-task="visit:{world.id}"]').get_by_text("Record a visit").click()
    look(page, "visit-form-en")
    phone.reload()
    expect(phone.get_by_text("Audit: discrepancy found")).to_be_visible()
    look(phone, "audit-list-en")
