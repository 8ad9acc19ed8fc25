"""The only writers of the sample audits: drawing a round, assigning auditors per township,
receiving an auditor's copy of the census form, and the village's answer to a discrepancy.
Each writes its ``AuditEvent`` beside the change.

What must always hold:
- A round records its seed; drawing again with the same population, size and seed gives the
  same households (app.audits.sampling).
- An auditor never audits a household whose record they collected or reviewed.
- An audit copy never touches the household's record: it is an ``AuditRecord`` beside it,
  evaluated by the census engine (app.census.services.evaluate) and compared field by field
  with the original's current revision (app.audits.comparison).
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audits import comparison, queries, sampling
from app.audits.models import AuditAuditor, AuditEvent, AuditRecord, AuditRound, AuditSample
from app.campaigns.models import Campaign
from app.census import definitions
from app.census import services as census
from app.codes import AUDIT_POPULATION
from app.errors import InvalidInput
from app.extensions import db
from app.geo.models import Area
from app.households.scope import scope_of
from app.records.canonical import content_sha256
from app.records.models import Submission
from app.records.queries import current_revision

DEFAULT_TOLERANCE = Decimal("5.00")


def _event(actor, audit_round: AuditRound, action: str, *, sample: AuditSample | None = None, note: str = "") -> None:
    db.session.add(AuditEvent(round=audit_round, sample_id=sample.id if sample else None,
                              actor_id=actor.id if actor else None, action=action, note=note))


def parse_share(text: str | None) -> Decimal | None:
    if text in (None, ""):
        return None
    try:
        share = Decimal(str(text).strip().rstrip("%"))
    except InvalidOperation:
        raise InvalidInput("share", _("抽样比例应为 0 到 1 之间的小数，如 0.2。")) from None
    if str(text).strip().endswith("%"):
        share /= 100
    if not 0 < share <= 1:
        raise InvalidInput("share", _("抽样比例应为 0 到 1 之间的小数，如 0.2。"))
    return share


def check_draw(population: str, start: dt.date, end: dt.date, *, share: Decimal | None, count: int | None,
               tolerance: Decimal = DEFAULT_TOLERANCE) -> None:
    """What a draw is asked with, checked before it is drawn (the page checks it before asking for the job)."""
    if population not in AUDIT_POPULATION.values:
        raise InvalidInput("population", _("请选择抽样范围。"))
    if start > end:
        raise InvalidInput("period_end", _("结束日期不能早于开始日期。"))
    if (share is None) == (count is None) or (count is not None and count < 1):
        raise InvalidInput("share", _("请填写抽样比例或抽样户数（二选一）。"))
    if tolerance < 0:
        raise InvalidInput("tolerance", _("允许误差不能为负数。"))


def draw_round(actor, county: Area, population: str, start: dt.date, end: dt.date, *, share: Decimal | None,
               count: int | None, seed: int, tolerance: Decimal = DEFAULT_TOLERANCE,
               counted: Callable[[Iterable], Iterable] = iter) -> AuditRound:
    """抽样: a round drawn from the county's population of the period, stratified by township.
    ``counted`` sees each sample go by as it is written (the draw job's progress)."""
    check_draw(population, start, end, share=share, count=count, tolerance=tolerance)
    drawn = queries.population(county.id, population, start, end)
    if not drawn:
        raise InvalidInput("population", _("这一期间没有符合抽样范围的户。"))
    by_household = {item.candidate.household_id: item for item in drawn}
    sample = sampling.draw([item.candidate for item in drawn], seed, share=share, count=count)
    audit_round = AuditRound(county_id=county.id, population=population, period_start=start, period_end=end,
                             share=share, sample_count=count, seed=seed, tolerance_percent=tolerance,
                             population_households=len(drawn), created_by_id=actor.id if actor else None)
    db.session.add(audit_round)
    for candidate in counted(sample):
        db.session.add(AuditSample(round=audit_round, household_id=candidate.household_id,
                                   township_id=candidate.township_id, persons=candidate.persons,
                                   submission_id=by_household[candidate.household_id].submission_id))
    report = sampling.report(sample, [item.candidate for item in drawn])
    _event(actor, audit_round, "draw", note=f"seed={seed} households={report.households} persons={report.persons} "
                                            f"share={report.share_percent}%")
    db.session.commit()
    return audit_round


def round_report(audit_round: AuditRound) -> sampling.Report:
    return sampling.Report(len(audit_round.samples), sum(sample.persons for sample in audit_round.samples),
                           audit_round.population_households)


def assign_auditor(actor, audit_round: AuditRound, township: Area, auditor) -> int:
    """An auditor for a township of the round; the township's samples without an auditor are
    shared among its auditors, never to one who collected or reviewed the household's record.
    Returns how many samples were given to an auditor."""
    if township.level != "township" or township.parent_id != audit_round.county_id:
        raise InvalidInput("township", _("请选择本县的乡镇。"))
    villages = set(db.session.scalars(select(Area.id).where(Area.parent_id == township.id)))
    if not villages <= scope_of(auditor).village_ids:
        raise InvalidInput("auditor", _("%(name)s 的负责区域不包括这个乡镇。", name=auditor.display_name))
    if db.session.get(AuditAuditor, (audit_round.id, township.id, auditor.id)) is None:
        db.session.add(AuditAuditor(round_id=audit_round.id, township_id=township.id, user_id=auditor.id))
        _event(actor, audit_round, "assign_auditor", note=f"township={township.id} user={auditor.id}")
    db.session.flush()
    auditors = sorted(db.session.scalars(select(AuditAuditor.user_id).where(
        AuditAuditor.round_id == audit_round.id, AuditAuditor.township_id == township.id)))
    waiting = db.session.scalars(select(AuditSample).where(
        AuditSample.round_id == audit_round.id, AuditSample.township_id == township.id,
        AuditSample.auditor_id.is_(None)).order_by(AuditSample.id)).all()
    excluded = queries.involved([sample.household_id for sample in waiting])
    given = 0
    for position, sample in enumerate(waiting):
        eligible = [user_id for user_id in auditors if user_id not in excluded.get(sample.household_id, set())]
        if eligible:
            sample.auditor_id = eligible[position % len(eligible)]
            given += 1
    db.session.commit()
    return given


def receive_copy(user, item, today: dt.date) -> dict:
    """An auditor's copy sent by the phone: per-item result, like records (created, duplicate,
    invalid). Commits."""
    copy_id = item.get("id") if isinstance(item, dict) else None
    try:
        copy_id = str(uuid.UUID(copy_id)) if isinstance(copy_id, str) else None
    except ValueError:
        copy_id = None
    if copy_id is None:
        return {"id": None, "result": "invalid", "message": _("审核复核表的编号应为 UUID。")}
    answers = item.get("answers")
    digest = content_sha256({"sample_id": item.get("sample_id"), "answers": answers})
    stored = db.session.get(AuditRecord, copy_id)
    if stored is not None:
        same = stored.content_sha256 == digest and stored.auditor_id == user.id
        return {"id": copy_id, "result": "duplicate"} if same else \
            {"id": copy_id, "result": "invalid", "message": _("这个编号已用于另一份复核表。")}
    sample_id = item.get("sample_id")
    sample = db.session.get(AuditSample, sample_id) if isinstance(sample_id, int) else None
    if sample is None or sample.auditor_id != user.id:
        return {"id": copy_id, "result": "invalid", "message": _("找不到这个审核任务，或它不是分配给你的。")}
    if not isinstance(answers, dict):
        return {"id": copy_id, "result": "invalid", "message": _("复核表内容应为 JSON 对象。")}
    if sample.outcome != "pending":
        return {"id": copy_id, "result": "invalid", "message": _("这户已经复核过了。")}
    original = db.session.get(Submission, sample.submission_id) if sample.submission_id else None
    campaign = db.session.get(Campaign, original.campaign_id) if original else census.current_campaign()
    version = campaign.form_version if campaign else definitions.DEFAULT_VERSION
    result = census.evaluate(sample.household, campaign, answers, definitions.get(version))
    evaluated = {"income": result["income"], "screening": result["screening"]}
    revision = current_revision(original) if original else None
    differences = comparison.compare(revision.answers if revision else {}, revision.server_result if revision else {},
                                     answers, evaluated, sample.round.tolerance_percent)
    db.session.add(AuditRecord(id=copy_id, sample_id=sample.id, auditor_id=user.id, answers=answers,
                               result=evaluated, differences=[difference.as_dict() for difference in differences],
                               content_sha256=digest))
    sample.outcome = comparison.outcome(differences)
    _event(user, sample.round, "receive_copy", sample=sample, note=sample.outcome)
    try:
        db.session.commit()
    except IntegrityError:  # another copy of this sample arrived first
        db.session.rollback()
        return {"id": copy_id, "result": "invalid", "message": _("这户已经复核过了。")}
    return {"id": copy_id, "result": "created", "outcome": sample.outcome}


def answer_discrepancy(actor, sample: AuditSample, text: str | None) -> None:
    """村级说明: the village answers the differences found (only a discrepancy has one)."""
    text = (text or "").strip()[:2000]
    if sample.outcome != "discrepancy":
        raise InvalidInput("answer", _("只有复核不一致的户需要说明。"))
    if not text:
        raise InvalidInput("answer", _("请说明不一致的原因和处理情况。"))
    sample.village_answer, sample.answered_by_id = text, actor.id
    _event(actor, sample.round, "answer", sample=sample)
    db.session.commit()
