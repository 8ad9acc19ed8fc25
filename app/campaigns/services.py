"""Write verbs for campaigns: the campaign itself, its thresholds, and who visits whom."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, insert, literal, select, update

from app.auth.models import User
from app.campaigns.models import MIN_NOTICE_DAYS, Assignment, Campaign, MonitoringThreshold
from app.codes import DAY_COUNT, LINE_KIND
from app.errors import InvalidInput
from app.extensions import db
from app.geo.models import Area
from app.households.models import Household
from app.households.scope import household_filter, scope_of

THRESHOLD_LEVELS = ("county", "township", "village")


CLUE_DAY_FIELDS = ("clue_verify_days", "clue_village_review_days", "clue_township_review_days")


def save_campaign(campaign: Campaign | None, *, name: str, year: int, form_version: str,
                  county_approval_enabled: bool, public_notice_days: int, notice_shows_health: bool = False,
                  decision_days_limit: int = 15, decision_day_count: str = "calendar",
                  clue_days: tuple[int, int, int] = (15, 5, 5)) -> Campaign:
    """Create a campaign (``campaign`` None) or change one. ``clue_days``: a department
    warning's days to verify, for the village's review and for the township's."""
    if public_notice_days < MIN_NOTICE_DAYS:
        raise InvalidInput("public_notice_days", _("公示天数至少为 %(min)s 天。", min=MIN_NOTICE_DAYS))
    if decision_days_limit < 1:
        raise InvalidInput("decision_days_limit", _("办结时限至少为 %(min)s 天。", min=1))
    if decision_day_count not in DAY_COUNT.values:
        raise InvalidInput("decision_day_count", _("请选择按自然日还是工作日计算。"))
    for name_of_field, days in zip(CLUE_DAY_FIELDS, clue_days):
        if days is None or days < 1:
            raise InvalidInput(name_of_field, _("办结时限至少为 %(min)s 天。", min=1))
    if campaign is None:
        campaign = Campaign()
        db.session.add(campaign)
    campaign.name, campaign.year, campaign.form_version = name.strip(), year, form_version.strip()
    campaign.county_approval_enabled, campaign.public_notice_days = county_approval_enabled, public_notice_days
    campaign.notice_shows_health = notice_shows_health
    campaign.decision_days_limit, campaign.decision_day_count = decision_days_limit, decision_day_count
    for name_of_field, days in zip(CLUE_DAY_FIELDS, clue_days):
        setattr(campaign, name_of_field, days)
    db.session.commit()
    return campaign


def set_threshold(campaign: Campaign, year: int, area: Area, amount_fen: int, kind: str = "monitoring") -> bool:
    """Set the line of ``kind`` (LINE_KIND: the monitoring threshold, the circle layers' line)
    for (year, area), replacing one already set. True when it is new."""
    if kind not in LINE_KIND.values:
        raise InvalidInput("kind", _("请选择金额线的种类。"))
    if area.level not in THRESHOLD_LEVELS:
        raise InvalidInput("area", _("%(kind)s只能设在县、乡镇或村。", kind=LINE_KIND.label(kind)))
    if amount_fen <= 0:
        raise InvalidInput("amount", _("%(kind)s必须大于 0 元。", kind=LINE_KIND.label(kind)))
    threshold = db.session.scalar(select(MonitoringThreshold).where(
        MonitoringThreshold.campaign_id == campaign.id, MonitoringThreshold.kind == kind,
        MonitoringThreshold.year == year, MonitoringThreshold.area_id == area.id,
    ))
    created = threshold is None
    if created:
        threshold = MonitoringThreshold(campaign=campaign, kind=kind, year=year, area=area)
        db.session.add(threshold)
    threshold.amount_fen = amount_fen
    db.session.commit()
    return created


def delete_threshold(threshold: MonitoringThreshold) -> None:
    db.session.delete(threshold)
    db.session.commit()


@dataclass(frozen=True)
class AssignmentCounts:
    added: int  # had no enumerator in the campaign
    moved: int  # taken over from another enumerator
    unchanged: int  # already this enumerator's


def assign_area(actor: User, campaign: Campaign, area: Area, enumerator: User) -> AssignmentCounts:
    """Give every household of a village or group to ``enumerator`` for the campaign, in
    a few set-based statements whatever the number of households. Running it again changes nothing."""
    if area.level == "village":
        in_area = Household.village_id == area.id
        covered = scope_of(enumerator).covers(area.id, None)
    elif area.level == "group":
        in_area = Household.group_id == area.id
        covered = scope_of(enumerator).covers(area.parent_id, area.id)
    else:
        raise InvalidInput("area", _("请选择一个村或村民小组。"))
    if enumerator.role != "enumerator" or not enumerator.active:
        raise InvalidInput("enumerator", _("%(name)s不是在用的信息采集员。", name=enumerator.display_name))
    if not covered:
        raise InvalidInput("enumerator", _("%(name)s的负责区域不包括%(area)s，请先在用户管理中为其添加该区域。",
                                           name=enumerator.display_name, area=area.name))

    in_target = and_(in_area, household_filter(actor))
    of_campaign = and_(Assignment.campaign_id == campaign.id,
                       Assignment.household_id.in_(select(Household.id).where(in_target)))
    total = db.session.scalar(select(func.count(Household.id)).where(in_target))
    unchanged, moved = db.session.execute(select(
        func.count().filter(Assignment.enumerator_id == enumerator.id),
        func.count().filter(Assignment.enumerator_id != enumerator.id),
    ).where(of_campaign)).one()
    db.session.execute(
        update(Assignment).where(of_campaign, Assignment.enumerator_id != enumerator.id)
        .values(enumerator_id=enumerator.id).execution_options(synchronize_session=False)
    )
    not_yet_assigned = ~exists().where(Assignment.campaign_id == campaign.id, Assignment.household_id == Household.id)
    db.session.execute(insert(Assignment).from_select(
        ["campaign_id", "household_id", "enumerator_id"],
        select(literal(campaign.id), Household.id, literal(enumerator.id)).where(in_target, not_yet_assigned),
    ))
    db.session.commit()
    return AssignmentCounts(added=total - unchanged - moved, moved=moved, unchanged=unchanged)
