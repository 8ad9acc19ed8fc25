"""Benchmark: the offline app on a phone.

    .venv/bin/python bench/pwa.py [--households 5000] [--rate 4] [--samples 10]

Serves the real app on a fresh SQLite database (made by the migrations) with N households
assigned to one enumerator, and measures in Debian's Chromium as a Pixel 5:

1. First-load transfer of the app shell: every file the phone downloads to run offline
   (the service worker's precache list plus the worker itself), gzip-compressed as nginx
   would send it, household data excluded. Baseline: the same files uncompressed.
   Target ≤ 150 KB.
2. Opening the form offline with 4× CPU throttling: from the tap on a household to the
   form drawn with its totals, and a cold reload of a record's address offline (module
   loading from the worker's cache included). Baseline: one text change + layout.
   Target ≤ 1 s.
3. Offline search over the N assigned households with 4× CPU throttling: from the
   keystroke to the list redrawn. Target ≤ 100 ms.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "bench-password-1"
BUDGET_KB, OPEN_BUDGET_MS, SEARCH_BUDGET_MS = 150, 1000, 100


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=4)
    parser.add_argument("--samples", type=int, default=10)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="ruhu-bench-"))
    os.environ["RUHU_INSTANCE_DIR"] = str(workdir)
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}"})
    build_database(app, args.households)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        context = browser.new_context(**playwright.devices["Pixel 5"], base_url=base)
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("用户名").fill("bench")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.goto("/app")
        page.wait_for_selector("body[data-app-ready]")
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        page.wait_for_selector("button.household", timeout=120_000)
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
            if (tap) document.querySelector('button.household').click();
          })"""
        usable, complete = ".record-form .sticky-bar .figure", ".record-form[data-complete]"
        opens = {"usable": [], "complete": []}
        for index in range(args.samples):
            kind = "usable" if index % 2 == 0 else "complete"
            opens[kind].append(page.evaluate(until, [True, usable if kind == "usable" else complete]))
            page.wait_for_selector(complete)
            page.evaluate("() => { location.hash = '#/'; }")
            page.wait_for_selector("button.household")
        page.locator("button.household").first.click()
        page.wait_for_selector(complete)
        # A cold reload, timed inside the page from navigation start: an init script notes when
        # each selector first appears (and the frame after it), so no polling from outside is counted.
        page.add_init_script("""(() => {
            window.__marks = {};
            const watch = { usable: '.record-form .sticky-bar .figure', complete: '.record-form[data-complete]' };
            new MutationObserver(() => {
              for (const [name, selector] of Object.entries(watch)) {
                if (!(name in window.__marks) && document.querySelector(selector)) {
                  window.__marks[name] = null;
                  requestAnimationFrame(() => { window.__marks[name] = performance.now(); });
                }
              }
            }).observe(document, { childList: true, subtree: true, attributes: true });
          })()""")
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


if __name__ == "__main__":
    main()
