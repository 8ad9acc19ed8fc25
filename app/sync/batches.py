"""A pushed batch (records, visits, audit copies, task results) read the one bounded way:
whatever the transfer (a chunked body has no Content-Length) at most ``MAX_BATCH_BYTES`` are
read; a malformed request is refused with a message (app.main.errors answers it); an item
holding what no database can store answers ``invalid`` alone, and its neighbours go on."""
from __future__ import annotations

from flask_babel import gettext as _

from app import jsonbody

MAX_BATCH_RECORDS = 50
MAX_BATCH_BYTES = 4 * 1024 * 1024


def items(key: str, not_a_batch: str, is_batch=None) -> list:
    """The batch's items under ``key``; ``is_batch`` checks the body's shape when given."""
    body = jsonbody.parse(jsonbody.read_bytes(MAX_BATCH_BYTES, _("一次同步的数据超过 4 MB，请分批发送。")))
    if not (is_batch(body) if is_batch else isinstance(body, dict) and isinstance(body.get(key), list)):
        raise jsonbody.RefusedInput(400, not_a_batch)
    if len(body[key]) > MAX_BATCH_RECORDS:
        raise jsonbody.RefusedInput(413, _("一次最多同步 %(max)s 条记录。", max=MAX_BATCH_RECORDS))
    return body[key]


def unstorable(item, id_key: str = "id") -> dict | None:
    """The answer for an item holding NaN, NUL or nesting too deep; None for any other."""
    found = jsonbody.unstorable(item)
    if not found:
        return None
    _path, code, message = found[0]
    return {id_key: item.get(id_key) if isinstance(item, dict) else None, "result": "invalid", "code": code,
            "message": message}
