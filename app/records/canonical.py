"""Canonical form of a record's answers: what "the same content" means in sync.

Canonical JSON has its keys sorted, no insignificant white space and is encoded as UTF-8;
two records are the same content exactly when the SHA-256 of their canonical JSON is the
same. ``field_diff`` lists, path by path, where two copies disagree (the paths are the
ones validation uses: "household.phone", "members[1].id_number").

Pure module: no Flask, no database.
"""
from __future__ import annotations

import hashlib
import json


def canonical_text(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value) -> bytes:
    return canonical_text(value).encode("utf-8")


def content_sha256(value) -> str:
    return text_sha256(canonical_text(value))


def text_sha256(text: str) -> str:
    """content_sha256 of the value whose canonical_text is ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _leaves(value, path: str, found: dict) -> dict:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            _leaves(item, f"{path}.{key}" if path else key, found)
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            _leaves(item, f"{path}[{index}]", found)
    else:
        found[path] = value
    return found


def field_diff(stored: dict, received: dict) -> list[dict]:
    """[{path, stored, received}] for every leaf that differs, in path order; a leaf absent
    from one side is None there."""
    left, right = _leaves(stored, "", {}), _leaves(received, "", {})
    return [{"path": path, "stored": left.get(path), "received": right.get(path)}
            for path in sorted(left.keys() | right.keys())
            if canonical_json(left.get(path)) != canonical_json(right.get(path))]  # true is not 1
