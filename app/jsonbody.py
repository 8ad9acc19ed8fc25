"""A JSON request body read within bounds (JSON 请求体), for every API that takes one.

What must always hold:
- At most ``max_bytes`` are read, whether the body came with a Content-Length or chunked:
  the check reads the stream itself, never trusts the header alone.
- Parsing never raises anything but ``RefusedInput``: a body too large (413), too deep for the
  parser, not UTF-8 or not JSON (400) carries a message in the user's language, which
  app.main.errors answers (JSON under /api/, a page elsewhere).
- A value no database column can hold is found, never passed on: the literals ``NaN``,
  ``Infinity`` and ``-Infinity`` (and numbers so large they read as infinite) parse to a
  ``NotFinite`` marker instead of a float, and ``unstorable`` lists where those markers,
  NUL and lone surrogates sit, and where the document nests deeper than ``MAX_DEPTH``.
"""
from __future__ import annotations

import json
import math
import re

from flask import request
from flask_babel import gettext as _

MAX_BYTES = 1024 * 1024  # one record or one review action; the push's batches have their own bound
MAX_DEPTH = 32  # a census record nests 3 deep; the bound leaves room and stops recursion far earlier
READ_BLOCK = 64 * 1024
# NUL (PostgreSQL text refuses it) and UTF-16 halves without their pair (not encodable as UTF-8).
BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")


class RefusedInput(Exception):
    """Input refused before any view reads it: ``status`` (400, 413) and a translated ``message``."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class NotFinite:
    """Where the JSON said NaN or Infinity: kept as a marker so the caller can name the field."""

    def __init__(self, literal: str):
        self.literal = literal

    def __repr__(self) -> str:
        return f"NotFinite({self.literal!r})"


def _float(text: str) -> float | NotFinite:
    value = float(text)
    return value if math.isfinite(value) else NotFinite(text)


def read_bytes(max_bytes: int, too_large: str) -> bytes:
    """The body, or RefusedInput(413, ``too_large``) once more than ``max_bytes`` arrive."""
    if (request.content_length or 0) > max_bytes:
        raise RefusedInput(413, too_large)
    blocks, total = [], 0
    while total <= max_bytes:
        block = request.stream.read(min(READ_BLOCK, max_bytes + 1 - total))
        if not block:
            break
        blocks.append(block)
        total += len(block)
    if total > max_bytes:
        raise RefusedInput(413, too_large)
    return b"".join(blocks)


def parse(data: bytes):
    """The document, NaN and Infinity as NotFinite markers; RefusedInput(400) when it is no JSON."""
    try:
        return json.loads(data, parse_constant=NotFinite, parse_float=_float)
    except RecursionError:
        raise RefusedInput(400, too_deep_message()) from None
    except ValueError:  # also UnicodeDecodeError and integers beyond Python's digit limit
        raise RefusedInput(400, _("请求内容不是有效的 JSON（UTF-8）。")) from None


def read():
    """A whole body of at most MAX_BYTES that must hold nothing unstorable (the check and review APIs)."""
    document = parse(read_bytes(MAX_BYTES, _("请求内容超过 %(limit)s MB。", limit=MAX_BYTES // (1024 * 1024))))
    problems = unstorable(document)
    if problems:
        raise RefusedInput(400, problems[0][2])
    return document


def too_deep_message() -> str:
    return _("JSON 嵌套超过 %(max)s 层。", max=MAX_DEPTH)


SCALARS = (int, float, bool, type(None))
FLAT = frozenset({str, *SCALARS})  # what a flat object or list of plain values holds


def _storable(document) -> bool:
    """True when nothing in ``document`` is unstorable, found without making a path for
    each value (a push's records are nearly always clean: ``unstorable`` then names the
    paths). Values of any type it does not know count as not storable here, so the full walk
    decides them."""
    texts = []
    stack = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if type(value) is dict:
            children = value.values()
            texts.extend(value)
        elif type(value) is list:
            children = value
        else:
            return False
        if depth >= MAX_DEPTH:
            return False
        kinds = set(map(type, children))
        if kinds <= FLAT:  # most of a record (a member, the income): its texts taken at once
            if str in kinds:
                texts.extend(filter(str.__instancecheck__, children))
            continue
        for child in children:
            kind = type(child)
            if kind is str:
                texts.append(child)
            elif kind is dict or kind is list:
                stack.append((child, depth + 1))
            elif kind not in SCALARS:
                return False
    # Keys and strings at once: the separator is no bad character and joins none; a key that
    # is no text makes the join fail.
    try:
        joined = "\n".join(texts)
    except TypeError:
        return False
    return "\x00" not in joined and _encodable(joined)


def _encodable(text: str) -> bool:
    """Whether ``text`` holds no UTF-16 half (paired or not, as BAD_CHARACTER says): UTF-8
    encodes every other character. Several times faster than searching for the class."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unstorable(document, prefix: str = "") -> list[tuple[str, str, str]]:
    """(path, code, message) for each value no database can store, and for the first level
    past MAX_DEPTH; paths read as validation paths do (``members[1].name``). Iterative, so
    that a deep document cannot exhaust the stack here either."""
    if isinstance(document, (dict, list)) and _storable(document):
        return []
    found = []
    stack = [(document, prefix, 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, (dict, list)) and depth >= MAX_DEPTH:
            found.append((path, "too_deep", too_deep_message()))
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else key
                if BAD_CHARACTER.search(key):
                    found.append((child, "bad_character", bad_character_message()))
                stack.append((item, child, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{index}]", depth + 1) for index, item in enumerate(value))
        elif isinstance(value, str) and BAD_CHARACTER.search(value):
            found.append((path, "bad_character", bad_character_message()))
        elif isinstance(value, NotFinite):
            found.append((path, "not_finite", _("数值应为有限的数字，不能是 NaN 或 Infinity。")))
    return sorted(found)


def bad_character_message() -> str:
    return _("含有无法保存的字符（NUL 或不成对的代理字符）。")

