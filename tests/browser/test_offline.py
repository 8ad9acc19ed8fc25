"""The offline app on a phone (Pixel 5): the seven situations of issue 4, in a real Chromium
against the real server, with the network really cut (context.set_offline)."""
import hashlib
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.records import services as review
from app.records.models import Attachment, Submission, SubmissionRevision
from tests import factories
from tests.browser.test_sign_in import sign_in

GUARANTEES = ("不愁吃、不愁穿", "义务教育有保障（无适龄儿童失学辍学）", "基本医疗有保障（全员参保）",
              "住房安全有保障（无C、D级危房）", "饮水安全有保障")


def submissions() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Submission))


def open_app(page: Page):
    sign_in(page, "enum")
    page.goto("/app")
    expect(page.locator("body[data-app-ready]")).to_have_count(1)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    expect(page.get_by_role("link", name="Wang Wu")).to_be_visible()
    sync_settled(page)  # the first sync has ended: a test going offline next cuts none of it


def sync_settled(page: Page):
    """Wait for every sync run asked for to end (going offline then cuts none of its requests)."""
    page.wait_for_function("() => document.body.dataset.syncing === 'false'")


def open_household(page: Page, name: str = "Wang Wu"):
    page.get_by_role("link", name=name).click()
    expect(page.locator(".record-form .census-section").first).to_be_visible()


def complete_record(page: Page, income: str = "36000"):
    """Answer what the roster cannot prefill, as an enumerator would."""
    for guarantee in GUARANTEES:
        page.get_by_role("group", name=guarantee).get_by_label("是").check()
    page.get_by_role("group", name="农户已签署承诺授权书").get_by_label("是").check()
    page.get_by_label("签字人").fill("Wang Wu")
    page.get_by_label("外出务工收入").fill(income)


def sign(page: Page):
    """Draw the household's signature with a finger and save it."""
    signature = page.get_by_role("img", name="在此处签名")
    signature.scroll_into_view_if_needed()
    pad = signature.bounding_box()
    page.mouse.move(pad["x"] + 20, pad["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(pad["x"] + 20 + step * 25, pad["y"] + 40 + (step % 3) * 15)
    page.mouse.up()
    page.get_by_role("button", name="保存签名").click()
    expect(page.get_by_role("img", name="农户签名")).to_be_visible()


def records_pulled(response) -> bool:
    """The answer to a sync run's pull of record states (wait for it before cutting the network)."""
    return response.request.method == "GET" and response.url.endswith("/api/sync/records")


def count(page: Page, state: str):
    return page.locator(f'[data-count="{state}"]')


def test_1_after_one_sign_in_the_app_and_households_load_offline(page: Page, world):
    open_app(page)
    page.context.set_offline(True)
    response = page.reload()
    assert response.from_service_worker
    expect(page.locator("body[data-app-ready]")).to_have_count(1)
    expect(page.get_by_role("link", name="Wang Wu")).to_be_visible()
    expect(page.get_by_text("离线", exact=True)).to_be_visible()
    page.get_by_label("搜索农户").fill("Zhao")
    expect(page.get_by_role("link", name="Zhao Qi")).to_be_visible()
    expect(page.get_by_role("link", name="Wang Wu")).to_have_count(0)


def test_2_a_household_filled_offline_survives_a_reload(page: Page, world):
    open_app(page)
    page.context.set_offline(True)
    open_household(page)
    page.get_by_label("外出务工收入").fill("12345.67")
    page.get_by_label("联系电话").fill("13800000000")
    page.reload()
    expect(page.locator("body[data-app-ready]")).to_have_count(1)
    expect(page.get_by_label("外出务工收入")).to_have_value("12345.67")
    expect(page.get_by_label("联系电话")).to_have_value("13800000000")
    expect(count(page, "draft")).to_have_text("草稿 1")


def test_3_submitted_offline_then_online_the_server_holds_exactly_one(page: Page, world):
    open_app(page)
    page.context.set_offline(True)
    open_household(page)
    complete_record(page)
    page.get_by_role("button", name="完成，放入待发送").click()
    expect(count(page, "outbox")).to_have_text("待发送 1")
    assert submissions() == 0
    page.context.set_offline(False)
    expect(count(page, "sent")).to_have_text("已发送 1")
    assert submissions() == 1


def test_4_a_lost_response_is_retried_and_still_stored_once(page: Page, page_errors, world):
    page_errors.expect(r"net::ERR_FAILED .*/api/sync/records")
    open_app(page)
    lost = []

    def store_then_lose_the_answer(route):
        if not lost:
            route.fetch()  # the server stores the record…
            lost.append(True)
            route.abort()  # …and the answer never reaches the phone
        else:
            route.continue_()

    page.route("**/api/sync/records", lambda route: store_then_lose_the_answer(route)
               if route.request.method == "POST" else route.continue_())
    open_household(page)
    complete_record(page)
    page.get_by_role("button", name="完成，放入待发送").click()
    expect(page.get_by_text("同步失败，稍后自动重试。")).to_be_visible()
    expect(count(page, "outbox")).to_have_text("待发送 1")
    assert submissions() == 1
    page.get_by_role("button", name="立即同步").click()
    expect(count(page, "sent")).to_have_text("已发送 1")
    assert submissions() == 1
    assert db.session.scalar(select(func.count()).select_from(SubmissionRevision)) == 1


def test_5_a_session_that_expires_offline_loses_nothing(page: Page, page_errors, world):
    page_errors.expect(r"status of 401 .*/api/session")
    open_app(page)
    page.context.set_offline(True)
    page.context.clear_cookies()  # the session ends while the phone has no signal
    open_household(page)
    complete_record(page)
    page.get_by_role("button", name="完成，放入待发送").click()
    page.context.set_offline(False)
    expect(page.get_by_role("link", name="登录已过期，请重新登录；未发送的记录都还在。")).to_be_visible()
    expect(count(page, "outbox")).to_have_text("待发送 1")
    assert submissions() == 0
    page.get_by_role("link", name="登录已过期，请重新登录；未发送的记录都还在。").click()
    page.get_by_label("用户名").fill("enum")
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("body[data-app-ready]")).to_have_count(1)
    expect(count(page, "sent")).to_have_text("已发送 1")
    assert submissions() == 1


def test_6_a_new_version_deployed_while_a_draft_is_open_keeps_the_draft(page: Page, app, world):
    open_app(page)
    first_worker = page.evaluate("navigator.serviceWorker.controller.scriptURL")
    open_household(page)
    page.get_by_label("外出务工收入").fill("4321")
    app.config["PWA_VERSION_SALT"] = "a new deployment"
    try:
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        page.wait_for_function("() => navigator.serviceWorker.getRegistration().then((r) => r.waiting !== null)")
        # Never in the middle of a form: the offer waits for the list.
        expect(page.get_by_role("button", name="更新到新版本")).to_have_count(0)
        expect(page.get_by_label("外出务工收入")).to_have_value("4321")
        page.get_by_role("link", name="返回列表").click()
        # The new worker takes over and the page reloads; wait for the new page, not the old
        # one (whose appReady is already true).
        with page.expect_navigation():
            page.get_by_role("button", name="更新到新版本").click()
        page.wait_for_function("() => document.body.dataset.appReady === 'true'")
        page.wait_for_function("() => caches.keys().then((names) => names.length === 1)")
        assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == first_worker  # same URL, new version
        open_household(page)
        expect(page.get_by_label("外出务工收入")).to_have_value("4321")
    finally:
        app.config.pop("PWA_VERSION_SALT")


def test_7_a_returned_record_is_corrected_offline_and_resubmitted(page: Page, world):
    open_app(page)
    open_household(page)
    complete_record(page)
    page.get_by_role("button", name="完成，放入待发送").click()
    expect(count(page, "sent")).to_have_text("已发送 1")

    db.session.expire_all()
    submission = db.session.scalar(select(Submission))
    reviewer = db.session.scalar(select(User).where(User.username == "reviewer"))
    review.return_record(reviewer, submission, {"household.phone": "电话号码打错了，请核实"}, submission.version)

    page.get_by_role("button", name="立即同步").click()
    expect(count(page, "returned")).to_have_text("退回 1")
    sync_settled(page)
    page.context.set_offline(True)
    page.reload()
    open_household(page)
    expect(page.get_by_text("审核意见：电话号码打错了，请核实")).to_be_visible()
    page.get_by_label("联系电话").fill("13987654321")
    page.get_by_role("button", name="完成，放入待发送").click()
    expect(count(page, "outbox")).to_have_text("待发送 1")
    page.context.set_offline(False)
    expect(count(page, "sent")).to_have_text("已发送 1")
    db.session.expire_all()
    submission = db.session.scalar(select(Submission))
    assert (submission.revision, submission.status) == (2, "submitted")
    assert submissions() == 1


def png(width: int, height: int) -> bytes:
    """A plain PNG of the given size (large photos are what phones take)."""
    import struct
    import zlib

    row = b"\x00" + bytes((40, 120, 90)) * width
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height, 9)) + chunk(b"IEND", b""))


def jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height from a JPEG's start-of-frame marker."""
    at = 2
    while at < len(data):
        marker, length = data[at + 1], int.from_bytes(data[at + 2:at + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            return int.from_bytes(data[at + 7:at + 9], "big"), int.from_bytes(data[at + 5:at + 7], "big")
        at += 2 + length
    raise ValueError("no frame header")


def test_a_signature_and_a_downscaled_photo_reach_the_server_and_complete_the_record(page: Page, page_errors, app,
                                                                                     world):
    page_errors.expect(r"status of 404 .*/api/attachments/")  # "how much have you?" of a new file (docs/sync.md)
    open_app(page)
    open_household(page)
    complete_record(page)
    page.get_by_label("添加照片").set_input_files(files=[{"name": "house.png", "mimeType": "image/png",
                                                       "buffer": png(3200, 2400)}])
    expect(page.get_by_role("img", name="照片")).to_be_visible()
    sign(page)
    page.get_by_role("button", name="完成，放入待发送").click()
    expect(count(page, "sent")).to_have_text("已发送 1")
    page.get_by_role("button", name="立即同步").click()  # the files go first; the record then completes

    db.session.expire_all()
    files = {item.content_type: item for item in db.session.scalars(select(Attachment))}
    assert set(files) == {"image/jpeg", "image/png"} and all(item.complete for item in files.values())
    photo = (Path(app.instance_path) / "attachments" / files["image/jpeg"].sha256).read_bytes()
    assert max(jpeg_size(photo)) == 1600  # the long edge, downscaled on the phone
    assert hashlib.sha256(photo).hexdigest() == files["image/jpeg"].sha256
    assert db.session.scalar(select(Submission)).complete


def test_a_flapping_signal_while_the_list_is_open_breaks_nothing(page: Page, world):
    """At the edge of coverage the phone goes on- and offline many times a second; each
    change starts a sync whose end redraws the list, while the enumerator searches and then
    opens a household (issue 15: an uncaught "index is not iterable")."""
    open_app(page)
    page.context.set_offline(True)
    flapping = """async (rounds) => {
        const search = document.getElementById('household-search');
        for (let i = 0; i < rounds; i += 1) {
          dispatchEvent(new Event('online'));
          search.value = i % 2 ? 'Wang' : '';
          search.dispatchEvent(new Event('input', { bubbles: true }));
          await new Promise((resolve) => setTimeout(resolve, i % 5));
        }
      }"""
    page.evaluate(flapping, 40)
    page.evaluate(f"() => {{ ({flapping})(20); document.querySelector('a.household').click(); }}")
    expect(page.locator(".record-form .census-section").first).to_be_visible()
    page.wait_for_timeout(500)  # the syncs started before the tap have all ended
    expect(page.get_by_label("外出务工收入")).to_be_visible()


def test_the_cached_shell_follows_a_language_switch(page: Page, world):
    """The worker keeps the shell as first fetched (in Chinese); after switching to English
    the shell's words are English too."""
    open_app(page)
    page.goto("/")
    page.get_by_role("button", name="English").click()
    response = page.goto("/app")
    assert response.from_service_worker  # the Chinese copy
    expect(page.locator("body[data-app-ready]")).to_have_count(1)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Ruhu", exact=True)).to_be_visible()
    expect(page).to_have_title("Ruhu")
    expect(page.get_by_role("heading", level=1)).to_have_text("My households")
