"""Census form definitions: the version that ships with the app, the versions a county
admin publishes, and the checks a definition must pass before anyone can use it.

A definition is data (JSON): sections and questions with zh_Hans and en labels, which
income sub-items exist and count, thresholds for screening. Published versions are
immutable; a submission pins the version it was made with.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema
from flask_babel import gettext as _
from sqlalchemy import select

from app.codes import FORM_CODE_TABLES
from app.extensions import db

HERE = Path(__file__).resolve().parent
DEFAULT_VERSION = "2026.2"
# Fields the engine, screening and roster rules read: a definition must ask for them.
REQUIRED_MEMBER_FIELDS = ("name", "id_number", "sex", "birth_date", "relation", "status", "labour_capacity")


class DefinitionError(ValueError):
    def __init__(self, problems: list[dict]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@cache
def _schema_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads((HERE / "definition.schema.json").read_text()))


@cache
def shipped() -> dict[str, dict]:
    """The versions in app/census/definitions/, by version."""
    found = {}
    for path in sorted((HERE / "definitions").glob("*.json")):
        definition = json.loads(path.read_text())
        found[definition["version"]] = definition
    return found


def get(version: str) -> dict | None:
    if version in shipped():
        return shipped()[version]
    from app.census.models import FormDefinition

    return db.session.scalar(select(FormDefinition.definition).where(FormDefinition.version == version))


def published() -> list:
    """Versions county admins published, oldest first."""
    from app.census.models import FormDefinition

    return list(db.session.scalars(select(FormDefinition).order_by(FormDefinition.published_at, FormDefinition.id)))


def versions() -> list[str]:
    return [*shipped(), *(record.version for record in published())]


def _problem(path: str, message: str) -> dict:
    return {"path": path, "message": message}


def check(definition) -> list[dict]:
    """Every problem with a definition: the schema first, then the rules the engine relies on."""
    if not isinstance(definition, dict):
        return [_problem("", _("调查表定义必须是一个 JSON 对象。"))]
    problems = [
        _problem("/".join(str(part) for part in error.absolute_path), _schema_message(error))
        for error in sorted(_schema_validator().iter_errors(definition), key=lambda e: list(map(str, e.absolute_path)))
    ]
    if problems:
        return problems
    return _check_meaning(definition)


def _schema_message(error: jsonschema.ValidationError) -> str:
    """jsonschema speaks English; say the same thing in the user's language."""
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        return _("缺少必填项“%(name)s”。", name=missing)
    if kind == "additionalProperties":
        unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return _("有不认识的项：%(detail)s", detail=", ".join(unknown))
    if kind in ("type", "enum", "const"):
        return _("取值“%(value)s”不被允许。", value=json.dumps(error.instance, ensure_ascii=False)[:60])
    if kind in ("minItems", "minLength", "minProperties"):
        return _("不能为空。")
    if kind == "pattern":
        return _("“%(value)s”的格式不正确。", value=str(error.instance)[:60])
    if kind in ("minimum", "maximum", "maxLength"):
        return _("取值“%(value)s”超出允许范围。", value=str(error.instance)[:60])
    return _("不符合调查表定义的格式。")


def _check_meaning(definition: dict) -> list[dict]:
    problems = []
    items = [item for category in definition["income"]["categories"] for item in category["items"]]
    items += definition["income"]["beside"]
    item_ids = [item["id"] for item in items]
    for duplicate in sorted({i for i in item_ids if item_ids.count(i) > 1}):
        problems.append(_problem("income", _("收入项目编号“%(id)s”重复。", id=duplicate)))

    sections = {section["id"]: section for section in definition["sections"]}
    if len(sections) != len(definition["sections"]):
        problems.append(_problem("sections", _("栏目编号重复。")))
    money_questions = set()
    for index, section in enumerate(definition["sections"]):
        path = f"sections/{index}"
        ids = [question["id"] for question in section["questions"]]
        for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(_problem(path, _("栏目“%(section)s”中问题编号“%(id)s”重复。", section=section["id"],
                                             id=duplicate)))
        for q_index, question in enumerate(section["questions"]):
            q_path = f"{path}/questions/{q_index}"
            if question["type"] == "select" and ("codes" in question) == ("options" in question):
                problems.append(_problem(q_path, _("单选题“%(id)s”须且只能给出 codes 或 options 之一。",
                                                   id=question["id"])))
            if "codes" in question and question["codes"] not in FORM_CODE_TABLES:
                problems.append(_problem(q_path, _("未知的代码表“%(codes)s”。", codes=question["codes"])))
            low, high = question.get("min"), question.get("max")
            if low is not None and high is not None and low > high:
                problems.append(_problem(q_path, _("问题“%(id)s”的最小值大于最大值。", id=question["id"])))
            for field in _condition_fields(question.get("when")):
                if field not in ids:
                    problems.append(_problem(q_path, _("问题“%(id)s”的显示条件引用了本栏目中不存在的问题“%(field)s”。",
                                                       id=question["id"], field=field)))
        if section.get("answers") == "income":
            for q_index, question in enumerate(section["questions"]):
                if question["type"] != "money" or question["id"] not in item_ids:
                    problems.append(_problem(f"{path}/questions/{q_index}",
                                             _("收入栏目中的问题“%(id)s”必须是对应收入项目的金额题。",  # noqa: E501
                                               id=question["id"])))
                money_questions.add(question["id"])
    for missing in [i for i in item_ids if i not in money_questions]:
        problems.append(_problem("income", _("收入项目“%(id)s”没有对应的金额题。", id=missing)))

    codes = [risk["code"] for risk in definition["risk_types"]]
    for duplicate in sorted({code for code in codes if codes.count(code) > 1}):
        problems.append(_problem("risk_types", _("风险类型代码“%(code)s”重复。", code=duplicate)))
    for risk in definition["risk_types"]:
        if "parent" in risk and risk["parent"] not in codes:
            problems.append(_problem("risk_types", _("风险类型“%(code)s”的上级代码“%(parent)s”不存在。",
                                                     code=risk["code"], parent=risk["parent"])))

    members = sections.get("members")
    if members is None or not members.get("repeat"):
        problems.append(_problem("sections", _("缺少可重复的家庭成员栏目“members”。")))
    else:
        asked = {question["id"] for question in members["questions"]}
        for field in REQUIRED_MEMBER_FIELDS:
            if field not in asked:
                problems.append(_problem("sections/members", _("家庭成员栏目缺少问题“%(id)s”。", id=field)))
    guarantees = sections.get("guarantees")
    asked = {q["id"] for q in guarantees["questions"] if q["type"] == "yes_no"} if guarantees else set()
    for guarantee in definition["guarantees"]:
        if guarantee["id"] not in asked:
            problems.append(_problem("sections/guarantees", _("“三保障”栏目缺少是否题“%(id)s”。", id=guarantee["id"])))
    return problems


def _condition_fields(condition: dict | None):
    if not condition:
        return
    for part in condition.get("all", []) + condition.get("any", []):
        yield from _condition_fields(part)
    if "not" in condition:
        yield from _condition_fields(condition["not"])
    if "field" in condition:
        yield condition["field"]
    if "age" in condition:  # age is counted from the record's birth date
        yield "birth_date"


def publish(definition, user) -> str:
    """Store a new version after every check; an existing version is never overwritten."""
    from app.census.models import FormDefinition

    problems = check(definition)
    if not problems and definition["version"] in versions():
        problems = [_problem("version", _("版本“%(version)s”已经发布，已发布的版本不能修改；请使用新的版本号。",
                                          version=definition["version"]))]
    if problems:
        raise DefinitionError(problems)
    db.session.add(FormDefinition(version=definition["version"], definition=definition, published_by_id=user.id))
    db.session.commit()
    return definition["version"]
