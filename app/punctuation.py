"""Punctuation between pieces a template or a form puts together: full-width in Chinese, ASCII
with its space in English. A translated message carries its own; these are for what sits
between values (names, labels, dates) that no message holds."""
from flask_babel import get_locale
from markupsafe import Markup


def _chinese() -> bool:
    return str(get_locale()).startswith("zh")


def listing(values) -> str:
    """Labels one after another: 疾病、自然灾害 in Chinese, "Illness, Natural disaster" in English."""
    return Markup("、" if _chinese() else ", ").join(values)  # escapes each value unless it is markup


def aside(text, detail) -> str:
    """A value with a remark in brackets: 张三（zhangsan）, "Zhang San (zhangsan)"."""
    return Markup("{}（{}）" if _chinese() else "{} ({})").format(text, detail)


def colon() -> str:
    """The colon between a label and what follows it."""
    return "：" if _chinese() else ": "
