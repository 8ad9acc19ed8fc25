"""The push's schema (同步数据格式): the one place that says what a batch and a record of
``POST /api/sync/records`` look like (docs/sync.md, Push), checked at the edge before
anything of a record is looked up or stored.

What must always hold:
- A record that passes fits the columns it is stored in: ids and revisions within the
  32-bit integer columns, the form version within its column, nothing a database cannot
  store (app.jsonbody.unstorable) anywhere in it.
- A record that fails is answered ``invalid`` with one issue per field (path, code
  ``malformed`` or the unstorable value's code, a message in the user's language); it
  never reaches a query, so input never answers ``error``.
- JSON's integers are integers here: ``7.0`` and ``true`` are not a household id.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _
from jsonschema import Draft202012Validator, validators

from app.codes import N_
from app.jsonbody import unstorable
from app.records.models import ATTACHMENT_KINDS
from app.typed import INT32_MAX

# household.id, submission_revision.base_revision: PostgreSQL integer columns
ID_INTEGER = {"type": "integer", "minimum": 1, "maximum": INT32_MAX}

RECORD = {
    "type": "object",
    "required": ["id", "household_id", "form_version", "answers"],
    "properties": {
        "id": {"type": "string", "maxLength": 36},
        "household_id": ID_INTEGER,
        "form_version": {"type": "string", "minLength": 1, "maxLength": 32},
        "base_revision": {"anyOf": [{"type": "null"}, ID_INTEGER]},
        "answers": {"type": "object"},
        "client_result": {"type": ["object", "null"]},
        "attachments": {"type": "array", "items": {
            "type": "object",
            "required": ["sha256", "kind"],
            "properties": {
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "kind": {"enum": list(ATTACHMENT_KINDS)},
                "content_type": {"type": "string", "maxLength": 100},
                "size": {"type": "integer", "minimum": 0},
            },
        }},
    },
}
BATCH = {"type": "object", "required": ["records"], "properties": {"records": {"type": "array"}}}

# One sentence per field, whatever rule of the field failed.
MESSAGES = {
    "": N_("记录应为 JSON 对象。"),
    "id": N_("记录编号应为 UUID。"),
    "household_id": N_("农户 ID 应为 1 到 2147483647 之间的整数。"),
    "form_version": N_("调查表版本应为不超过 32 个字符的文字。"),
    "base_revision": N_("基于的修订号应为 1 到 2147483647 之间的整数或 null。"),
    "answers": N_("答案应为 JSON 对象。"),
    "client_result": N_("手机端结果应为 JSON 对象。"),
    "attachments": N_("附件应为列表。"),
    "attachment": N_("附件应给出 64 位小写十六进制的 SHA-256 和类别（签名或照片）。"),
}


def _strict_integer(_checker, value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_Validator = validators.extend(Draft202012Validator, type_checker=Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", _strict_integer))
_RECORD = _Validator(RECORD)
_BATCH = _Validator(BATCH)


def message(field: str) -> str:
    """The sentence for a field of the wrong shape, in the user's language."""
    return _(MESSAGES[field])


def is_batch(body) -> bool:
    return type(body) is dict and type(body.get("records")) is list or _BATCH.is_valid(body)


def record_issues(record) -> list[dict]:
    """Issues ({path, code, message}) of a record's shape and values; empty when it passes."""
    found = {}
    for error in () if plainly_valid(record) else _RECORD.iter_errors(record):
        path = _field(list(error.absolute_path) or _missing(error))
        found[path] = {"path": path, "code": "malformed",
                       "message": message("attachment" if path.startswith("attachments[") else path)}
    if not found:
        for path, code, sentence in unstorable(record):
            found.setdefault(path, {"path": path, "code": code, "message": sentence})
    return sorted(found.values(), key=lambda item: item["path"])


ATTACHMENT_FIELDS = frozenset(RECORD["properties"]["attachments"]["items"]["properties"])
SHA256 = re.compile(RECORD["properties"]["attachments"]["items"]["properties"]["sha256"]["pattern"])


_ABSENT = object()


def plainly_valid(record) -> bool:
    """True only for a record RECORD certainly accepts, checked without jsonschema's
    machinery (most of a push); False means "ask RECORD", which alone says what is wrong.
    Written from RECORD above, never instead of it: tests/test_sync_schema.py checks that
    every record this accepts RECORD accepts too."""
    if type(record) is not dict:
        return False
    get = record.get
    record_id, household_id, version, answers = get("id"), get("household_id"), get("form_version"), get("answers")
    base, client_result, listed = get("base_revision"), get("client_result"), get("attachments", _ABSENT)
    return (type(record_id) is str and len(record_id) <= 36
            and type(household_id) is int and 1 <= household_id <= INT32_MAX
            and type(version) is str and 1 <= len(version) <= 32
            and type(answers) is dict
            and (base is None or type(base) is int and 1 <= base <= INT32_MAX)
            and (client_result is None or type(client_result) is dict)
            and (listed is _ABSENT or type(listed) is list and all(map(_plain_attachment, listed))))


def _plain_attachment(item) -> bool:
    if type(item) is not dict or not item.keys() <= ATTACHMENT_FIELDS:
        return False
    sha256, content_type, size = item.get("sha256"), item.get("content_type", ""), item.get("size", 0)
    return (type(sha256) is str and SHA256.fullmatch(sha256) is not None and item.get("kind") in ATTACHMENT_KINDS
            and type(content_type) is str and len(content_type) <= 100 and type(size) is int and size >= 0)


def _missing(error) -> list:
    """A missing required property is the field's own error, not the record's."""
    if error.validator == "required":
        return [next(name for name in error.validator_value if name not in error.instance)]
    return []


def _field(parts: list) -> str:
    """The top-level field (``attachments[2]`` for a file) a schema error belongs to."""
    if not parts:
        return ""
    if parts[0] == "attachments" and len(parts) > 1:
        return f"attachments[{parts[1]}]"
    return str(parts[0])
