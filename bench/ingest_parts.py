"""Benchmark: where the batch endpoint's CPU time goes, part by part, without a profiler.

    .venv/bin/python bench/ingest_parts.py [--households 550] [--database sqlite|postgresql]

A fresh database as bench/ingest_limit.py makes it (bench/sync_ingest.py's county and
records); the first batch is pushed to warm up, then every other batch through POST
/api/sync/records (Flask test client, signed in, each response closed). Each part named in
PARTS is wrapped to add up the CPU time of this process spent inside it (a part called from
another is counted in both). Printed: ms per record and share of the pushes' CPU time. A
profiler would stretch the Python-heavy parts (the engine) several times more than the
rest; this does not.
"""
from __future__ import annotations

import argparse
import functools
import importlib
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ingest_limit import push  # noqa: E402
from sync_ingest import BATCH, make_app, phone_body, populate, records, scratch_postgres, settled, signed_in  # noqa: E402

PARTS = (
    "app.sync.ingest.ingest", "app.sync.batches.items", "app.sync.schema.record_issues", "app.sync.ingest._prepare",
    "app.census.services.facts_by_area", "app.sync.ingest._parse", "app.census.services.evaluate",
    "app.records.services.text_sha256", "app.records.services.canonical_text", "app.records.services.NewRecords.add",
    "app.records.services.NewRecords.write", "app.sync.ingest.mark_changed",
)


def wrap(name: str, spent: Counter) -> None:
    """Add up the CPU time spent in the function or method ``name`` (dotted, from its module)."""
    for split in range(1, name.count(".") + 1):  # the longest module first
        try:
            owner = importlib.import_module(name.rsplit(".", split)[0])
        except ImportError:
            continue
        for attribute in name.rsplit(".", split)[1:-1]:
            owner = getattr(owner, attribute)
        break
    attribute = name.rsplit(".", 1)[1]
    real = getattr(owner, attribute)

    @functools.wraps(real)
    def timed(*args, **kwargs):
        start = time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            spent[name] += time.process_time() - start

    setattr(owner, attribute, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=550)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ruhu-bench-"))
    os.environ.setdefault("RUHU_INSTANCE_DIR", str(work / "instance"))
    url, drop = (f"sqlite:///{work / 'parts.sqlite3'}", lambda: None) if options.database == "sqlite" \
        else scratch_postgres()
    try:
        app = make_app(url)
        with app.app_context():
            user_id, campaign_id = populate(options.households)
            made = records(campaign_id)
        spent: Counter = Counter()
        for name in PARTS:
            wrap(name, spent)
        client = signed_in(app, user_id)
        token = client.get("/api/session").get_json()["csrf_token"]
        bodies = [phone_body(made[offset:offset + BATCH]) for offset in range(0, len(made), BATCH)]
        push(client, token, bodies[0])
        settled()
        spent.clear()
        total = 0.0
        for body in bodies[1:]:
            total += push(client, token, body).cpu
        pushed = len(made) - BATCH
        print(f"{options.database}: {pushed:,} records in batches of {BATCH}, CPU {total:.2f} s,"
              f" {total / pushed * 1000:.2f} ms a record")
        for name, seconds in spent.most_common():
            print(f"  {name:42} {seconds / pushed * 1000:6.3f} ms a record  {seconds / total * 100:5.1f} %")
    finally:
        drop()


if __name__ == "__main__":
    main()
