"""Checked rosters, kept under the instance folder between the check and the import.

After a clean dry run the rows read from the upload are kept as JSON (the XLSX is not
parsed a second time: for 50,000 members that is most of the work). The stored name is
made here from the uploader's id and a random token, never from the client's file name.
Files a day old are removed.
"""
from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

from flask import current_app

from app.files.sheets import Sheet

TOKEN_PATTERN = r"^[A-Za-z0-9_-]{24}$"
MAX_AGE_SECONDS = 24 * 3600


def _directory() -> Path:
    directory = Path(current_app.instance_path) / "uploads"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _path(user_id: int, token: str) -> Path:
    return _directory() / f"roster-{user_id}-{token}.json"


def keep(sheet: Sheet, user_id: int) -> str:
    """Store the rows of a checked roster; returns the token that names them."""
    _prune()
    token = secrets.token_urlsafe(18)
    _path(user_id, token).write_text(json.dumps({"headers": sheet.headers, "rows": sheet.rows}, ensure_ascii=False),
                                     encoding="utf-8")
    return token


def load(user_id: int, token: str | None) -> Sheet | None:
    """The rows kept for this uploader and token, or None (bad token, already imported, or expired)."""
    if not re.match(TOKEN_PATTERN, token or ""):
        return None
    try:
        data = json.loads(_path(user_id, token).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return Sheet(data["headers"], [(number, cells) for number, cells in data["rows"]])


def remove(user_id: int, token: str) -> None:
    if re.match(TOKEN_PATTERN, token or ""):
        _path(user_id, token).unlink(missing_ok=True)


def _prune() -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in _directory().glob("roster-*.json"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:  # removed meanwhile by another request
            continue
