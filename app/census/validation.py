"""Validation of one census record, shared by the phone (static/js/core/validation.js) and
the server; both are checked against tests/vectors/validation.json.

An issue is {"path", "code", "severity", "params"}: ``path`` names the answer
("household.phone", "members[2].id_number", "members" for the roster as a whole);
``severity`` is "error" (blocks submission) or "warning" (needs a written explanation,
kept in answers["explanations"]["<path>|<code>"]). Hidden questions are not validated and
their answers are ignored. Messages live in app/census/messages.py, keyed by code.

Numbers are read as on the phone: IDs and money by app.identity and app.money (full-width
characters read, spaces removed); phones and integers are ASCII digits only ([0-9], not
Python's ``\\d``, which also matches other scripts' digits).
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from app import identity
from app.census.conditions import age_on, holds, is_empty, parse_iso_date
from app.money import MAX_FEN, TOO_LARGE, MoneyError, parse_yuan

PHONE = re.compile("1[0-9]{10}")
FLAT = frozenset({str, int, float, bool, type(None)})
INTEGER = re.compile("-?[0-9]+")


def issue(path: str, code: str, severity: str = "error", **params) -> dict:
    return {"path": path, "code": code, "severity": severity, "params": params}


def check_value(question: dict, value, path: str, code_tables: dict, reference_date: str) -> list[dict]:
    kind = question["type"]
    if kind in ("text", "textarea"):
        if not isinstance(value, str):
            return [issue(path, "text_format")]
        if len(value.strip()) > question.get("max_length", 10_000):
            return [issue(path, "too_long", max=question.get("max_length", 10_000))]
    elif kind == "integer":
        whole = (isinstance(value, int) or (isinstance(value, float) and value.is_integer())
                 or (isinstance(value, str) and INTEGER.fullmatch(value)))
        if isinstance(value, bool) or not whole:
            return [issue(path, "integer_format")]
        low, high = question.get("min"), question.get("max")
        if (low is not None and int(value) < low) or (high is not None and int(value) > high):
            return [issue(path, "out_of_range", min=low, max=high)]
    elif kind == "money":
        try:
            fen = parse_yuan(value)
        except MoneyError as error:
            if error.problem == TOO_LARGE:
                return [issue(path, "money_too_large", limit=MAX_FEN)]
            return [issue(path, "money_format")]
        if fen < 0:
            return [issue(path, "money_negative")]
    elif kind == "date":
        day = parse_iso_date(value)
        if day is None:
            return [issue(path, "date_format")]
        if value > reference_date:
            return [issue(path, "date_in_future")]
    elif kind == "select":
        allowed = code_tables[question["codes"]] if "codes" in question else [o["value"] for o in question["options"]]
        if value not in allowed:
            return [issue(path, "unknown_option")]
    elif kind == "yes_no":
        if not isinstance(value, bool):
            return [issue(path, "yes_no_format")]
    elif kind == "phone":
        if not isinstance(value, str) or not PHONE.fullmatch(value.strip()):
            return [issue(path, "phone_format")]
    elif kind == "resident_id":
        checked = identity.parse(value if isinstance(value, str) else "", today=parse_iso_date(reference_date))
        if not checked.valid:
            return [issue(path, f"id_{checked.problem}")]
    else:
        raise ValueError(f"unknown question type {kind!r}")
    return []


def check_record(questions: list[dict], record: dict, prefix: str, code_tables: dict,
                 reference_date: str) -> list[dict]:
    found = []
    for question in questions:
        if not holds(question.get("when"), record, reference_date):
            continue
        path = f"{prefix}.{question['id']}"
        value = record.get(question["id"])
        if is_empty(value):
            if question.get("required"):
                found.append(issue(path, "required"))
            continue
        found += check_value(question, value, path, code_tables, reference_date)
    return found


def check_roster(members: list[dict], reference_date: str, ids_elsewhere: Mapping[str, list[str]]) -> list[dict]:
    """Rules across members: one head, one spouse at most, of the other sex; IDs once, and
    agreeing with sex and birth date; medical insurance; people living here who are also
    registered or recorded in other households (``ids_elsewhere``: person key → those
    households' numbers, which only the server knows)."""
    found = []
    present = [(index, m) for index, m in enumerate(members) if m.get("status", "present") == "present"]
    heads = [index for index, m in present if m.get("relation") == "head"]
    if not heads:
        found.append(issue("members", "no_head"))
    for index in heads[1:]:
        found.append(issue(f"members[{index}].relation", "two_heads"))
    spouses = [index for index, m in present if m.get("relation") == "spouse"]
    for index in spouses[1:]:
        found.append(issue(f"members[{index}].relation", "two_spouses"))
    if len(heads) == 1 and spouses:
        head_sex = members[heads[0]].get("sex")
        if head_sex and members[spouses[0]].get("sex") == head_sex:
            found.append(issue(f"members[{spouses[0]}].sex", "spouse_same_sex"))

    seen = set()
    today = parse_iso_date(reference_date)
    for index, member in enumerate(members):
        number = member.get("id_number")
        checked = identity.parse(number if isinstance(number, str) else "", today=today)
        if not checked.valid:
            continue
        resident = identity.person_key(checked.number)
        if resident in seen:
            found.append(issue(f"members[{index}].id_number", "id_duplicate"))
        seen.add(resident)
        if member.get("sex") in ("male", "female") and member["sex"] != checked.sex:
            found.append(issue(f"members[{index}].sex", "sex_disagrees_with_id"))
        if parse_iso_date(member.get("birth_date")) and member["birth_date"] != checked.birth_date.isoformat():
            found.append(issue(f"members[{index}].birth_date", "birth_date_disagrees_with_id"))
        if ids_elsewhere.get(resident) and member.get("status", "present") == "present":
            found.append(issue(f"members[{index}].id_number", "id_in_other_household", "warning",
                               households=list(ids_elsewhere[resident])))

    for index, member in present:
        insured = [bool(member.get("residents_medical_insurance")), bool(member.get("employees_medical_insurance"))]
        if all(insured):
            found.append(issue(f"members[{index}].residents_medical_insurance", "medical_insurance_both", "warning"))
        elif not any(insured):
            found.append(issue(f"members[{index}].residents_medical_insurance", "medical_insurance_none", "warning"))
    return found


# Compulsory schooling age (义务教育), in whole years at the reference date.
SCHOOL_AGE = (6, 15)


def check_guarantees(guarantees: dict, members: list[dict], reference_date: str) -> list[dict]:
    """The "3+1" answers agree with the members (DOMAIN §7): compulsory education is not
    secured while a present child of school age is not in school, nor basic medical care while
    a present member has no basic medical insurance."""
    found = []
    present = [m for m in members if isinstance(m, dict) and m.get("status", "present") == "present"]
    if guarantees.get("compulsory_education") is True:
        out_of_school = [m.get("name") or "" for m in present if is_empty(m.get("schooling"))
                         and (age := age_on(m.get("birth_date"), reference_date)) is not None
                         and SCHOOL_AGE[0] <= age <= SCHOOL_AGE[1]]
        if out_of_school:
            found.append(issue("guarantees.compulsory_education", "education_guarantee_out_of_school",
                               names="、".join(out_of_school)))
    if guarantees.get("basic_medical") is True:
        uninsured = [m.get("name") or "" for m in present if not m.get("residents_medical_insurance")
                     and not m.get("employees_medical_insurance")]
        if uninsured:
            found.append(issue("guarantees.basic_medical", "medical_guarantee_uninsured", names="、".join(uninsured)))
    return found


def check_income(definition: dict, income: dict | None) -> list[dict]:
    if not income or income.get("per_capita_net_income") is None:
        return []
    settings = definition["settings"]
    per_capita = income["per_capita_net_income"]
    low, high = settings["plausible_per_capita_min_fen"], settings["plausible_per_capita_max_fen"]
    if per_capita < low or per_capita > high:
        return [issue("income", "per_capita_implausible", "warning", per_capita=per_capita, low=low, high=high)]
    return []


def validate(definition: dict, answers: dict, *, code_tables: dict[str, list[str]], reference_date: str,
             income: dict | None = None, ids_elsewhere: Mapping[str, list[str]] | None = None) -> list[dict]:
    found = []
    for section in definition["sections"]:
        key = section.get("answers", section["id"])
        if section.get("repeat"):
            items = answers.get(key) or []
            if len(items) < section.get("min", 0):
                found.append(issue(key, "too_few", min=section["min"]))
            for index, item in enumerate(items):
                found += check_record(section["questions"], item, f"{key}[{index}]", code_tables, reference_date)
        else:
            found += check_record(section["questions"], answers.get(key) or {}, key, code_tables, reference_date)
    found += check_roster(answers.get("members") or [], reference_date, ids_elsewhere or {})
    found += check_guarantees(answers.get("guarantees") or {}, answers.get("members") or [], reference_date)
    found += check_income(definition, income)
    explanations = answers.get("explanations") or {}
    for item in found:
        if item["severity"] == "warning":
            item["explained"] = not is_empty(explanations.get(f"{item['path']}|{item['code']}"))
    return found


def malformed(definition: dict, answers) -> list[str]:
    """Paths where a record received from outside has the wrong shape (a list where a member
    should be, …). Such a record is refused whole before any rule runs; the phone never
    builds one, so this check lives on the server only."""
    if not isinstance(answers, dict):
        return [""]
    paths = []

    def record(value, path):
        """A record is a flat object of scalars."""
        if not isinstance(value, dict):
            paths.append(path)
            return
        if FLAT.issuperset(map(type, value.values())):  # nearly always: the fields need no look each
            return
        paths.extend(f"{path}.{field}" for field, item in value.items() if isinstance(item, (dict, list)))

    for section in definition["sections"]:
        key = section.get("answers", section["id"])
        value = answers.get(key)
        if value is None:
            continue
        if section.get("repeat"):
            if isinstance(value, list):
                for index, item in enumerate(value):
                    record(item, f"{key}[{index}]")
            else:
                paths.append(key)
        else:
            record(value, key)
    record(answers.get("explanations", {}), "explanations")
    return sorted(set(paths))


def blocking(issues: list[dict]) -> list[dict]:
    """What stops a record from being submitted: errors, and warnings nobody explained."""
    return [item for item in issues if item["severity"] == "error" or not item.get("explained")]
