"""The password rule (密码规则) for every password a person chooses: through the admin
pages or their own change page. The demo seed's shared password is not chosen by anyone and
does not go through it.

A password needs at least ``MIN_LENGTH`` characters and a zxcvbn score of at least
``MIN_SCORE`` ("safely unguessable"), with the user's own names as words an attacker tries
first. zxcvbn's word lists are English; ``COMMON_WORDS`` adds the pinyin and numbers that
lead Chinese password leaks, and this project's own words. zxcvbn's feedback is English
only, so the sentences are ours.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable

from flask_babel import gettext as _
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MIN_SCORE = 3
# zxcvbn refuses longer input; a longer password is judged by its first 72 characters.
ZXCVBN_MAX_LENGTH = 72
COMMON_WORDS = (
    "woaini", "aini", "5201314", "1314520", "1314", "520", "wodemima", "mima", "nihao", "baobei", "laopo",
    "laogong", "xiaoming", "zhangsan", "lisi", "wangwu", "zhongguo", "beijing", "qq", "ruhu", "pucha", "shouru",
    "fupin", "nongcun", "xiangcun", "cunwei",
)
# zxcvbn keeps the user's words in a module-level dictionary while it scores: one at a time.
_scoring = threading.Lock()


def problem(password: str, personal_words: Iterable[str | None]) -> str | None:
    """Why ``password`` may not be chosen, in the user's language; None when it may."""
    if len(password) < MIN_LENGTH:
        return _("密码至少需要 %(count)d 个字符。", count=MIN_LENGTH)
    personal = [word.lower() for word in personal_words if word]
    with _scoring:
        result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=[*personal, *COMMON_WORDS])
    if result["score"] >= MIN_SCORE:
        return None
    if any(match.get("dictionary_name") == "user_inputs" and match.get("matched_word") in personal
           for match in result["sequence"]):
        return _("密码不能包含用户名或姓名。")
    return _("这个密码太常见或太容易猜到。请换一个更长、不常见的组合，例如几个不相关的词加上数字。")
