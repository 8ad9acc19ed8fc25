"""How a number a person typed or pasted is read before it is parsed: the one rule the ID
and money parsers share, mirrored by static/js/core/typed.js.

Text is normalised with NFKC, so full-width digits, letters and punctuation (what a
Chinese input method gives in full-width mode), superscript and circled digits read as
the ASCII characters they show; then every white space character (ASCII, no-break,
ideographic U+3000, …) and the invisible zero-width characters are removed. What is left
must be ASCII for the parsers to accept it: digits of other scripts (Arabic-Indic,
Devanagari, …) survive NFKC and are refused, never read as digits the way Python's
``int()`` and ``str.isdigit()`` would.

Pure module: no Flask, no database.
"""
from __future__ import annotations

import re
import unicodedata

# Unicode's White_Space characters, and the zero-width ones nobody can see: listed here
# rather than taken from str.split(), so that the phone removes exactly the same set.
REMOVED = re.compile("[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
                     "\u200b-\u200d\u2060\ufeff]")
DIGITS = re.compile("[0-9]+")
INT32_MAX = 2**31 - 1  # the ids and versions these numbers name are 32-bit integer columns


def compact(text: str) -> str:
    if not text.isascii():  # ASCII is its own NFKC: most answers skip the table look-ups
        text = unicodedata.normalize("NFKC", text)
    return REMOVED.sub("", text)


def whole_number(text: str) -> int:
    """ASCII digits as an int, for ``request.args.get(..., type=whole_number)``: a
    ValueError for anything else, so '١٢' or '²' is no number rather than 12 or a crash,
    and a number beyond a 32-bit column names nothing rather than overflowing the query."""
    if not DIGITS.fullmatch(text) or len(text) > len(str(INT32_MAX)) or int(text) > INT32_MAX:
        raise ValueError(text)
    return int(text)
