"""A record as people read it, in the user's language: answers section by section with the
definition's labels, the income explanation as labelled lines, flags and issues as
sentences, the phone's figures beside the server's, this year beside last year, and the
fields a return can comment on. The review pages show all of it; the monitoring pages show
the income and flags of the record a decision rests on (``summary``). Nothing else turns a
record into what a page shows.

The definition's labels are data ({"zh_Hans", "en"}); everything else is a message id.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import gettext as _

from app import codes
from app.census import definitions, messages
from app.census.conditions import is_empty
from app.census.income import divide_half_up, format_growth
from app.records.results import COMPARED_INCOME

PATH = re.compile(r"(?P<key>\w+)(?:\[(?P<index>\d+)\])?(?:\.(?P<field>\w+))?")
# Where a flag points on the form, for a return comment about it.
FLAG_PATHS = {"below_threshold": "income", "near_threshold": "income", "rigid_cost_burden": "income",
              "sharp_drop": "income", "sudden_event": "events", "without_labour": "members",
              "after_rigid_costs_within_threshold": "income"}


def locale() -> str:
    return str(get_locale())


def definition_of(form_version: str) -> dict:
    """The definition a record was made with (the shipped default if this server lacks it)."""
    return definitions.get(form_version) or definitions.get(definitions.DEFAULT_VERSION)


def text(label: dict, locale: str) -> str:
    """A definition label in the user's language (Chinese when it has no other)."""
    return label.get(locale) or label["zh_Hans"]


def value_text(question: dict, value, locale: str) -> str:
    if value is None or value == "":
        return ""
    kind = question["type"]
    if kind == "yes_no" and isinstance(value, bool):
        return _("是") if value else _("否")
    if kind == "select":
        if "codes" in question:
            return codes.FORM_CODE_TABLES[question["codes"]].label(value) or str(value)
        return next((text(option["label"], locale) for option in question["options"] if option["value"] == value),
                    str(value))
    return str(value)


def _line(key: str) -> str:
    """The label of an income line (no literal inside gettext's parentheses, so extraction
    does not mistake the key for a message)."""
    return _(messages.LINES[key])


def _key(section: dict) -> str:
    return section.get("answers", section["id"])


@dataclass
class Section:
    label: str
    # (label, value, path) of a single section; the path is what a reviewer's comment names
    fields: list[tuple[str, str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # a repeated section is a table
    rows: list[list[tuple[str, str]]] = field(default_factory=list)  # each cell (value, path)


def answer_sections(definition: dict, answers: dict, locale: str) -> list[Section]:
    """Every answered question, section by section; repeated sections (members, events) as
    tables with a column per question anyone answered."""
    found = []
    for section in definition["sections"]:
        key = _key(section)
        value = answers.get(key)
        shown = Section(text(section["label"], locale))
        if section.get("repeat"):
            items = [(index, item) for index, item in enumerate(value or []) if isinstance(item, dict)]
            questions = [q for q in section["questions"]
                         if any(not is_empty(item.get(q["id"])) for _index, item in items)]
            shown.columns = [text(q["label"], locale) for q in questions]
            shown.rows = [[(value_text(q, item.get(q["id"]), locale), f"{key}[{index}].{q['id']}") for q in questions]
                          for index, item in items]
        else:
            record = value if isinstance(value, dict) else {}
            shown.fields = [(text(q["label"], locale), value_text(q, record[q["id"]], locale), f"{key}.{q['id']}")
                            for q in section["questions"] if not is_empty(record.get(q["id"]))]
        if shown.fields or shown.rows:
            found.append(shown)
    return found


def path_label(definition: dict, path: str, locale: str) -> str:
    """"members[1].id_number" → "家庭成员 2 · 证件号码" (the path itself when unknown)."""
    match = PATH.fullmatch(path or "")
    sections = [section for section in definition["sections"] if match and _key(section) == match["key"]]
    if not sections:
        return path
    question = None
    if match["field"]:
        found = [(section, q) for section in sections for q in section["questions"] if q["id"] == match["field"]]
        if not found:
            return path
        section, question = found[0]
    else:
        section = sections[0]
    name = text(section["label"], locale)
    if match["index"] is not None:
        name = f"{name} {int(match['index']) + 1}"
    return name if question is None else f"{name} · {text(question['label'], locale)}"


def answered_paths(definition: dict, answers: dict) -> list[str]:
    """Paths of every answered question, in the form's order."""
    paths = []
    for section in definition["sections"]:
        key, value = _key(section), answers.get(_key(section))
        records = [(f"{key}[{index}]", item) for index, item in enumerate(value or []) if isinstance(item, dict)] \
            if section.get("repeat") else [(key, value if isinstance(value, dict) else {})]
        for prefix, record in records:
            paths += [f"{prefix}.{q['id']}" for q in section["questions"] if not is_empty(record.get(q["id"]))]
    return paths


def comment_fields(definition: dict, answers: dict, server_result: dict, locale: str) -> list[tuple[str, str, bool]]:
    """(path, label, has a problem) for the return form: paths with issues or flags first,
    then every other answered field."""
    flagged = [f"guarantees.{flag['params']['guarantee']}" if flag["code"] == "guarantee_failed"
               else FLAG_PATHS[flag["code"]] for flag in server_result["screening"]["flags"]]
    problems = list(dict.fromkeys([issue["path"] for issue in server_result["issues"]] + flagged))
    rest = [path for path in answered_paths(definition, answers) if path not in problems]
    return [(path, path_label(definition, path, locale), path in problems) for path in problems + rest]


def flag_labels(definition: dict, locale: str) -> dict[str, str]:
    """Names of guarantees and event types, for flag sentences."""
    return {item["id"]: text(item["label"], locale) for item in definition["guarantees"] + definition["event_types"]}


def flag_sentences(definition: dict, screening: dict, locale: str) -> list[str]:
    labels = flag_labels(definition, locale)
    return [messages.flag_message(flag, labels) for flag in screening["flags"]]


def suggestions(definition: dict, screening: dict, locale: str) -> list[str]:
    found = []
    category = codes.MONITORED_CATEGORY.label(screening.get("suggested_category"))
    if category:
        found.append(_(messages.CATEGORY_SUGGESTION, category=category))
    risks = "、".join(text(risk["label"], locale) for risk in definition["risk_types"]
                     if risk["code"] in screening.get("suggested_risk_types", []))
    if risks:
        found.append(_(messages.RISK_SUGGESTION, risks=risks))
    return found


@dataclass(frozen=True)
class Issue:
    path: str
    label: str
    message: str
    explained: bool
    explanation: str


def issues(definition: dict, answers: dict, server_result: dict, severity: str, locale: str) -> list[Issue]:
    """Issues of one severity with their sentence in the user's language and, for a
    warning, the enumerator's explanation."""
    explanations = answers.get("explanations") or {}
    return [Issue(item["path"], path_label(definition, item["path"], locale), messages.issue_message(item),
                  bool(item.get("explained")), str(explanations.get(f"{item['path']}|{item['code']}") or ""))
            for item in server_result["issues"] if item["severity"] == severity]


@dataclass(frozen=True)
class Line:
    label: str
    value: int | str | None  # fen, or the growth rate as text
    money: bool = True
    detail: bool = False  # an item within a category


def income_lines(definition: dict, income: dict, locale: str) -> list[Line]:
    """The server's explanation lines: each category with its items, then the totals."""
    categories = {category["id"]: category for category in definition["income"]["categories"]}
    items = {item["id"]: item for category in categories.values() for item in category["items"]}
    lines = []
    for line in income["lines"]:
        if line["id"] in categories:
            lines.append(Line(text(categories[line["id"]]["label"], locale), line["value"]))
            lines += [Line(text(items[term["item"]]["label"], locale), term["value"], detail=True)
                      for term in line["terms"] if term["value"]]
        elif line["id"] == "growth_rate":
            lines.append(Line(_line("growth_rate"), line["value"] or _line("not_applicable"), money=False))
        else:
            lines.append(Line(_line(line["id"]), line["value"]))
            if line["id"] == "family_net_income":
                lines += [Line(_line("household_size"), income["household_size"], money=False),
                          Line(_line("out_of_pocket"), income["out_of_pocket"]),
                          Line(_line("insurance_payouts"), income["insurance_payouts"])]
    if income.get("threshold") is not None:
        lines.append(Line(_line("threshold"), income["threshold"]))
    return lines


@dataclass(frozen=True)
class Comparison:
    label: str
    phone: int | str | None
    server: int | str | None
    money: bool = True

    @property
    def differs(self) -> bool:
        return self.phone != self.server


def mismatch(client_result: dict | None, server_result: dict) -> list[Comparison]:
    """The figures ingest compares, the phone's beside the server's (flags as their count)."""
    client_income = (client_result or {}).get("income") or {}
    rows = [Comparison(_line(key),
                       client_income.get(key), server_result["income"][key], money=key != "household_size")
            for key in COMPARED_INCOME]
    client_flags = ((client_result or {}).get("screening") or {}).get("flags")
    rows.append(Comparison(_("风险标记"), ", ".join(sorted(flag["code"] for flag in client_flags))
                           if isinstance(client_flags, list) else None,
                           ", ".join(sorted(flag["code"] for flag in server_result["screening"]["flags"])),
                           money=False))
    return rows


@dataclass(frozen=True)
class YearOnYear:
    label: str
    this_year: int | None
    last_year: int | None

    @property
    def growth(self) -> str | None:
        """(this − last) ÷ last in percent to 2 decimals; None when last year was not above 0."""
        if self.this_year is None or not self.last_year or self.last_year <= 0:
            return None
        return format_growth(divide_half_up((self.this_year - self.last_year) * 10000, self.last_year))


def year_on_year(definition: dict, this_income: dict, last_income: dict, locale: str) -> list[YearOnYear]:
    rows = [YearOnYear(_line(key), this_income[key], last_income.get(key))
            for key in ("per_capita_net_income", "family_net_income")]
    rows += [YearOnYear(text(category["label"], locale), this_income["categories"].get(category["id"]),
                        (last_income.get("categories") or {}).get(category["id"]))
             for category in definition["income"]["categories"]]
    return rows


@dataclass(frozen=True)
class Summary:
    """What a decision page shows of the record it rests on."""

    income: list[Line]
    flags: list[str]


def flags_of(revision) -> list[str]:
    """The flag sentences of a stored revision, in the request's language."""
    return flag_sentences(definition_of(revision.form_version), revision.server_result["screening"], locale())


def summary(revision) -> Summary:
    """The income lines and flag sentences of a stored revision, in the request's language."""
    definition = definition_of(revision.form_version)
    return Summary(income_lines(definition, revision.server_result["income"], locale()), flags_of(revision))
