"""Benchmark: how long a failed sign-in takes for an unknown username, a deactivated one and
a known one with a wrong password, with the production hash (werkzeug's scrypt, N=2^15).
If the three differ, the time of an answer tells an attacker which usernames exist.

    .venv/bin/python bench/login_timing.py [--samples 30]

A fresh SQLite database made by the migrations, two users (one deactivated), sign-ins posted
through the real endpoint (Flask test client, CSRF token as a browser sends it); the
throttle is set out of the way. Prints the median and the spread of each kind.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("RUHU_INSTANCE_DIR", tempfile.mkdtemp(prefix="ruhu-bench-login-"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=30)
    options = parser.parse_args()

    from flask_migrate import upgrade

    from app import create_app
    from app.auth.models import User
    from app.extensions import db

    work = Path(tempfile.mkdtemp(prefix="ruhu-bench-login-db-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "LOGIN_FAILURE_LIMIT": 10**6, "LOGIN_FAILURE_ADDRESS_LIMIT": 10**6})
    with app.app_context():
        upgrade()
        for username, active in (("known", True), ("inactive", False)):
            user = User(username=username, display_name=username, role="enumerator", active=active)
            user.set_password("Lantern-orchard-47")
            db.session.add(user)
        db.session.commit()
    client = app.test_client()
    kinds = {"unknown username": "nobody", "deactivated username": "inactive", "known username, wrong password": "known"}
    print(f"failed sign-ins, {app.config['PASSWORD_HASH_METHOD']}, median of {options.samples} after a warming one")
    for label, username in kinds.items():
        times = []
        for sample in range(options.samples + 1):
            start = time.perf_counter()
            response = client.post("/login", data={"username": username, "password": "wrong password"})
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 401, response.status_code
            if sample:
                times.append(elapsed)
        quartiles = statistics.quantiles(times, n=4)
        print(f"  {label:<32} {statistics.median(times):7.1f} ms   (quartiles {quartiles[0]:.1f}–{quartiles[2]:.1f})")


if __name__ == "__main__":
    main()
