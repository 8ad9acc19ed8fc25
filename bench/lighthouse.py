"""Benchmark: Lighthouse's performance and accessibility scores of the main pages (issue 15).

    make bench-lighthouse
    .venv/bin/python bench/lighthouse.py [--households 4200] [--app-households 1200] [--runs 3]
                                         [--only NAME ...]

1. Installs lighthouse 12.8.2 and chrome-launcher 1.2.1 with npm into a cache folder outside
   the repository (RUHU_LIGHTHOUSE_CACHE, ~/.cache/ruhu-lighthouse by default), once.
2. Seeds the demo county with a census in progress as `make screenshots` does
   (tools/screenshots.py), keeps the first --app-households of the enumerator's households
   assigned to them, and serves it with gunicorn (gunicorn.conf.py, compression as shipped).
3. Signs in each role once over HTTP and runs Lighthouse (Debian's Chromium, a fresh profile
   each run: nothing cached, no service worker yet) on each page with that session cookie as
   an extra header: the mobile preset (Moto G power, slow 4G and 4× CPU, simulated) on every
   page, the desktop preset too on the office pages. Each figure is the median of --runs runs.
   Baseline in the same run and conditions: a page of one paragraph served on loopback by
   this script, which shows what this machine scores for a page that costs nothing.
Prints a Markdown table (for docs/benchmarks.md) and each audit that cost points. Targets:
performance ≥ 95 and accessibility 100 on each page.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tools.screenshots import CHROMIUM, CHROMIUM_FLAGS, SEEDING, census_in_progress, flask, serve  # noqa: E402

LIGHTHOUSE, CHROME_LAUNCHER = "12.8.2", "1.2.1"
CACHE = Path(os.environ.get("RUHU_LIGHTHOUSE_CACHE", Path.home() / ".cache" / "ruhu-lighthouse"))
PERFORMANCE_TARGET, ACCESSIBILITY_TARGET = 95, 100
METRICS = {"FCP": "first-contentful-paint", "LCP": "largest-contentful-paint", "TBT": "total-blocking-time",
           "CLS": "cumulative-layout-shift", "SI": "speed-index"}


BASELINE = "baseline"
BASELINE_PAGE = (b'<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" '
                 b'content="width=device-width, initial-scale=1"><title>Baseline</title><p>One paragraph.</p>')


def serve_baseline() -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the name http.server calls)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(BASELINE_PAGE)))
            self.end_headers()
            self.wfile.write(BASELINE_PAGE)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


@dataclass(frozen=True)
class Target:
    key: str  # for --only
    name: str
    path: str  # on the app's server; BASELINE is served here
    role: str | None  # the demo login whose session opens it; None: signed out
    desktop: bool = True  # also with the desktop preset (office pages); the phone's app is mobile only


def targets(plan, form_household: int) -> list[Target]:
    return [
        Target("baseline", "baseline: one paragraph", BASELINE, None),
        Target("sign-in", "sign-in", "/login", None),
        Target("app", "/app, first open", "/app", "enumerator", desktop=False),
        Target("census-form", "census form (in the app)", f"/app#/household/{form_household}", "enumerator",
               desktop=False),
        Target("review-queue", "review queue", "/review/", "village"),
        Target("review-record", "record detail", f"/review/records/{plan.submitted}", "village"),
        Target("assessment", "assessment list", "/monitoring/assessment", "village"),
        Target("assess-record", "assessed record", f"/monitoring/assessment/{plan.flagged}", "village"),
        Target("dashboard", "dashboard (county)", "/reports/", "countyapprover"),
    ]


def install() -> Path:
    """The Lighthouse CLI in the cache folder, installed there once."""
    cli = CACHE / "node_modules" / "lighthouse" / "cli" / "index.js"
    installed = CACHE / "node_modules" / "lighthouse" / "package.json"
    if not installed.exists() or json.loads(installed.read_text())["version"] != LIGHTHOUSE:
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"Installing lighthouse@{LIGHTHOUSE} into {CACHE} …", flush=True)
        subprocess.run(["npm", "install", "--prefix", str(CACHE), "--no-audit", "--no-fund", "--loglevel=error",
                        f"lighthouse@{LIGHTHOUSE}", f"chrome-launcher@{CHROME_LAUNCHER}"], check=True)
    return cli


def keep_assigned(app, count: int) -> int:
    """Leave the demo enumerator the first ``count`` of their households (by number); the id
    of one of them never visited, for the census form."""
    from sqlalchemy import delete, func, select

    from app.auth.models import User
    from app.campaigns.models import Assignment
    from app.extensions import db
    from app.households.models import Household
    from app.records.models import Submission

    with app.app_context():
        enumerator = db.session.scalar(select(User.id).where(User.username == "enumerator"))
        kept = (select(Assignment.id).join(Household).where(Assignment.enumerator_id == enumerator)
                .order_by(Household.household_number).limit(count))
        db.session.execute(delete(Assignment).where(Assignment.enumerator_id == enumerator,
                                                    Assignment.id.not_in(kept)))
        db.session.commit()
        assigned = db.session.scalar(select(func.count()).select_from(Assignment)
                                     .where(Assignment.enumerator_id == enumerator))
        assert assigned == count, f"the demo enumerator has only {assigned} households"
        visited = select(Submission.household_id)
        return db.session.scalar(select(Assignment.household_id).join(Household)
                                 .where(Assignment.enumerator_id == enumerator,
                                        Assignment.household_id.not_in(visited))
                                 .order_by(Household.household_number.desc()).limit(1))


def session_cookie(base: str, username: str) -> str:
    """The Cookie header of ``username`` signed in through the sign-in form, as a browser does."""
    from app.demo.generator import PASSWORD

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token}).encode()
    opener.open(urllib.request.Request(f"{base}/login?next=/", data=form))
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def lighthouse(cli: Path, url: str, cookie: str | None, desktop: bool, workdir: Path) -> dict:
    """One Lighthouse run in a fresh Chromium profile; its JSON report."""
    profile = Path(tempfile.mkdtemp(prefix="profile-", dir=workdir))
    report = workdir / "report.json"
    command = ["node", str(cli), url, "--output=json", f"--output-path={report}", "--quiet",
               "--only-categories=performance,accessibility",
               f"--chrome-flags={' '.join(CHROMIUM_FLAGS)} --user-data-dir={profile}"]
    command += ["--preset=desktop"] if desktop else ["--form-factor=mobile"]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    done = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True)
    shutil.rmtree(profile, ignore_errors=True)
    if done.returncode:
        raise SystemExit(f"lighthouse {url} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return json.loads(report.read_text())


@dataclass
class Row:
    target: Target
    device: str
    performance: list
    accessibility: list
    metrics: dict
    lost: set  # the audits that cost points, with their figure

    def line(self) -> str:
        def median(values):
            return statistics.median(values)

        figures = [f"{median(self.metrics['FCP']) / 1000:.1f} s", f"{median(self.metrics['LCP']) / 1000:.1f} s",
                   f"{median(self.metrics['TBT']):.0f} ms", f"{median(self.metrics['CLS']):.3f}",
                   f"{median(self.metrics['SI']) / 1000:.1f} s"]
        return (f"| {self.target.name} | {self.device} | {median(self.performance):.0f} | "
                f"{median(self.accessibility):.0f} | {' | '.join(figures)} |")


def lost_points(report: dict) -> set[str]:
    """The audits weighed in a category that did not pass, with their displayed value."""
    lost = set()
    for category in report["categories"].values():
        for reference in category["auditRefs"]:
            audit = report["audits"][reference["id"]]
            if reference["weight"] and audit["score"] is not None and audit["score"] < 0.9:
                lost.add(f"{category['id']}: {audit['id']} {audit.get('displayValue', '')}".strip())
    return lost


def measure(cli: Path, base: str, chosen: list[Target], runs: int, workdir: Path, keep: Path | None) -> list[Row]:
    cookies = {role: session_cookie(base, role) for role in {target.role for target in chosen} if role}
    baseline, baseline_url = serve_baseline()
    rows = []
    for target in chosen:
        for device in ("mobile", "desktop") if target.desktop else ("mobile",):
            row = Row(target, device, [], [], {name: [] for name in METRICS}, set())
            for _ in range(runs):
                started = time.perf_counter()
                url = baseline_url if target.path == BASELINE else base + target.path
                report = lighthouse(cli, url, cookies.get(target.role), device == "desktop", workdir)
                if report.get("runtimeError"):
                    raise SystemExit(f"lighthouse {target.path}: {report['runtimeError']}")
                if keep:  # the whole report, to see what cost points (layout shifts, long tasks …)
                    keep.mkdir(parents=True, exist_ok=True)
                    (keep / f"{target.key}-{device}-{len(row.performance) + 1}.json").write_text(json.dumps(report))
                row.performance.append(report["categories"]["performance"]["score"] * 100)
                row.accessibility.append(report["categories"]["accessibility"]["score"] * 100)
                for name, audit in METRICS.items():
                    row.metrics[name].append(report["audits"][audit]["numericValue"])
                row.lost |= lost_points(report)
                print(f"  {target.name} ({device}): performance {row.performance[-1]:.0f}, accessibility "
                      f"{row.accessibility[-1]:.0f} in {time.perf_counter() - started:.0f} s", flush=True)
            rows.append(row)
    baseline.shutdown()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=4200)
    parser.add_argument("--app-households", type=int, default=1200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="pages to run (baseline, sign-in, app, census-form, review-queue, "
                        "review-record, assessment, assess-record, dashboard), all by default")
    parser.add_argument("--keep", type=Path, help="write each run's JSON report into this folder")
    args = parser.parse_args()
    cli = install()

    workdir = Path(tempfile.mkdtemp(prefix="ruhu-lighthouse-"))
    environment = {**os.environ, "RUHU_INSTANCE_DIR": str(workdir),
                   "DATABASE_URL": f"sqlite:///{workdir}/ruhu.sqlite3"}
    os.environ.update(environment)  # before the app is imported: config reads them
    print(f"Seeding the demo county ({args.households} households) into {workdir} …", flush=True)
    flask(environment, "db", "upgrade")
    flask(environment, "demo", "seed", "--households", str(args.households))
    from app import create_app

    app = create_app(SEEDING)
    plan = census_in_progress(app)
    form_household = keep_assigned(app, args.app_households)
    chosen = [target for target in targets(plan, form_household) if not args.only or target.key in args.only]
    server, base = serve(environment)
    try:
        print(f"Lighthouse {LIGHTHOUSE} on {base}, {args.runs} run(s) a page …", flush=True)
        rows = measure(cli, base, chosen, args.runs, workdir, args.keep)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"\nLighthouse {LIGHTHOUSE}, Chromium {CHROMIUM}, demo county of {args.households} households "
          f"({args.app_households} assigned to the enumerator), median of {args.runs} run(s):\n")
    print("| page | preset | performance | accessibility | FCP | LCP | TBT | CLS | Speed Index |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(row.line())
    print(f"\nTargets: performance ≥ {PERFORMANCE_TARGET}, accessibility {ACCESSIBILITY_TARGET}.")
    for row in rows:
        missed = (statistics.median(row.performance) < PERFORMANCE_TARGET
                  or statistics.median(row.accessibility) < ACCESSIBILITY_TARGET)
        if row.lost:
            print(f"{'NOT met' if missed else 'met'}: {row.target.name} ({row.device}): {'; '.join(sorted(row.lost))}")


if __name__ == "__main__":
    main()
