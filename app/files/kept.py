"""Uploaded tables kept for the worker (the roster between its check and its import, a
department's warning list until its import job has run), under ``JOBS_DIR/uploads``: the
directory web and worker share.

The rows read from the upload are kept as JSON (the XLSX is not parsed a second time: for
50,000 members that is most of the work). The stored name is made here from what it is (a
kind of upload), the uploader's id and a random token, never from the client's file name.
The job removes it once run; files a day old are removed.
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


def directory() -> Path:
    path = Path(current_app.config["JOBS_DIR"]) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(kind: str, user_id: int, token: str) -> Path:
    return directory() / f"{kind}-{user_id}-{token}.json"


def _valid(token: str | None) -> bool:
    return bool(re.match(TOKEN_PATTERN, token or ""))


def keep(kind: str, sheet: Sheet, user_id: int) -> str:
    """Store the rows of an uploaded table; returns the token that names them."""
    _prune()
    token = secrets.token_urlsafe(18)
    _path(kind, user_id, token).write_text(
        json.dumps({"headers": sheet.headers, "rows": sheet.rows}, ensure_ascii=False), encoding="utf-8")
    return token


def exists(kind: str, user_id: int, token: str | None) -> bool:
    return _valid(token) and _path(kind, user_id, token).exists()


def load(kind: str, user_id: int, token: str | None) -> Sheet | None:
    """The rows kept for this uploader and token, or None (bad token, already imported, or expired)."""
    if not _valid(token):
        return None
    try:
        data = json.loads(_path(kind, user_id, token).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return Sheet(data["headers"], [(number, cells) for number, cells in data["rows"]])


def remove(kind: str, user_id: int, token: str | None) -> None:
    if _valid(token):
        _path(kind, user_id, token).unlink(missing_ok=True)


def _prune() -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in directory().glob("*.json"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:  # removed meanwhile by another request
            continue
