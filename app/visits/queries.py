"""Reads of the visit duties, always within the user's areas (app.households.scope): whom a
household answers to, its status and layer history, its visits, and what is due and overdue
for a cadre, a village or a township."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select

from app.auth.models import User
from app.campaigns.models import Campaign
from app.campaigns.queries import village_lines
from app.codes import CONTACT_KIND, DUTY_PERIOD
from app.extensions import db
from app.figures import bands, monthly
from app.figures.counts import SAFETY_NET_SUBTYPES
from app.files.tables import stream
from app.geo.models import Area
from app.households.models import Household, Member
from app.households.scope import area_tree, household_filter
from app.monitoring.models import Proposal
from app.records.models import Submission
from app.sql import id_in
from app.visits import duties
from app.visits.models import CircleLayer, DutyEvent, DutyRule, DutyRuleSet, ResponsibleCadre, Visit


def duty_text(rule: duties.Rule) -> str:
    """A duty as the phone's tasks and the office pages say it (每月电话联系或微信联系或入户走访 1 次)."""
    return _("%(period)s%(kinds)s %(count)s 次", period=DUTY_PERIOD.label(rule.period),
             kinds=_("或").join(CONTACT_KIND.label(kind) for kind in rule.kinds), count=rule.count)


def county_of(area_id: int) -> int:
    """The county above an area (the root of its branch)."""
    parent = area_tree().parent
    while parent.get(area_id) is not None:
        area_id = parent[area_id]
    return area_id


def rules_of(county_id: int) -> tuple[duties.Rule, ...]:
    """The county's duties: its own set, else the default shipped set."""
    rule_set = db.session.scalar(select(DutyRuleSet).where(DutyRuleSet.county_id == county_id))
    if rule_set is None:
        return duties.SHIPPED[duties.DEFAULT].rules
    return tuple(duties.Rule(rule.code, rule.applies_to, rule.applies_value, tuple(rule.kinds), rule.period,
                             rule.count) for rule in rule_set.rules)


def own_rules(county_id: int) -> list[DutyRule]:
    """The county's own copy of its rules (empty while it uses the default set)."""
    return list(db.session.scalars(select(DutyRule).join(DutyRuleSet).where(DutyRuleSet.county_id == county_id)
                                   .order_by(DutyRule.id)))


def rule_set_code(county_id: int) -> str:
    return db.session.scalar(select(DutyRuleSet.based_on).where(DutyRuleSet.county_id == county_id)) \
        or duties.DEFAULT


def cadre_of(household_id: int) -> ResponsibleCadre | None:
    return db.session.get(ResponsibleCadre, household_id)


def situations(household_ids: Iterable[int]) -> dict[int, duties.Situation]:
    """Each household's status spells (from its approved identifications and eliminations) and
    layer spells (from its assessed layers), in two queries."""
    ids = list(household_ids)
    status: dict[int, list[duties.Spell]] = defaultdict(list)
    decided = (select(Proposal.household_id, Proposal.kind, Proposal.decided_date)
               .where(id_in(Proposal.household_id, ids), Proposal.state == "approved")
               .order_by(Proposal.decided_date, Proposal.id))
    for household_id, kind, decided_date in db.session.execute(decided):
        status[household_id].append(duties.Spell(decided_date,
                                                 "unresolved" if kind == "identification" else "resolved"))
    layer: dict[int, list[duties.Spell]] = defaultdict(list)
    assessed = (select(CircleLayer.household_id, CircleLayer.assessed_on, CircleLayer.layer)
                .where(id_in(CircleLayer.household_id, ids)).order_by(CircleLayer.year))
    for household_id, assessed_on, value in db.session.execute(assessed):
        layer[household_id].append(duties.Spell(assessed_on, value))
    return {household_id: duties.Situation(tuple(status[household_id]), tuple(layer[household_id]))
            for household_id in ids}


def contacts(household_ids: Iterable[int]) -> dict[int, list[duties.Contact]]:
    found: dict[int, list[duties.Contact]] = defaultdict(list)
    for household_id, on, kind in db.session.execute(
            select(Visit.household_id, Visit.visit_date, Visit.kind).where(id_in(Visit.household_id,
                                                                                 list(household_ids)))):
        found[household_id].append(duties.Contact(on, kind))
    return found


def _rules_by_village():
    """village id → its county's rules, each county's read once."""
    by_county: dict[int, tuple[duties.Rule, ...]] = {}

    def rules_for(village_id: int) -> tuple[duties.Rule, ...]:
        county = county_of(village_id)
        if county not in by_county:
            by_county[county] = rules_of(county)
        return by_county[county]

    return rules_for


def _dutiable():
    """Households that can owe a visit: an approved proposal or an assessed layer."""
    return or_(exists().where(Proposal.household_id == Household.id, Proposal.state == "approved"),
               exists().where(CircleLayer.household_id == Household.id))


@dataclass(frozen=True)
class HouseholdDuties:
    household: Household
    cadre: User | None
    duties: list[duties.Duty]

    @property
    def due(self) -> int:
        return sum(duty.due for duty in self.duties)

    @property
    def overdue(self) -> int:
        return sum(duty.overdue for duty in self.duties)


def household_duties(user, today: dt.date, *, cadre: User | None = None, village_id: int | None = None,
                     household_id: int | None = None) -> list[HouseholdDuties]:
    """The duties of every household in the user's areas that can owe one (only ``cadre``'s, one
    village's or one household's, when given), by household number."""
    query = (select(Household, User).outerjoin(ResponsibleCadre, ResponsibleCadre.household_id == Household.id)
             .outerjoin(User, User.id == ResponsibleCadre.user_id)
             .where(household_filter(user), _dutiable()).order_by(Household.household_number))
    if cadre is not None:
        query = query.where(ResponsibleCadre.user_id == cadre.id)
    if village_id is not None:
        query = query.where(Household.village_id == village_id)
    if household_id is not None:
        query = query.where(Household.id == household_id)
    rows = db.session.execute(query).all()
    ids = [household.id for household, _ in rows]
    found_situations, found_contacts = situations(ids), contacts(ids)
    rules_for = _rules_by_village()
    result = []
    for household, responsible in rows:
        result.append(HouseholdDuties(household, responsible, duties.duties(
            rules_for(household.village_id), found_situations[household.id], found_contacts[household.id], today)))
    return result


def missed_by_village(user, first: dt.date, last: dt.date, villages: Iterable[int] | None = None) -> dict[int, int]:
    """Visits missing from the owed periods that ended between ``first`` and ``last``, per village
    of the user's areas (only of ``villages``, when given; villages with none missing are left out).
    Counted live: the monthly ranking reads them stored (``missed_in``, app.figures.monthly)."""
    where = household_filter(user)
    if villages is not None:
        where = and_(where, id_in(Household.village_id, villages))
    return _missed(where, first, last)


def missed_in(villages: Iterable[int], first: dt.date, last: dt.date) -> dict[int, int]:
    """``missed_by_village`` over every household of these villages, whoever asks: the stored
    monthly figure (``OVERDUE_VISITS``), counted by the recount job."""
    return _missed(id_in(Household.village_id, villages), first, last)


def _missed(where, first: dt.date, last: dt.date) -> dict[int, int]:
    rows = db.session.execute(select(Household.id, Household.village_id).where(where, _dutiable())).all()
    ids = [household_id for household_id, _ in rows]
    found_situations, found_contacts = situations(ids), contacts(ids)
    rules_for = _rules_by_village()
    missed: dict[int, int] = defaultdict(int)
    for household_id, village_id in rows:
        missing = sum(item.missing for item in duties.shortfalls(
            rules_for(village_id), found_situations[household_id], found_contacts[household_id], first, last))
        if missing:
            missed[village_id] += missing
    return dict(missed)


# The monthly ranking's overdue visits, stored per village and month with the village figures.
OVERDUE_VISITS = "overdue_visits"
monthly.register(OVERDUE_VISITS, missed_in)


@dataclass(frozen=True)
class OverdueLine:
    key: int | None  # a user, village or township id; None: no cadre
    name: str
    households: int  # households with a duty
    overdue_households: int
    overdue: int  # visits missing


def overdue_by(rows: list[HouseholdDuties], by: str) -> list[OverdueLine]:
    """Overdue visits grouped by "cadre", "village" or "township", most overdue first."""
    tree, names = area_tree(), {}
    groups: dict[int | None, list[HouseholdDuties]] = defaultdict(list)
    for row in rows:
        if by == "cadre":
            key = row.cadre.id if row.cadre else None
            names[key] = row.cadre.display_name if row.cadre else ""
        else:
            key = row.household.village_id if by == "village" else tree.parent[row.household.village_id]
        groups[key].append(row)
    if by != "cadre":
        names = dict(db.session.execute(select(Area.id, Area.name).where(id_in(Area.id, list(groups)))).all())
    lines = [OverdueLine(key, names.get(key, ""), len(items), sum(1 for item in items if item.overdue),
                         sum(item.overdue for item in items)) for key, items in groups.items()]
    return sorted(lines, key=lambda line: (-line.overdue, line.name))


def layer_suggestion(household: Household, campaign: Campaign | None) -> str | None:
    """The layer the live rule gives (figures.bands.circle_layer) from the household's approved
    record in the campaign and the layers' line in force for its village; None when it cannot say."""
    if campaign is None:
        return None
    line = village_lines(campaign, [household.village_id], "circle_layer").get(household.village_id)
    per_capita = db.session.scalar(select(Submission.per_capita_net_income).where(
        Submission.household_id == household.id, Submission.campaign_id == campaign.id,
        Submission.status == "approved"))
    if line is None or per_capita is None:
        return None
    safety_net = household.poverty_subtype in SAFETY_NET_SUBTYPES or db.session.scalar(select(exists().where(
        Member.household_id == household.id,
        or_(Member.minimum_living_allowance.is_(True), Member.extreme_poverty_support.is_(True)))))
    return bands.circle_layer(monitored=household.monitored_category is not None,
                              out_of_poverty=household.household_type == "out_of_poverty",
                              safety_net=bool(safety_net), has_labour=not household.without_labour,
                              reaches_threshold=per_capita >= line)


def layered_households(user, village_id: int) -> list[Household]:
    """The village's out-of-poverty and monitored households in the user's areas (§12's layers)."""
    return list(db.session.scalars(select(Household).where(
        household_filter(user), Household.village_id == village_id,
        or_(Household.monitored_category.is_not(None), Household.household_type == "out_of_poverty"))
        .order_by(Household.household_number)))


def layers_of(household_id: int) -> list[CircleLayer]:
    return list(db.session.scalars(select(CircleLayer).where(CircleLayer.household_id == household_id)
                                   .order_by(CircleLayer.year.desc())))


def layer_history(household_id: int) -> list[DutyEvent]:
    """Every assessment and change of the household's layer, newest first."""
    return list(db.session.scalars(select(DutyEvent).where(
        DutyEvent.household_id == household_id, DutyEvent.action == "assess_layer")
        .order_by(DutyEvent.at.desc(), DutyEvent.id.desc())))


def visits_of(household_id: int) -> list[Visit]:
    return list(db.session.scalars(select(Visit).where(Visit.household_id == household_id)
                                   .order_by(Visit.visit_date.desc(), Visit.received_at.desc())))


def visit_rows(user):
    """The visit log of the user's areas, for the export, streamed from a server-side cursor."""
    return stream(select(Household.household_number, Visit.visit_date, Visit.kind,
                         User.display_name.label("cadre_name"), Visit.met, Visit.member_changes, Visit.income_change,
                         Visit.per_capita_income_fen,
                         Visit.problems, Visit.assistance, Visit.risk_found, Visit.risk_note)
                  .join(Household, Household.id == Visit.household_id).join(User, User.id == Visit.cadre_id)
                  .where(household_filter(user)).order_by(Visit.visit_date, Visit.id))
