"""Benchmark: the offline app on a phone.

    .venv/bin/python bench/pwa.py [--households 5000] [--rate 4] [--samples 10]
                                  [--open-households 1200] [--open-samples 3] [--only shell|open]

Serves the real app on a fresh SQLite database (made by the migrations) with N households
assigned to one enumerator, and measures in Debian's Chromium as a Pixel 5:

1. First-load transfer of the app shell: every file the phone downloads to run offline
   (the service worker's precache list plus the worker itself), gzip level 6 (what the app
   sends a gzip-only client; zstd and br come out smaller), household data excluded. Baseline: the same files uncompressed.
   Target ≤ 150 KB.
2. Opening the form offline with 4× CPU throttling: from the tap on a household to the
   form drawn with its totals, and a cold reload of a record's address offline (module
   loading from the worker's cache included). Baseline: one text change + layout.
   Target ≤ 1 s.
3. Offline search over the N assigned households with 4× CPU throttling: from the
   keystroke to the list redrawn. Target ≤ 100 ms.
4. Opening the app for an enumerator with 1,200 assigned households (--open-households) of
   the demo county (`flask demo seed`: realistic households, 3.5 members on average) at
   4× CPU throttling, on loopback and on Lighthouse's mobile network (slow 4G, applied as
   DevTools does), against two servers over one database: compression on (the app as
   shipped) and off (COMPRESS_REGISTER = False). First open: a signed-in phone that never
   opened /app, from navigation to the first household drawn (the shell, its modules, the
   form bundle and the first sync included), with the bytes it received. Later opens: a
   reload once everything is stored and the sync the page before it started has ended. Baseline in the same run and conditions: the first open
   of an enumerator with no households (the empty list drawn). Targets: first ≤ 3 s, later
   ≤ 1 s.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import statistics
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "bench-password-1"
BUDGET_KB, OPEN_BUDGET_MS, SEARCH_BUDGET_MS = 150, 1000, 100
FIRST_OPEN_BUDGET_MS, LATER_OPEN_BUDGET_MS = 3000, 1000
# Lighthouse's mobile throttling (150 ms, 1.6 Mbit/s down, 750 kbit/s up) as DevTools applies it.
SLOW_4G = {"offline": False, "latency": 150 * 3.75, "downloadThroughput": 1.6 * 1024 * 1024 / 8 * 0.9,
           "uploadThroughput": 750 * 1024 / 8 * 0.9}

# Notes in window.__marks, from navigation start, the frame after each selector first appears:
# timed inside the page, so no polling from outside is counted.
MARKS = """(watch) => {
    window.__marks = {};
    new MutationObserver(() => {
      for (const [name, selector] of Object.entries(watch)) {
        if (!(name in window.__marks) && document.querySelector(selector)) {
          window.__marks[name] = null;
          requestAnimationFrame(() => { window.__marks[name] = performance.now(); });
        }
      }
    }).observe(document, { childList: true, subtree: true, attributes: true });
  }"""


def marks(watch: dict[str, str]) -> str:
    """The init script that marks when each of ``watch``'s selectors first appears."""
    return f"({MARKS})({json.dumps(watch)})"


def build_database(app, households: int) -> None:
    """A county with one village of N households (3 members each), all assigned to `bench`."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from app import identity
    from app.auth.models import User
    from app.campaigns.models import Assignment, Campaign, MonitoringThreshold
    from app.extensions import db
    from app.geo.models import Area
    from app.households.models import Household, Member

    with app.app_context():
        upgrade()
        county = Area(code="530102000000", name="县", level="county", code_year=2026)
        township = Area(code="530102100000", name="镇", level="township", parent=county, code_year=2026)
        village = Area(code="530102100201", name="大坪村", level="village", parent=township, code_year=2026)
        user = User(username="bench", display_name="Bench", role="enumerator", areas=[village])
        user.set_password(PASSWORD)
        campaign = Campaign(name="2026", year=2026, form_version="2026.1")
        db.session.add_all([county, township, village, user, campaign])
        db.session.flush()
        db.session.add(MonitoringThreshold(campaign_id=campaign.id, year=2026, area_id=county.id, amount_fen=870000))
        surnames = "王李张刘陈杨赵黄周吴"
        db.session.execute(insert(Household), [
            {"household_number": f"530102100201{n:05d}", "village_id": village.id, "household_type": "ordinary",
             "phone": f"139{n:08d}"} for n in range(households)])
        ids = db.session.scalars(select(Household.id).order_by(Household.household_number)).all()
        members, sequence = [], 0
        for n, household_id in enumerate(ids):
            for relation, offset in (("head", 0), ("spouse", 2), ("son", 28)):
                sequence += 1
                sex = "female" if relation == "spouse" else "male"
                born = dt.date(1950 + n % 30 + offset, 1 + n % 12, 1 + n % 28)
                seq = (sequence * 2 + (1 if sex == "male" else 0)) % 1000
                members.append({"household_id": household_id, "name": f"{surnames[n % 10]}{relation[:1]}{n}",
                                "id_number": identity.make(f"53{sequence // 500:04d}", born, seq), "sex": sex,
                                "birth_date": born, "relation": relation, "labour_capacity": "ordinary",
                                "residents_medical_insurance": True})
        db.session.execute(insert(Member), members)
        db.session.execute(insert(Assignment), [
            {"campaign_id": campaign.id, "household_id": household_id, "enumerator_id": user.id} for household_id in ids])
        db.session.commit()


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"median {statistics.median(ordered):7.1f} ms   max {ordered[-1]:7.1f} ms"


def transfer(page, base: str) -> tuple[int, int, int]:
    source = page.evaluate("fetch('/sw.js').then((r) => r.text())")
    urls = json.loads(source.split("const PRECACHE = ", 1)[1].split(";\n", 1)[0])
    raw = compressed = 0
    bodies = {"/sw.js": source.encode()}
    for url in urls:
        bodies[url] = bytes(page.evaluate("(url) => fetch(url).then((r) => r.arrayBuffer()).then((b) => Array.from(new Uint8Array(b)))", url))
    for body in bodies.values():
        raw += len(body)
        compressed += len(gzip.compress(body, 6))
    return len(bodies), raw, compressed


def serve(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def sign_in(page, username: str) -> None:
    """Signed in on the home page: an enumerator would land in /app, and its first open is
    what is measured."""
    page.goto("/login?next=/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def shell_and_form(args, workdir: Path) -> None:
    """Cases 1–3."""
    from playwright.sync_api import sync_playwright

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}"})
    build_database(app, args.households)
    server, base = serve(app)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        context = browser.new_context(**playwright.devices["Pixel 5"], base_url=base)
        page = context.new_page()
        sign_in(page, "bench")
        page.goto("/app")
        page.wait_for_selector("body[data-app-ready]")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.wait_for_selector("a.household", timeout=120_000)
        files, raw, compressed = transfer(page, base)

        context.set_offline(True)
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": args.rate})
        baseline = [page.evaluate("""() => { const node = document.querySelector('h1'); const start = performance.now();
            node.textContent = node.textContent + ''; document.body.offsetHeight; return performance.now() - start; }""")
                    for _ in range(args.samples)]
        searches = []
        for query in ["王h12", "0001", "5301021002010421", "大坪"] * max(1, args.samples // 4):
            searches.append(page.evaluate("""(query) => { const input = document.getElementById('household-search');
                const start = performance.now(); input.value = query; input.dispatchEvent(new Event('input', { bubbles: true }));
                document.body.offsetHeight; return performance.now() - start; }""", query))
        page.evaluate("""() => { const input = document.getElementById('household-search'); input.value = '';
            input.dispatchEvent(new Event('input', { bubbles: true })); }""")
        # Timed inside the page: from the tap to the frame after the selector appears. "Usable":
        # the totals bar and the first sections; "complete": every section drawn and validated.
        until = """([tap, selector]) => new Promise((resolve) => {
            const start = performance.now();
            const done = () => requestAnimationFrame(() => resolve(performance.now() - start));
            const observer = new MutationObserver(() => {
              if (document.querySelector(selector)) { observer.disconnect(); done(); }
            });
            observer.observe(document.body, { childList: true, subtree: true, attributes: true });
            if (tap) document.querySelector('a.household').click();
          })"""
        usable, complete = ".record-form .sticky-bar .figure", ".record-form[data-complete]"
        opens = {"usable": [], "complete": []}
        for index in range(args.samples):
            kind = "usable" if index % 2 == 0 else "complete"
            opens[kind].append(page.evaluate(until, [True, usable if kind == "usable" else complete]))
            page.wait_for_selector(complete)
            page.evaluate("() => { location.hash = '#/'; }")
            page.wait_for_selector("a.household")
        page.locator("a.household").first.click()
        page.wait_for_selector(complete)
        # A cold reload, timed inside the page from navigation start.
        page.add_init_script(marks({"usable": usable, "complete": complete}))
        reloads = {"usable": [], "complete": []}
        for _ in range(max(3, args.samples // 2)):
            page.reload()  # a real navigation: modules come from the worker's cache
            page.wait_for_function("() => window.__marks && window.__marks.complete")
            for kind, value in page.evaluate("() => window.__marks").items():
                reloads[kind].append(value)
        browser.close()
    server.shutdown()

    print(f"offline app, {args.households} assigned households, Pixel 5 emulation, CPU throttled {args.rate:g}x where noted")
    print(f"1. first-load transfer: {files} files, {raw / 1024:7.1f} KB uncompressed (baseline), "
          f"{compressed / 1024:7.1f} KB gzip   budget {BUDGET_KB} KB: {'met' if compressed / 1024 <= BUDGET_KB else 'NOT met'}")
    print(f"   baseline: one text change + layout ({args.rate:g}x)   {summary(baseline)}")
    for kind in ("usable", "complete"):
        print(f"2. open a household's form offline, {kind:<8} ({args.rate:g}x)  {summary(opens[kind])}")
    for kind in ("usable", "complete"):
        print(f"   cold reload of a record offline, {kind:<8} ({args.rate:g}x) {summary(reloads[kind])}")
    worst = max(statistics.median(samples) for samples in [*opens.values(), *reloads.values()])
    print(f"   budget {OPEN_BUDGET_MS} ms: {'met' if worst <= OPEN_BUDGET_MS else 'NOT met'} (worst median {worst:.0f} ms)")
    print(f"3. offline search over {args.households} households ({args.rate:g}x) {summary(searches)}   "
          f"budget {SEARCH_BUDGET_MS} ms: {'met' if statistics.median(searches) <= SEARCH_BUDGET_MS else 'NOT met'}")


def first_open(browser, device: dict, base: str, username: str, rate: float, network: dict | None):
    """A phone signed in as ``username`` that never opened /app opens it: the page (kept
    open, throttled), the ms to the first household drawn (or to the empty list for a user
    with none), the bytes received (page and worker) and the households' answer as sent
    and as read."""
    context = browser.new_context(**device, base_url=base)
    page = context.new_page()
    sign_in(page, username)
    finished = []
    context.on("requestfinished", lambda request: finished.append(request))
    context.add_init_script(marks({"household": "a.household", "list": "#household-search"}))
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
    if network:
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", network)
    mark = "list" if username == "empty" else "household"
    page.goto("/app")
    page.wait_for_function(f"() => window.__marks && window.__marks.{mark}", timeout=300_000)
    elapsed = page.evaluate(f"() => window.__marks.{mark}")
    page.wait_for_selector('[data-last-sync]:not([data-last-sync=""])', timeout=300_000)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    received, households = 0, (0, 0)
    for request in finished:
        sizes = request.sizes()
        received += sizes["responseHeadersSize"] + sizes["responseBodySize"]
        if (urlparse(request.url).path == "/api/sync/households" and (response := request.response())
                and response.status == 200):  # the list, not its forms
            households = (sizes["responseBodySize"], len(response.body()))
    return page, elapsed, received, households


def later_opens(page, samples: int) -> list[float]:
    """Reloads of an app that has everything stored (the page keeps its throttling), each once
    the sync the page before it started has ended: an app opened again, not cut mid-sync."""
    times = []
    for _ in range(samples):
        page.wait_for_function("() => document.body.dataset.syncing === 'false'", timeout=300_000)
        page.reload()
        page.wait_for_function("() => window.__marks && window.__marks.household")
        times.append(page.evaluate("() => window.__marks.household"))
    return times


def demo_county(app, assigned: int) -> None:
    """The demo county, its enumerator keeping the first ``assigned`` of their households;
    `empty`, another enumerator of 大坪村, has none."""
    from flask_migrate import upgrade
    from sqlalchemy import delete, select

    from app.auth.models import User
    from app.campaigns.models import Assignment
    from app.demo import services
    from app.extensions import db
    from app.geo.models import Area
    from app.households.models import Household

    with app.app_context():
        upgrade()
        services.seed(2026, 4200)
        kept = select(Assignment.id).join(Household).order_by(Household.household_number).limit(assigned)
        db.session.execute(delete(Assignment).where(Assignment.id.not_in(kept)))
        empty = User(username="empty", display_name="Empty", role="enumerator",
                     areas=[db.session.scalar(select(Area).where(Area.code == "532339100201"))])
        empty.set_password(PASSWORD)
        db.session.add(empty)
        db.session.commit()
        for user in db.session.scalars(select(User).where(User.username == "enumerator")):
            user.set_password(PASSWORD)
        db.session.commit()
        count = db.session.scalar(select(db.func.count()).select_from(Assignment))
        assert count == assigned, f"the demo enumerator has only {count} households"


def app_opens(args, workdir: Path) -> None:
    """Case 4."""
    from playwright.sync_api import sync_playwright

    from app import create_app

    url = f"sqlite:///{workdir / 'open.sqlite3'}"
    compressed = create_app({"SQLALCHEMY_DATABASE_URI": url})
    demo_county(compressed, args.open_households)
    servers = {"compressed": serve(compressed), "uncompressed": serve(create_app({"SQLALCHEMY_DATABASE_URI": url,
                                                                                  "COMPRESS_REGISTER": False}))}
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        device = playwright.devices["Pixel 5"]
        for network_name, network in (("loopback", None), ("slow 4G", SLOW_4G)):
            for label, (_, base) in servers.items():
                empty, first, later, received, households = [], [], [], [], (0, 0)
                for _ in range(args.open_samples):
                    page, elapsed, _, _ = first_open(browser, device, base, "empty", args.rate, network)
                    page.context.close()
                    empty.append(elapsed)
                    page, elapsed, size, households = first_open(browser, device, base, "enumerator", args.rate,
                                                                 network)
                    first.append(elapsed)
                    received.append(size)
                    later += later_opens(page, args.open_samples)
                    page.context.close()
                rows.append((network_name, label, empty, first, later, statistics.median(received), households))
        browser.close()
    for server, _ in servers.values():
        server.shutdown()

    print(f"4. open the app, {args.open_households} assigned households, Pixel 5, CPU {args.rate:g}x, "
          f"{args.open_samples} first opens and {args.open_samples ** 2} later opens each")
    for network_name, label, empty, first, later, received, (sent, read) in rows:
        print(f"   {network_name:<8} {label:<12} baseline, first open with no households  {summary(empty)}")
        print(f"   {network_name:<8} {label:<12} first open, to the first household       {summary(first)}   "
              f"received {received / 1024:7.1f} KB (households {sent / 1024:.1f} KB sent, {read / 1024:.1f} KB read)")
        print(f"   {network_name:<8} {label:<12} later open (reload), to the first household {summary(later)}")
        first_ok = statistics.median(first) <= FIRST_OPEN_BUDGET_MS
        later_ok = statistics.median(later) <= LATER_OPEN_BUDGET_MS
        print(f"   {'':<8} {'':<12} budgets {FIRST_OPEN_BUDGET_MS} / {LATER_OPEN_BUDGET_MS} ms: "
              f"first {'met' if first_ok else 'NOT met'}, later {'met' if later_ok else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=4)
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--open-households", type=int, default=1200)
    parser.add_argument("--open-samples", type=int, default=3)
    parser.add_argument("--only", choices=("shell", "open"), help="cases 1-3 (shell) or case 4 (open) alone")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="ruhu-bench-"))
    os.environ["RUHU_INSTANCE_DIR"] = str(workdir)
    if args.only != "open":
        shell_and_form(args, workdir)
    if args.only != "shell":
        app_opens(args, workdir)


if __name__ == "__main__":
    main()
