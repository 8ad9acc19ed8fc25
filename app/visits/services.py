"""The only writers of the visit duties: assigning responsible cadres, assessing a household's
circle layer for a year, and receiving the visits phones send. Each writes its ``DutyEvent``
beside the change.

What must always hold:
- A cadre is assigned only to a household in the assigning user's areas, and the cadre's own
  areas cover it (a cadre must be able to see the household they answer for).
- A visit that found a risk raises one clue (app.clues), in the same commit as the visit.
- The measures a visit reports carried out are marked so by the monitoring service
  (``mark_carried_out``, as the office does) in the same commit; a bad day refuses the whole
  visit, with the field it is about; a measure already carried out keeps its day.
- A visit is stored once per UUID: the same content again is a duplicate, other content under
  a stored UUID is invalid (never overwritten); a household outside the sender's areas is
  invalid with the same message as one that does not exist.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app.auth.models import User
from app.clues import services as clues
from app.codes import CIRCLE_LAYER, CONTACT_KIND, DUTY_PERIOD, INCOME_CHANGE
from app.errors import InvalidInput
from app.extensions import db
from app.households.models import Household
from app.households.scope import check_in_scope, household_filter, scope_of
from app.money import MoneyError, parse_yuan
from app.monitoring import services as monitoring
from app.monitoring.models import AssistanceMeasure
from app.records.canonical import content_sha256
from app.visits import duties
from app.visits.models import CircleLayer, DutyEvent, DutyRule, DutyRuleSet, ResponsibleCadre, Visit

SHA256 = re.compile("[0-9a-f]{64}")
MAX_TEXT = 2000
LAYERED_KINDS = ("out_of_poverty",)  # with every monitored household: who needs a cadre (§12)


def _event(actor, household_id: int, action: str, *, before=None, after=None, year=None, reason="") -> None:
    db.session.add(DutyEvent(household_id=household_id, actor_id=actor.id, action=action, year=year,
                             before=None if before is None else str(before),
                             after=None if after is None else str(after), reason=reason))


def choose_rule_set(actor, county, code: str) -> None:
    """走访频次规则: the county uses a copy of the shipped set ``code`` from now on."""
    if code not in duties.SHIPPED:
        raise InvalidInput("rule_set", _("请选择一套走访规则。"))
    if county.level != "county" or county.id not in {area.id for area in actor.areas}:
        abort(404)
    db.session.execute(delete(DutyRuleSet).where(DutyRuleSet.county_id == county.id))
    db.session.add(DutyRuleSet(county_id=county.id, based_on=code, rules=[
        DutyRule(code=rule.code, applies_to=rule.applies_to, applies_value=rule.value, kinds=list(rule.kinds),
                 period=rule.period, count=rule.count) for rule in duties.SHIPPED[code].rules]))
    db.session.add(DutyEvent(area_id=county.id, actor_id=actor.id, action="choose_rules", after=code))
    db.session.commit()


def edit_rule(actor, rule: DutyRule, period: str | None, count: int | None) -> None:
    """A county changes how often one of its duties is owed."""
    county_id = rule.rule_set.county_id
    if county_id not in {area.id for area in actor.areas}:
        abort(404)
    if period not in DUTY_PERIOD.values:
        raise InvalidInput("period", _("请选择周期。"))
    if count is None or not 1 <= count <= 31:
        raise InvalidInput("count", _("次数应为 1 到 31 的整数。"))
    before = f"{rule.period}×{rule.count}"
    rule.period, rule.count = period, count
    db.session.add(DutyEvent(area_id=county_id, actor_id=actor.id, action="edit_rule", before=before,
                             after=f"{period}×{count}", reason=rule.code))
    db.session.commit()


def _check_cadre(cadre: User, household: Household) -> None:
    if not cadre.active or not scope_of(cadre).covers(household.village_id, household.group_id):
        raise InvalidInput("cadre", _("%(name)s 的负责区域不包括户 %(number)s。", name=cadre.display_name,
                                      number=household.household_number))


def _assign(actor, household: Household, cadre: User, since: dt.date) -> bool:
    """Assign without committing; False when the household already had this cadre."""
    _check_cadre(cadre, household)
    current = db.session.get(ResponsibleCadre, household.id)
    if current is not None and current.user_id == cadre.id:
        return False
    _event(actor, household.id, "assign_cadre", before=current.user_id if current else None, after=cadre.id)
    if current is None:
        db.session.add(ResponsibleCadre(household_id=household.id, user_id=cadre.id, since=since))
    else:
        current.user_id, current.since = cadre.id, since
    return True


def assign_cadre(actor, household: Household, cadre: User, since: dt.date) -> None:
    """帮扶责任人: ``cadre`` answers for ``household`` from ``since``."""
    check_in_scope(actor, household)
    _assign(actor, household, cadre, since)
    db.session.commit()


def needs_cadre():
    """Households that must have a cadre: monitored or out of poverty (§12)."""
    return (Household.monitored_category.is_not(None)) | Household.household_type.in_(LAYERED_KINDS)


def assign_village(actor, village_id: int, cadre: User, since: dt.date) -> int:
    """Every monitored and out-of-poverty household of a village in the actor's areas; how many changed."""
    households = db.session.scalars(select(Household).where(
        household_filter(actor), Household.village_id == village_id, needs_cadre())).all()
    changed = sum(_assign(actor, household, cadre, since) for household in households)
    db.session.commit()
    return changed


@dataclass(frozen=True)
class SheetProblem:
    row: int
    message: str


def assign_rows(actor, rows: list[tuple[int, str | None, str | None]],
                since: dt.date) -> tuple[int, list[SheetProblem]]:
    """From a file's (row number, household number, cadre's user name): all rows or none. Returns
    how many households changed, or the problems (then nothing is written)."""
    numbers = {number for _, number, _ in rows if number}
    households = {household.household_number: household for household in db.session.scalars(
        select(Household).where(household_filter(actor), Household.household_number.in_(numbers)))} if numbers else {}
    names = {name for _, _, name in rows if name}
    users = {user.username: user for user in db.session.scalars(
        select(User).where(User.username.in_(names)))} if names else {}
    problems, pairs = [], []
    for row, number, name in rows:
        household, cadre = households.get(number or ""), users.get(name or "")
        if household is None:
            problems.append(SheetProblem(row, _("找不到户编号 %(number)s（或不在你的范围内）。", number=number or "")))
        elif cadre is None:
            problems.append(SheetProblem(row, _("找不到用户名 %(name)s。", name=name or "")))
        else:
            try:
                _check_cadre(cadre, household)
            except InvalidInput as error:
                problems.append(SheetProblem(row, error.message))
            else:
                pairs.append((household, cadre))
    if problems or not pairs:
        db.session.rollback()
        return 0, problems or [SheetProblem(0, _("文件中没有可分配的行。"))]
    changed = sum(_assign(actor, household, cadre, since) for household, cadre in pairs)
    db.session.commit()
    return changed, []


def assess_layer(actor, household: Household, year: int, layer: str | None, reason: str | None,
                 suggested: str | None, today: dt.date) -> CircleLayer:
    """圈层年度评定: the layer the household is in for ``year``. A reason is required when the layer
    departs from the live suggestion or changes an earlier assessment of the year."""
    check_in_scope(actor, household)
    if layer not in CIRCLE_LAYER.values:
        raise InvalidInput("layer", _("请选择圈层。"))
    reason = (reason or "").strip()[:MAX_TEXT]
    stored = db.session.scalar(select(CircleLayer).where(CircleLayer.household_id == household.id,
                                                         CircleLayer.year == year))
    before = stored.layer if stored else None
    if not reason and (layer != suggested or (before is not None and before != layer)):
        raise InvalidInput("reason", _("圈层与系统建议不同或改变已评定的圈层时，请填写原因。"))
    if stored is None:
        stored = CircleLayer(household_id=household.id, year=year)
        db.session.add(stored)
    stored.layer, stored.suggested, stored.reason = layer, suggested, reason
    stored.assessed_on, stored.assessed_by_id = today, actor.id
    _event(actor, household.id, "assess_layer", before=before, after=layer, year=year, reason=reason)
    db.session.commit()
    return stored


def assess_village(actor, households: list[Household], suggestions: dict[int, str | None], year: int,
                   today: dt.date) -> int:
    """集中动态调整: every household given (of one village) that has a suggestion and no layer for
    ``year`` yet is assessed in the suggested layer. Returns how many were assessed."""
    assessed = set(db.session.scalars(select(CircleLayer.household_id).where(
        CircleLayer.year == year, CircleLayer.household_id.in_([household.id for household in households]))))
    count = 0
    for household in households:
        layer = suggestions.get(household.id)
        if layer is None or household.id in assessed:
            continue
        check_in_scope(actor, household)
        db.session.add(CircleLayer(household_id=household.id, year=year, layer=layer, suggested=layer, reason="",
                                   assessed_on=today, assessed_by_id=actor.id))
        _event(actor, household.id, "assess_layer", after=layer, year=year)
        count += 1
    db.session.commit()
    return count


# ------------------------------------------------------------------ visits from phones

VISIT_FIELDS = ("household_id", "visit_date", "kind", "met", "member_changes", "income_change",
                "per_capita_income", "problems", "assistance", "measure_ids", "photo_sha256", "risk_found",
                "risk_note")
# Sent by phones since measures are carried out (migration 0020); hashed only when it says
# something, so a visit stored before, sent again, is still the same visit.
CARRIED_OUT = "carried_out"


class VisitRefused(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def carried_out_field(measure_id: int) -> str:
    """Where the phone shows a bad day for a measure reported carried out."""
    return f"carried_out.{measure_id}"


def digest_of(item: dict) -> str:
    """What a visit is, for telling a resend from other content under the same uuid."""
    fields = {name: item.get(name) for name in VISIT_FIELDS}
    if item.get(CARRIED_OUT):
        fields[CARRIED_OUT] = item[CARRIED_OUT]
    return content_sha256(fields)


def _text(item: dict, name: str) -> str:
    value = item.get(name) or ""
    if not isinstance(value, str):
        raise VisitRefused(_("字段 %(field)s 应为文字。", field=name))
    return value.strip()[:MAX_TEXT]


def _parse(user, item: dict, today: dt.date) -> dict:
    household_id = item.get("household_id")
    household = db.session.scalar(select(Household).where(household_filter(user), Household.id == household_id)) \
        if isinstance(household_id, int) and not isinstance(household_id, bool) else None
    if household is None:
        raise VisitRefused(_("找不到这户，或这户不在你的负责范围内。"))
    try:
        visit_date = dt.date.fromisoformat(item.get("visit_date") or "")
    except (TypeError, ValueError):
        raise VisitRefused(_("走访日期应为 YYYY-MM-DD。")) from None
    if visit_date > today:
        raise VisitRefused(_("走访日期不能晚于今天。"))
    kind, income_change = item.get("kind"), item.get("income_change") or "none"
    if kind not in CONTACT_KIND.values:
        raise VisitRefused(_("请选择走访方式。"))
    if income_change not in INCOME_CHANGE.values:
        raise VisitRefused(_("收入变化应为无明显变化、增加或减少。"))
    per_capita = None
    if item.get("per_capita_income") not in (None, ""):
        try:
            per_capita = parse_yuan(item["per_capita_income"])
        except MoneyError:
            raise VisitRefused(_("人均纯收入应为以元计的金额。")) from None
        if per_capita < 0:
            raise VisitRefused(_("人均纯收入不能为负数。"))
    measure_ids = item.get("measure_ids") or []
    if not isinstance(measure_ids, list) or not all(isinstance(value, int) for value in measure_ids):
        raise VisitRefused(_("帮扶措施应为措施编号的列表。"))
    measures = {measure.id: measure for measure in db.session.scalars(select(AssistanceMeasure).where(
        AssistanceMeasure.household_id == household.id, AssistanceMeasure.id.in_(measure_ids)))} \
        if measure_ids else {}
    if len(measures) != len(set(measure_ids)):
        raise VisitRefused(_("所选帮扶措施不属于这户。"))
    carried_out = _carried_out(item.get(CARRIED_OUT), measures)
    photo = item.get("photo_sha256") or None
    if photo is not None and (not isinstance(photo, str) or not SHA256.fullmatch(photo)):
        raise VisitRefused(_("照片地址应为 64 位小写十六进制的 SHA-256。"))
    if photo is not None and kind != "home_visit":
        raise VisitRefused(_("只有入户走访可以附照片。"))
    risk_found = item.get("risk_found") is True
    risk_note = _text(item, "risk_note")
    if risk_found and not risk_note:
        raise VisitRefused(_("发现风险时请说明情况。"))
    return {"household": household, "visit_date": visit_date, "kind": kind, "met": _text(item, "met"),
            "member_changes": _text(item, "member_changes"), "income_change": income_change,
            "per_capita_income_fen": per_capita, "problems": _text(item, "problems"),
            "assistance": _text(item, "assistance"), "measure_ids": sorted(set(measure_ids)),
            "carried_out": carried_out, "photo_sha256": photo, "risk_found": risk_found,
            "risk_note": risk_note if risk_found else ""}


def _carried_out(value, measures: dict[int, AssistanceMeasure]) -> list[tuple]:
    """落实: the measures followed up that the cadre reports carried out, each with its day:
    [(measure, day)]; whether a day may be one (not in the future, not before the measure was
    declared) is the monitoring service's to say."""
    if value in (None, []):
        return []
    if not isinstance(value, list) or not all(
            isinstance(entry, dict) and isinstance(entry.get("measure_id"), int)
            and not isinstance(entry.get("measure_id"), bool) for entry in value):
        raise VisitRefused(_("已落实的帮扶措施应为措施编号和落实日期的列表。"))
    found = []
    for entry in value:
        measure = measures.get(entry["measure_id"])
        if measure is None:
            raise VisitRefused(_("只能登记本次跟进的帮扶措施已落实。"), carried_out_field(entry["measure_id"]))
        on = entry.get("on")
        try:
            day = dt.date.fromisoformat(on) if isinstance(on, str) else None
        except ValueError:
            day = None
        if day is None:
            raise VisitRefused(_("落实日期应为 YYYY-MM-DD。"), carried_out_field(measure.id))
        found.append((measure, day))
    if len({measure.id for measure, _day in found}) != len(found):
        raise VisitRefused(_("同一项帮扶措施只能登记一次落实。"))
    return found


def receive_visit(user, item, today: dt.date) -> dict:
    """Store one visit the phone sent; the per-item answer (docs/sync.md, Visits). Commits."""
    visit_id = item.get("id") if isinstance(item, dict) else None
    try:
        visit_id = str(uuid.UUID(visit_id)) if isinstance(visit_id, str) else None
    except ValueError:
        visit_id = None
    if visit_id is None:
        return {"id": item.get("id") if isinstance(item, dict) else None, "result": "invalid",
                "message": _("走访记录的编号应为 UUID。")}
    digest = digest_of(item)
    stored = db.session.get(Visit, visit_id)
    if stored is not None:
        if stored.content_sha256 == digest and scope_of(user).covers(stored.household.village_id,
                                                                      stored.household.group_id):
            return {"id": visit_id, "result": "duplicate"}
        return {"id": visit_id, "result": "invalid", "message": _("这个编号已用于另一条走访记录。")}
    try:
        fields = _parse(user, item, today)
    except VisitRefused as refused:
        return {"id": visit_id, "result": "invalid", "message": refused.message,
                **({"field": refused.field} if refused.field else {})}
    household = fields.pop("household")
    carried_out = fields.pop("carried_out")
    try:  # the same service as the office's, in the visit's commit
        monitoring.mark_carried_out(user, carried_out, today, visit_id=visit_id,
                                    field=lambda measure: carried_out_field(measure.id))
    except InvalidInput as refused:
        db.session.rollback()
        return {"id": visit_id, "result": "invalid", "message": refused.message, "field": refused.field}
    visit = Visit(id=visit_id, household_id=household.id, cadre_id=user.id, content_sha256=digest,
                  carried_out=[{"measure_id": measure.id, "on": day.isoformat()} for measure, day in carried_out],
                  **fields)
    if visit.risk_found:  # 发现风险: a clue to verify, as a department's warning would be (DOMAIN §13.3)
        visit.clue_id = clues.raise_from_visit(user, household, visit.risk_note, today).id
    db.session.add(visit)
    _event(user, household.id, "record_visit", after=visit_id)
    try:
        db.session.commit()
    except IntegrityError:  # the same visit arrived on another connection first
        db.session.rollback()
        return receive_visit(user, item, today)
    except SQLAlchemyError:  # a fault here, not in the visit: the phone keeps it and retries
        db.session.rollback()
        return {"id": visit_id, "result": "error", "message": _("服务器暂时无法保存这条记录，稍后会自动重试。")}
    return {"id": visit_id, "result": "created"}
