"""Look at every page: each page × role × phone / desktop × Chinese / English, as PNGs.

    make screenshots                  (SCREENSHOTS=/tmp/ruhu-screenshots by default)
    .venv/bin/python tools/screenshots.py [--out DIR] [--households 4200] [--only PAGE ...]

1. Seeds the demo county (`flask demo seed`) into a throwaway instance folder and puts a
   census in progress into it through the app's own HTTP routes, as its users would: the
   enumerator sends records for 300 households, the village approves most and returns some
   with comments on two fields, proposes flagged households and puts some on notice; other
   clues, reported three weeks ago, went through appraisal and notice, and the township
   approved most of them (monitored households on the register).
2. Serves that database with gunicorn (gunicorn.conf.py) on a free loopback port.
3. Signs in as every demo login in Debian's Chromium, as a Pixel 5 (393 px, touch; drawn at
   one device pixel per CSS pixel so that a long page fits one image) and at 1366×768, in
   Chinese and in English, and saves every page that role may open as
   ``<page>-<role>-<device>-<lang>.png`` in DIR (outside the repository), with index.html to
   browse them and summary.txt: per shot, the elements wider than the viewport (unless they
   scroll inside a box of their own) and any console error or uncaught page error. Pages
   are measured as they are, then painted whole for the picture (content-visibility off).
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import html
import io
import math
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROLES = ("enumerator", "village", "township", "countyapprover", "admin")  # the demo logins (app/demo/generator.py)
LANGUAGES = {"zh": "zh-Hans", "en": "en"}  # the page's lang attribute in each
PHONE_LOCALES = {"zh": "zh-CN", "en": "en-US"}  # the browser's own (date inputs, number formats)
READY = re.compile(r"Ruhu is ready on (http://127\.0\.0\.1:\d+)")
# Yuan of migrant wages per member: a cycle from well below the monitoring line to well above it.
WAGES_PER_MEMBER = (2400, 5200, 7800, 9600, 12500, 18000, 26000, 40000)
# The app that puts the census in progress: this process only seeds (the server checks CSRF as
# always), and the jobs it asks for (an import, a draw, an export) run as they are asked.
SEEDING = {"WTF_CSRF_ENABLED": False, "JOBS_IMMEDIATE": True}


# 1. The data ------------------------------------------------------------------------------------

def flask(environment: dict, *arguments: str) -> None:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *arguments], cwd=ROOT, env=environment,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"flask {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")


def signature_png(household_id: int) -> bytes:
    """The household's consent signature as the phone sends it: a PNG of the 600×220 signing
    canvas, here a stroke of its own per household, named in the file (one file each, as on paper)."""
    width, height = 600, 220
    stroke = {x: round(height / 2 + 60 * math.sin(x / (20 + household_id % 17))) for x in range(40, width - 40)}
    rows = b"".join(b"\x00" + bytes(0x20 if abs(y - stroke.get(x, -9)) <= 2 else 0xFF for x in range(width))
                    for y in range(height))  # filter byte 0, then one 8-bit grey pixel per x

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes((8, 0, 0, 0, 0))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"tEXt", f"Comment\x00household {household_id}".encode()) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


class Desk:
    """One demo user at the app's HTTP routes (a Flask test client, signed in)."""

    def __init__(self, app, username: str):
        from app.demo.generator import PASSWORD

        self.client = app.test_client()
        response = self.client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, (username, response.status_code)

    def post(self, url: str, **kwargs):
        return self.send("POST", url, **kwargs)

    def send(self, method: str, url: str, **kwargs):
        response = self.client.open(url, method=method, **kwargs)
        response.close()  # as a server does: changed villages are counted again after the response
        assert response.status_code in (200, 201, 302, 303), (url, response.status_code,
                                                         response.get_data(as_text=True)[:300])
        return response


def record_for(household, campaign, definition, wages_per_member: int, today: dt.date) -> dict | None:
    """A complete record of ``household`` as the phone sends it, with the phone's result and the
    household's signed consent (承诺授权书: answered yes, signed by the head, the signature
    declared as the record's attachment); None when its roster leaves an answer open that
    only a visit could give."""
    from app.census import services

    answers = services.prefill(household, today)
    answers["household"].update(relocation_site=False, visit_date=today.isoformat())
    answers["household"]["phone"] = answers["household"].get("phone") or f"139{household.id:08d}"
    for member in answers["members"]:
        member.setdefault("ethnicity", "01")
        member.setdefault("education_level", "junior_secondary")
    answers["guarantees"] = {guarantee["id"]: True for guarantee in definition["guarantees"]}
    answers["consent"] = {"consent_given": True, "consent_signer": answers["members"][0]["name"]}
    answers["income"] = {"wage_migrant": str(wages_per_member * len(answers["members"])), "crops": "1800"}
    result = services.evaluate(household, campaign, answers, definition)
    if any(issue["severity"] == "error" for issue in result["issues"]):
        return None
    signature = signature_png(household.id)
    return {"id": str(uuid.uuid4()), "household_id": household.id, "form_version": campaign.form_version,
            "base_revision": None, "answers": answers,
            "attachments": [{"sha256": hashlib.sha256(signature).hexdigest(), "kind": "signature",
                             "size": len(signature), "content_type": "image/png"}],
            "client_result": {"income": result["income"], "screening": result["screening"]}}


@dataclass
class Plan:
    """The ids the pages are opened with."""

    household: int = 0  # 大坪村, sent and approved: its pages have history
    fresh_number: str = ""  # 大坪村, not visited yet: the census form from the roster, in the offline app
    returned_number: str = ""  # opened in the offline app: a returned record with comments
    submitted: str = ""  # a record waiting for the village
    flagged: str = ""  # approved with a flag, not yet decided: the assessment page
    proposal: int = 0  # on notice
    monitored: int = 0  # a household on the register
    township: int = 0
    village: int = 0
    enumerator: int = 0
    campaign: int = 0
    job: int = 0  # the village's households export, done
    import_job: int = 0  # the county's warning list imported, with what it found
    audit_round: int = 0
    clue: int = 0  # a department's warning about a 大坪村 household, assigned to its enumerator
    counts: dict = field(default_factory=dict)


def census_in_progress(app) -> Plan:
    from sqlalchemy import func, select
    from sqlalchemy.orm import selectinload

    from app import clock
    from app.auth.models import User
    from app.campaigns.models import Campaign
    from app.census import definitions
    from app.codes import categories_for
    from app.extensions import db
    from app.geo.models import Area
    from app.households.models import Household

    plan = Plan()
    with app.app_context():
        today = clock.today()
        campaign = db.session.scalar(select(Campaign))
        definition = definitions.get(campaign.form_version)
        risk_types = [risk["code"] for risk in definition["risk_types"]]
        village = db.session.scalar(select(Area).where(Area.code == "532339100201"))  # 大坪村
        second = db.session.scalar(select(Area).where(Area.code == "532339100202"))  # 小河村
        plan.village, plan.township, plan.campaign = village.id, village.parent_id, campaign.id
        plan.enumerator = db.session.scalar(select(User.id).where(User.username == "enumerator"))

        def visit(area, count) -> tuple[list[dict], list[Household]]:
            """Records of the first ``count`` households that can be completed; the others'."""
            done, left = [], []
            for household in db.session.scalars(select(Household).where(Household.village_id == area.id)
                                                .options(selectinload(Household.members))
                                                .order_by(Household.household_number)):
                made = len(done) < count and record_for(household, campaign, definition,
                                                        WAGES_PER_MEMBER[len(done) % len(WAGES_PER_MEMBER)], today)
                if made:
                    done.append(made)
                    numbers[household.id] = household.household_number
                    heads[household.id] = next(((member.id_number, member.name) for member in household.members
                                                if member.relation == "head" and member.id_number), None)
                    if not household.monitored_category:  # a household already monitored is not proposed
                        categories[household.id] = [value for value, _ in categories_for(household.household_type)]
                else:
                    left.append(household)
            return done, left

        numbers, categories, heads = {}, {}, {}  # categories: those each household not monitored may be proposed in
        # 240 households of 大坪村 visited, or two thirds of a smaller one (the demo seed's 600
        # households give it 110): some are left for the census form from the roster.
        size = db.session.scalar(select(func.count()).where(Household.village_id == village.id))
        records, unvisited = visit(village, min(240, size * 2 // 3))
        first = len(records)  # 大坪村's, then 小河村's
        records += visit(second, 60)[0]
        flagged = [record["id"] for record in records if record["client_result"]["screening"].get("flags")]
        plan.fresh_number = unvisited[-1].household_number
        db.session.remove()

    enumerator, reviewer, township = (Desk(app, name) for name in ("enumerator", "village", "township"))
    for start in range(0, len(records), 50):
        response = enumerator.post("/api/sync/records", json={"records": records[start:start + 50]})
        assert {result["result"] for result in response.get_json()["results"]} == {"created"}
    for record in records:  # each signature after its record, as a phone uploads it
        enumerator.send("PUT", f"/api/attachments/{record['attachments'][0]['sha256']}",
                        data=signature_png(record["household_id"]), headers={"Content-Type": "image/png"})

    # Of 大坪村's records (240 in the county of 4,200), 1 in 16 returned and 5 in 8 approved.
    returned = [record for record in records[:first] if record["id"] not in flagged][:min(15, max(1, first // 16))]
    for record in returned:
        reviewer.post(f"/api/review/records/{record['id']}/return", json={"version": 1, "comments": {
            "household.phone": "电话号码少了一位，请核实", "income.wage_migrant": "务工收入与务工月数不符，请核实"}})
    returned_ids = {record["id"] for record in returned}
    approved = [record["id"] for record in records[:first] if record["id"] not in returned_ids][:first * 5 // 8]
    for record_id in approved:
        reviewer.post(f"/api/review/records/{record_id}/approve", json={"version": 1})
    household_of = {record["id"]: record["household_id"] for record in records}
    approved_flagged = [record_id for record_id in approved
                        if record_id in flagged and categories.get(household_of[record_id])]

    # 6 proposed, 3 not, the 10th left for the assessment page (fewer in a small county; one left).
    if len(approved_flagged) < 2:
        raise SystemExit(f"Too few flagged records approved ({len(approved_flagged)}): seed more households.")
    undecided = min(9, len(approved_flagged) - 1)
    proposed = min(6, max(1, undecided * 2 // 3))
    proposals = []
    for record_id in approved_flagged[:proposed]:  # proposed from the assessment list, today
        response = reviewer.post(f"/monitoring/assessment/{record_id}/propose", data={
            "category": categories[household_of[record_id]][0], "risk_types": risk_types[:2],
            "note": "人均纯收入低于监测范围，务工收入不稳定"})
        proposals.append(int(response.headers["Location"].rsplit("/", 1)[1]))
    for proposal_id in proposals[:4]:
        reviewer.post(f"/monitoring/proposals/{proposal_id}/act", data={
            "action": "appraise", "version": 1, "on_date": today.isoformat()})
    for proposal_id in proposals[:2]:
        reviewer.post(f"/monitoring/proposals/{proposal_id}/act", data={
            "action": "start_notice", "version": 2, "on_date": today.isoformat()})
    for record_id in approved_flagged[proposed:undecided]:
        reviewer.post(f"/monitoring/assessment/{record_id}/not-proposed",
                      data={"reason": "务工收入已恢复，家庭无返贫风险"})

    # Clues from other channels three weeks ago: appraised, noticed, sent to the township. Each
    # household's approved record carries its consent, which a proposal rests on.
    clue_households = [household_of[record_id] for record_id in approved[1:] if record_id not in flagged
                       and "sudden_hardship" in categories.get(household_of[record_id], ())][-8:]
    days = [(today - dt.timedelta(days=n)).isoformat() for n in (21, 19, 17)]
    for n, household_id in enumerate(clue_households):
        response = reviewer.post(f"/monitoring/households/{household_id}/propose", data={
            "channel": "self_application", "clue_date": days[0], "category": "sudden_hardship",
            "risk_types": [risk_types[n % len(risk_types)]], "note": "家庭成员突发重病，医疗支出大"})
        proposal_id = int(response.headers["Location"].rsplit("/", 1)[1])
        for version, (action, on_date) in enumerate((("appraise", days[1]), ("start_notice", days[2]),
                                                     ("submit", "")), start=1):
            reviewer.post(f"/monitoring/proposals/{proposal_id}/act", data={
                "action": action, "version": version, "on_date": on_date})
        if n < 5:
            township.post(f"/monitoring/proposals/{proposal_id}/act", data={"action": "approve", "version": 4})
            plan.monitored = household_id

    plan.household = next(record["household_id"] for record in records if record["id"] == approved[0])
    plan.returned_number = numbers[returned[0]["household_id"]]
    plan.submitted = next(record["id"] for record in records[:first]
                          if record["id"] not in returned_ids and record["id"] not in approved)
    plan.flagged = approved_flagged[undecided]
    plan.proposal = proposals[0]
    warned = [household_of[record_id] for record_id in approved if household_of[record_id] not in clue_households
              and heads.get(household_of[record_id])][-3:]
    plan.counts = {"records": len(records), "returned": len(returned), "approved": len(approved),
                   "proposed from records": len(proposals), "other clues": len(clue_households),
                   "warnings": len(warned)}
    the_county_at_work(app, plan, today, [heads[household_id] for household_id in warned])
    return plan


def the_county_at_work(app, plan: Plan, today: dt.date, warned: list[tuple[str, str]]) -> None:
    """The county's other work, through its pages: the county admin gives 大坪村's monitored
    households their responsible cadre (the enumerator), imports a medical insurance warning
    list about ``warned`` (ID number, name) and draws a sample audit of the approved
    identifications; the village assesses the circle layer of the household monitored last
    (the default rules' visits go by it) and asks for its households export. Jobs run as they
    are asked (the app of this process runs them at once)."""
    from sqlalchemy import select

    from app.clues.models import Clue
    from app.extensions import db
    from app.geo.models import Area
    from app.households.models import Household
    from app.jobs.models import Job

    def job_of(response) -> int:
        return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])

    admin, reviewer = Desk(app, "admin"), Desk(app, "village")
    with app.app_context():
        county = db.session.get(Area, plan.township).parent_id
    admin.post("/admin/cadres/village", data={"village": plan.village, "cadre": plan.enumerator,
                                              "since": (today - dt.timedelta(days=40)).isoformat()})
    reviewer.post(f"/visits/households/{plan.monitored}/layer", data={  # so that it owes visits (the default rules)
        "layer": "orange", "reason": "家庭成员突发重病，务工收入中断"})
    happened = (today - dt.timedelta(days=12)).isoformat()
    rows = "".join(f"{number},{name},住院自付费用较高,{happened},{8650 + 1000 * n}.50,\n"
                   for n, (number, name) in enumerate(warned))
    listing = ("证件号码,姓名,预警事项,发生日期,金额,备注\n" + rows).encode()
    plan.import_job = job_of(admin.post("/clues/upload", data={
        "department": "medical_insurance", "file": (io.BytesIO(listing), "医保预警名单.csv")},
        content_type="multipart/form-data"))
    draw = job_of(admin.post("/audits/rounds", data={
        "county": county, "population": "approved", "share": "0.5", "seed": "2026",
        "period_start": dt.date(today.year, 1, 1).isoformat(), "period_end": today.isoformat()}))
    plan.job = job_of(reviewer.post("/reports/exports/households", data={"format": "xlsx", "headers": "zh"}))
    with app.app_context():
        for job_id in (plan.import_job, draw, plan.job):
            job = db.session.get(Job, job_id)
            assert job.state == "done", (job.kind, job.state, job.error)
        plan.audit_round = db.session.get(Job, draw).outcome["round"]
        plan.clue = db.session.scalar(select(Clue.id).join(Household, Household.id == Clue.household_id)
                                      .where(Household.village_id == plan.village).order_by(Clue.id)) or 0
        db.session.remove()


# 2. The server ----------------------------------------------------------------------------------

def serve(environment: dict) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--no-control-socket",
                               "wsgi:app"], cwd=ROOT, env={**environment, "RUHU_BIND": "127.0.0.1:0"},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True).start()
    output = ""
    while not (ready := READY.search(output)):
        try:
            output += lines.get(timeout=60)
        except queue.Empty:
            server.kill()
            raise SystemExit(f"gunicorn did not start:\n{output}") from None
    return server, ready.group(1)


# 3. The pages -----------------------------------------------------------------------------------

SYNCED = '[data-last-sync]:not([data-last-sync=""])'  # the offline app after its first sync


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    ready: str = "main"  # what shows the page is drawn
    open_household: str = ""  # the offline app: search this household number and open its form


def pages(plan: Plan) -> list[Page]:
    return [
        Page("home", "/"),
        Page("households", "/households/"),
        Page("household", f"/households/{plan.household}"),
        Page("app-list", "/app", SYNCED),
        Page("census-form", "/app", SYNCED, open_household=plan.fresh_number),
        Page("app-form", "/app", SYNCED, open_household=plan.returned_number),
        Page("review-queue", "/review/"),
        Page("review-record", f"/review/records/{plan.submitted}"),
        Page("monitoring", "/monitoring/"),
        Page("assessment", "/monitoring/assessment"),
        Page("assess-record", f"/monitoring/assessment/{plan.flagged}"),
        Page("propose-clue", f"/monitoring/households/{plan.household}/propose"),
        Page("proposal", f"/monitoring/proposals/{plan.proposal}"),
        Page("approval-queue", "/monitoring/queue"),
        Page("notice", "/monitoring/notice"),
        Page("register", "/monitoring/register"),
        Page("monitored-household", f"/monitoring/households/{plan.monitored}"),
        Page("dashboard-county", "/reports/"),
        Page("dashboard-township", f"/reports/areas/{plan.township}"),
        Page("dashboard-village", f"/reports/areas/{plan.village}"),
        Page("exports", "/reports/exports"),
        Page("jobs", "/jobs"),
        Page("job", f"/jobs/{plan.job}"),
        Page("job-import", f"/jobs/{plan.import_job}"),
        Page("visits", "/visits/"),
        Page("visits-household", f"/visits/households/{plan.monitored}"),
        Page("clues", "/clues/"),
        Page("clue", f"/clues/{plan.clue}"),
        Page("audits", "/audits/"),
        Page("audit-round", f"/audits/rounds/{plan.audit_round}"),
        Page("change-password", "/account/password"),
        Page("admin", "/admin/"),
        Page("admin-areas", "/admin/areas"),
        Page("admin-users", "/admin/users"),
        Page("admin-user", f"/admin/users/{plan.enumerator}"),
        Page("admin-user-new", "/admin/users/new"),
        Page("admin-campaigns", "/admin/campaigns"),
        Page("admin-campaign", f"/admin/campaigns/{plan.campaign}"),
        Page("admin-campaign-edit", f"/admin/campaigns/{plan.campaign}/edit"),
        Page("admin-campaign-new", "/admin/campaigns/new"),
        Page("admin-assignments", "/admin/assignments"),
        Page("admin-roster", "/admin/roster/"),
        Page("admin-forms", "/admin/forms"),
        Page("admin-cadres", "/admin/cadres/"),
        Page("clues-upload", "/clues/upload"),
    ]


# GET routes that answer a file or JSON, not a page.
NOT_PAGES = {"clues.photo", "jobs.status", "jobs.download"}


def not_shot(app, shot: list[Page]) -> list[str]:
    """GET routes that look like pages (no file extension, not the API) that no Page opens."""
    adapter = app.url_map.bind("localhost")
    covered = {adapter.match(page.path)[0] for page in shot} | {"auth.login"} | NOT_PAGES
    return sorted(rule.endpoint for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and rule.endpoint not in covered and rule.endpoint != "static"
                  and not rule.rule.startswith("/api/") and not re.search(r"\.[\w<>(), :]+$", rule.rule)
                  and rule.rule != "/healthz")


# Elements sticking out of the viewport, outermost first, unless a box of theirs scrolls
# (or clips) within the viewport: that is a wide table done right.
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const contained = (element) => {
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(box).overflowX)
          && box.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const wide = new Set();
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.width && box.height && box.right > width + 1 && !contained(element)) wide.add(element);
  }
  const describe = (element) => element.tagName.toLowerCase() + (element.id ? `#${element.id}` : '')
    + [...element.classList].map((name) => `.${name}`).join('');
  const outermost = [...wide].filter((element) => !wide.has(element.parentElement));
  return {
    width, pageWidth: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight,
    wide: outermost.slice(0, 6).map((element) => {
      const box = element.getBoundingClientRect();
      return `${describe(element)} ${Math.round(box.width)} px wide, to x=${Math.round(box.right)}`;
    }),
    wideCount: wide.size,
  };
}"""


@dataclass
class Shot:
    file: str
    page: str
    role: str
    device: str
    language: str
    width: int = 0
    page_width: int = 0
    height: int = 0
    wide: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    skipped: str = ""


def devices(playwright) -> dict:
    return {"phone": {**playwright.devices["Pixel 5"], "device_scale_factor": 1},
            "desktop": {"viewport": {"width": 1366, "height": 768}}}


def choose_language(page, language: str) -> None:
    if page.get_attribute("html", "lang") != LANGUAGES[language]:
        with page.expect_navigation():  # the switch posts and is redirected back: no document in between
            page.locator("button[name=locale]").click()
        page.wait_for_function("(lang) => document.documentElement?.lang === lang", arg=LANGUAGES[language])


def sign_in(page, username: str) -> None:
    from app.demo.generator import PASSWORD

    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_load_state()


def take(page, shot: Shot, target: Page | None, out: Path, errors: list) -> Shot:
    from playwright.sync_api import Error as PlaywrightError

    errors.clear()
    if target is not None:
        response = page.goto(target.path)
        if response is None or response.status in (403, 404):
            shot.skipped = f"{response.status if response else '?'}: not for this role"
            return shot
        if response.status != 200:
            errors.append(f"HTTP {response.status}")
        try:
            page.wait_for_selector(target.ready, timeout=120_000)  # the offline app syncs its households first
            if target.open_household:
                page.locator("#household-search").fill(target.open_household)
                found = page.locator("a.household", has_text=target.open_household)
                try:
                    found.wait_for(timeout=10_000)
                except PlaywrightError:
                    shot.skipped = "no such household in this role's app"
                    return shot
                found.first.click()
                page.wait_for_selector(".record-form[data-complete]", timeout=60_000)
        except PlaywrightError as error:
            errors.append(f"not drawn: {str(error).splitlines()[0]}")
    page.evaluate("document.fonts.ready")
    page.wait_for_timeout(300)  # let the last requests answer and their errors arrive
    measured = page.evaluate(MEASURE)
    shot.width, shot.page_width, shot.height = measured["width"], measured["pageWidth"], measured["height"]
    shot.wide = measured["wide"] + ([f"… {measured['wideCount']} elements in all"] if measured["wideCount"] > 6 else [])
    shot.errors = list(errors)
    # Measured as it is; shot with everything painted (Chromium leaves content-visibility:
    # auto blocks blank outside the viewport, even in a full-page screenshot).
    # (Through each element's style: the page's CSP refuses an added style sheet, as it should.)
    page.evaluate("""() => { for (const element of document.querySelectorAll('*')) {
      if (getComputedStyle(element).contentVisibility === 'auto') element.style.contentVisibility = 'visible';
    } }""")
    page.screenshot(path=str(out / shot.file), full_page=True)
    return shot


def shoot(base: str, targets: list[Page], out: Path) -> list[Shot]:
    from playwright.sync_api import sync_playwright

    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for device, options in devices(playwright).items():
            for role in ("anonymous", *ROLES):
                for language in LANGUAGES:
                    context = browser.new_context(**options, base_url=base, locale=PHONE_LOCALES[language],
                                                  timezone_id="Asia/Shanghai")
                    errors = []
                    context.on("console", lambda message, errors=errors: message.type == "error" and errors.append(
                        f"console: {message.text} ({message.location.get('url', '')})"))
                    context.on("weberror", lambda error, errors=errors: errors.append(
                        f"uncaught {error.error.name}: {error.error.message}"))
                    page = context.new_page()
                    if role == "anonymous":
                        page.goto("/login")
                        choose_language(page, language)
                        shots.append(take(page, Shot(f"sign-in-anonymous-{device}-{language}.png", "sign-in", role,
                                                     device, language), None, out, errors))
                    else:
                        sign_in(page, role)
                        page.goto("/")  # an enumerator lands in the offline app, which has no language switch
                        choose_language(page, language)
                        for target in targets:
                            shot = Shot(f"{target.name}-{role}-{device}-{language}.png", target.name, role, device,
                                        language)
                            shots.append(take(page, shot, target, out, errors))
                            print(f"  {shot.file}: {shot.skipped or f'{shot.height} px tall'}", flush=True)
                    context.close()
        browser.close()
    return shots


# 4. What a person reads -------------------------------------------------------------------------

def problems(shot: Shot) -> list[str]:
    found = []
    if shot.page_width > shot.width:
        found.append(f"page {shot.page_width} px wide at a {shot.width} px viewport")
    if shot.wide:
        found.append("wider than the viewport: " + "; ".join(shot.wide))
    found += shot.errors
    return found


def write_summary(out: Path, shots: list[Shot], plan: Plan, households: int, missing: list[str]) -> None:
    taken = [shot for shot in shots if not shot.skipped]
    lines = [f"Ruhu screenshots {dt.datetime.now():%Y-%m-%d %H:%M}: demo county of {households} households, "
             f"census in progress ({', '.join(f'{k} {v}' for k, v in plan.counts.items())})",
             f"{len(taken)} screenshots in {out}; open index.html", ""]
    flagged = [(shot, found) for shot in taken if (found := problems(shot))]
    lines.append(f"Problems: {len(flagged)} screenshots with horizontal overflow or errors")
    for shot, found in flagged:
        lines.append(f"  {shot.file}")
        lines += [f"      {line}" for line in found]
    lines += ["", "Every screenshot (CSS px):"]
    for shot in shots:
        state = shot.skipped or f"{shot.width}×{shot.height}" + ("  PROBLEMS" if problems(shot) else "")
        lines.append(f"  {shot.file:<60} {state}")
    if missing:
        lines += ["", "GET routes no page here opens (add them to tools/screenshots.py): " + ", ".join(missing)]
    (out / "summary.txt").write_text("\n".join(lines) + "\n")


def write_index(out: Path, shots: list[Shot]) -> None:
    columns = sorted({(shot.role, shot.device, shot.language) for shot in shots},
                     key=lambda c: (("anonymous", *ROLES).index(c[0]), c[1] != "phone", c[2]))
    by_cell = {(shot.page, shot.role, shot.device, shot.language): shot for shot in shots}
    page_names = list(dict.fromkeys(shot.page for shot in shots))
    rows = []
    for name in page_names:
        cells = []
        for role, device, language in columns:
            shot = by_cell.get((name, role, device, language))
            if shot is None or shot.skipped:
                cells.append("<td></td>")
                continue
            note = "<br>".join(html.escape(line) for line in problems(shot))
            cells.append(f'<td class="{"bad" if note else ""}"><a href="{shot.file}"><img loading="lazy" '
                         f'src="{shot.file}" alt="{shot.file}" width="{"80" if device == "phone" else "140"}"></a>'
                         f'<br><small>{shot.height} px{("<br>" + note) if note else ""}</small></td>')
        if any(cell != "<td></td>" for cell in cells):
            rows.append(f"<tr><th>{html.escape(name)}</th>{''.join(cells)}</tr>")
    header = "".join(f"<th>{role}<br>{device}<br>{language}</th>" for role, device, language in columns)
    (out / "index.html").write_text(f"""<!doctype html><meta charset="utf-8"><title>Ruhu screenshots</title>
<style>body{{font:13px sans-serif}} td,th{{vertical-align:top;border:1px solid #ccc;padding:4px}}
td.bad{{background:#fde8e8}} small{{display:block;max-width:160px;word-break:break-word}} img{{border:1px solid #999}}
thead th{{position:sticky;top:0;background:#fff}}</style>
<h1>Ruhu: every page × role × device × language</h1><p><a href="summary.txt">summary.txt</a>: overflow and errors
per screenshot. Red cells have problems.</p>
<table><thead><tr><th>page</th>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>
""")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("SCREENSHOTS", "/tmp/ruhu-screenshots")))
    parser.add_argument("--households", type=int, default=4200)
    parser.add_argument("--only", nargs="*", help="page names (as in the file names) to take, all by default")
    args = parser.parse_args()
    out = args.out.resolve()
    if out == ROOT or ROOT in out.parents:
        raise SystemExit("Screenshots go outside the repository (--out or SCREENSHOTS).")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    instance = Path(tempfile.mkdtemp(prefix="ruhu-screenshots-"))
    environment = {**os.environ, "RUHU_INSTANCE_DIR": str(instance), "DATABASE_URL": f"sqlite:///{instance}/ruhu.sqlite3"}
    os.environ.update(environment)  # before the app is imported: config reads them
    started = time.perf_counter()
    print(f"Seeding the demo county ({args.households} households) into {instance} …", flush=True)
    flask(environment, "db", "upgrade")
    flask(environment, "demo", "seed", "--households", str(args.households))
    from app import create_app

    app = create_app(SEEDING)
    plan = census_in_progress(app)
    targets = [page for page in pages(plan) if not args.only or page.name in args.only]
    print(f"… and a census in progress ({plan.counts}) in {time.perf_counter() - started:.0f} s", flush=True)
    server, base = serve(environment)
    try:
        print(f"Taking screenshots from {base} into {out} …", flush=True)
        shots = shoot(base, targets, out)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(instance, ignore_errors=True)
    write_summary(out, shots, plan, args.households, not_shot(app, pages(plan)))
    write_index(out, shots)
    taken = [shot for shot in shots if not shot.skipped]
    print(f"{len(taken)} screenshots, {sum(1 for shot in taken if problems(shot))} with problems, "
          f"in {time.perf_counter() - started:.0f} s: {out}/index.html and {out}/summary.txt")


if __name__ == "__main__":
    main()
