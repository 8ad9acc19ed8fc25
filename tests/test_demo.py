"""The demo county: the pure generator's promises, then the `flask demo` commands on a
real database."""
from __future__ import annotations

import datetime as dt
import random
import re
import statistics
from collections import Counter

import pytest
from sqlalchemy import func, select

from app import identity
from app.auth.models import User
from app.campaigns.models import Assignment, Campaign, MonitoringThreshold
from app.demo import generator
from app.demo.generator import LABOUR, REFERENCE_DATE
from app.extensions import db
from app.geo.models import Area
from app.households.models import Household, Member
from tests import factories

PHONE = re.compile(r"1[3-9]\d{9}")


def _generate(seed: int, count: int) -> tuple[generator.CountyPlan, list[dict]]:
    plan, households = generator.generate(seed, count)
    return plan, list(households)


def _age(member: dict) -> int:
    born = member["birth_date"]
    return REFERENCE_DATE.year - born.year - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (born.month, born.day))


@pytest.fixture(scope="module")
def sample() -> list[dict]:
    """A county big enough for the rare cases to appear."""
    return _generate(2026, 3000)[1]


# --- the pure generator ------------------------------------------------------------

def test_same_seed_gives_identical_data_and_another_seed_does_not():
    assert _generate(11, 150) == _generate(11, 150)
    assert _generate(11, 150)[1] != _generate(12, 150)[1]


@pytest.mark.parametrize("households, townships, villages", [(1, 2, 6), (4200, 2, 6), (4201, 3, 7), (40_000, 6, 58)])
def test_county_has_coded_townships_villages_of_a_real_size_and_numbered_groups(households, townships, villages):
    plan = generator.generate(5, households)[0]
    by_level = {level: [area for area in plan.areas if area.level == level]
                for level in ("county", "township", "village", "group")}
    [county] = by_level["county"]
    assert re.fullmatch(r"53\d{4}000000", county.code)
    # Six named villages hold 4,200 households; beyond that, one more village per 700.
    assert len(by_level["township"]) == townships and len(by_level["village"]) == villages
    assert [township.name for township in by_level["township"][:2]] == ["青山镇", "石门乡"]
    assert len({area.code for area in plan.areas}) == len(plan.areas)
    for township in by_level["township"]:
        assert township.code.startswith(county.code[:6]) and township.code.endswith("000")
        assert 100 <= int(township.code[6:9]) <= 399 and township.parent_code == county.code
    villages_per_township = Counter(village.parent_code for village in by_level["village"])
    assert set(villages_per_township) == {township.code for township in by_level["township"]}
    for village in by_level["village"]:
        assert village.code[:9] == village.parent_code[:9] and 200 <= int(village.code[9:]) <= 399
        groups = [area for area in by_level["group"] if area.parent_code == village.code]
        assert 3 <= len(groups) <= 8
        assert [group.code for group in groups] == [f"{village.code}{n:03d}" for n in range(1, len(groups) + 1)]
        assert groups[0].name == "第一村民小组" and groups[-1].name.endswith("村民小组")
    for township in by_level["township"]:
        names = [village.name for village in by_level["village"] if village.parent_code == township.code]
        assert len(set(names)) == len(names) <= generator.VILLAGES_PER_TOWNSHIP
        assert township.name[-1] == ("镇" if township.code[6] == "1" else "乡")


def test_a_big_county_has_more_villages_not_bigger_ones():
    plan, households = _generate(3, 14_000)
    villages = {area.code for area in plan.areas if area.level == "village"}
    sizes = Counter(household["village_code"] for household in households)
    assert len(villages) == 20 and set(sizes) == villages
    assert all(300 <= size <= 1000 for size in sizes.values()), sizes


def test_every_id_is_valid_unique_and_carries_the_members_sex_and_birth_date(sample):
    members = [member for household in sample for member in household["members"]]
    assert len({member["id_number"] for member in members}) == len(members)
    for member in members:
        parsed = identity.parse(member["id_number"], today=REFERENCE_DATE)
        assert parsed.valid, member
        assert member["id_number"].startswith(generator.COUNTY_CODE[:6])
        assert (parsed.sex, parsed.birth_date) == (member["sex"], member["birth_date"])


def test_rosters_fit_together(sample):
    for household in sample:
        members = household["members"]
        relations = Counter(member["relation"] for member in members)
        assert relations["head"] == 1 and relations["spouse"] <= 1
        head = next(member for member in members if member["relation"] == "head")
        assert 25 <= _age(head) <= 85
        for member in members:
            gap = _age(head) - _age(member)
            if member["relation"] == "spouse":
                assert member["sex"] != head["sex"] and abs(gap) <= 6
            elif member["relation"] in ("son", "daughter"):
                assert 18 <= gap <= 40
            elif member["relation"] in ("father", "mother"):
                assert gap <= -18
            elif member["relation"] in ("grandson", "granddaughter", "daughters_son", "daughters_daughter"):
                assert gap >= 36
            assert member["sex"] == {"son": "male", "daughter": "female", "father": "male", "mother": "female",
                                     "daughter_in_law": "female", "son_in_law": "male"}.get(member["relation"],
                                                                                            member["sex"])


def test_schooling_education_health_and_labour_agree(sample):
    members = [member for household in sample for member in household["members"]]
    for member in members:
        age = _age(member)
        assert member["schooling"] is None or member["education_level"] is None
        assert member["disabled"] == (member["disability_class"] is not None)
        if member["schooling"] == "preschool":
            assert 3 <= age <= 5
        if age < 16 or member["schooling"]:
            assert member["labour_capacity"] == "none"
        if member["disability_class"] in ("1", "2"):
            assert member["labour_capacity"] in ("lost", "none")
        assert (member["months_worked"] is None) == (member["work_location"] is None)
        if member["months_worked"] is not None:
            assert member["labour_capacity"] in LABOUR and 1 <= member["months_worked"] <= 12
        assert not (member["residents_medical_insurance"] and member["employees_medical_insurance"])
    school_age = [member for member in members if 6 <= _age(member) <= 15]
    out_of_school = [member for member in school_age if member["schooling"] not in ("primary", "junior_secondary")]
    assert 0 < len(out_of_school) < 0.01 * len(school_age)  # rare, but there for screening to find
    conditions = Counter(flag for member in members for flag in ("chronic_illness", "serious_illness", "disabled")
                         if member[flag])
    assert all(0 < conditions[flag] < 0.2 * len(members) for flag in ("chronic_illness", "serious_illness", "disabled"))


def test_household_flags_agree_with_members_and_type(sample):
    for household in sample:
        members = household["members"]
        assert household["without_labour"] == (not any(m["labour_capacity"] in LABOUR for m in members))
        assert (household["household_type"] == "out_of_poverty") == (household["poverty_subtype"] is not None)
        category = household["monitored_category"]
        if category == "unstable_out_of_poverty":
            assert household["household_type"] == "out_of_poverty"
        if category == "marginal":
            assert household["household_type"] == "ordinary"
        assert household["phone"] is None or PHONE.fullmatch(household["phone"])
        supported = household["poverty_subtype"] == "extreme_poverty"
        assert all(member["extreme_poverty_support"] == supported for member in members)
        if supported:
            assert household["without_labour"]
        assert household["household_number"].startswith(household["village_code"])
        assert household["group_code"][:12] == household["village_code"]


def test_the_county_looks_like_a_rural_county(sample):
    sizes = [len(household["members"]) for household in sample]
    assert set(sizes) == set(range(1, 9)) and 3.3 <= statistics.mean(sizes) <= 3.8
    share = Counter(household["household_type"] for household in sample)["out_of_poverty"] / len(sample)
    assert 0.2 <= share <= 0.3
    assert 0.015 <= sum(household["monitored_category"] is not None for household in sample) / len(sample) <= 0.05
    assert {household["poverty_subtype"] for household in sample} == {None, "general", "minimum_living",
                                                                      "extreme_poverty"}
    members = [member for household in sample for member in household["members"]]
    han = sum(member["ethnicity"] == "01" for member in members) / len(members)
    assert 0.6 <= han <= 0.85
    assert len({household["household_number"] for household in sample}) == len(sample)
    assert len({household["village_code"] for household in sample}) == 6


def test_id_sequences_run_out_only_after_all_500_of_a_sex_are_used():
    numbers = generator._IdNumbers("532339")
    rng = random.Random(1)
    born = REFERENCE_DATE.replace(year=1980)
    assert len({numbers.allocate(rng, born, "male") for _ in range(500)}) == 500
    assert identity.parse(numbers.allocate(rng, born, "female"), REFERENCE_DATE).sex == "female"
    with pytest.raises(ValueError):
        numbers.allocate(rng, born, "male")


def test_a_full_birthday_moves_a_day_earlier_within_the_same_year_of_age():
    numbers = generator._IdNumbers("532339")
    rng = random.Random(1)
    latest = REFERENCE_DATE.replace(year=1980)  # 46 on REFERENCE_DATE
    days = [numbers.allocate_near(rng, latest, 46, "male")[0] for _ in range(1001)]
    assert days[:500] == [latest] * 500
    assert set(days[500:1000]) == {latest - dt.timedelta(days=1)}
    earliest = latest - dt.timedelta(days=364)
    assert numbers.allocate_near(rng, earliest, 46, "female")[0] == earliest
    for _ in range(500):
        numbers.allocate_near(rng, earliest, 46, "female")
    assert numbers.allocate_near(rng, earliest, 46, "female")[0] == latest  # wraps, still 46
    for _ in range(50):
        day, number = numbers.allocate_near(rng, latest, 46, "male")
        found = identity.parse(number, REFERENCE_DATE)
        assert found.valid and found.birth_date == day and earliest <= day <= latest


# --- the commands on a database ---------------------------------------------------

def _seed(runner, *args: str):
    result = runner.invoke(args=["demo", "seed", "--households", "60", *args])
    assert result.exit_code == 0, result.output
    return result


def _fingerprint() -> list[tuple]:
    return sorted(db.session.execute(
        select(Household.household_number, Member.id_number, Member.name, Member.relation).join(Member.household)
    ).all())


def _counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Area, User, Household, Member))


def _wipe() -> None:
    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


def test_same_seed_twice_gives_the_same_database_and_the_generators_data(runner, app_context):
    _seed(runner, "--seed", "31")
    first = _fingerprint()
    _wipe()
    _seed(runner, "--seed", "31")
    assert _fingerprint() == first
    expected = sorted((household["household_number"], member["id_number"], member["name"], member["relation"])
                      for household in _generate(31, 60)[1] for member in household["members"])
    assert first == expected
    _wipe()
    _seed(runner, "--seed", "32")
    assert _fingerprint() != first


def test_seeded_database_keeps_the_rules(runner, app_context):
    _seed(runner)
    households = db.session.scalars(select(Household)).all()
    assert len(households) == 60
    for household in households:
        relations = Counter(member.relation for member in household.members)
        assert relations["head"] == 1 and relations["spouse"] <= 1
        if relations["spouse"]:
            assert household.head.sex != next(m for m in household.members if m.relation == "spouse").sex
        assert household.without_labour == (not any(m.labour_capacity in LABOUR for m in household.members))
        for member in household.members:
            parsed = identity.parse(member.id_number, REFERENCE_DATE)
            assert parsed.valid and (parsed.sex, parsed.birth_date) == (member.sex, member.birth_date)
            assert member.person_key == member.id_number[:18]
            assert member.schooling is None or member.education_level is None
    # Ids written in bulk leave the sequences where the next ordinary insert expects them.
    added = factories.household(households[0].village, "manual-1")
    assert added.id > max(household.id for household in households)
    levels = Counter(db.session.scalars(select(Area.level)))
    assert (levels["county"], levels["township"], levels["village"]) == (1, 2, 6) and 18 <= levels["group"] <= 48
    assert set(db.session.scalars(select(Area.code_year))) == {2026}


def test_campaign_thresholds_and_assignments(runner, app_context):
    _seed(runner)
    [campaign] = db.session.scalars(select(Campaign)).all()
    assert (campaign.year, campaign.form_version, campaign.public_notice_days, campaign.county_approval_enabled) == (
        2026, "2026.2", 5, False)
    lines = {(row.kind, row.year, row.area.level): row.amount_fen
             for row in db.session.scalars(select(MonitoringThreshold))}
    assert lines[("monitoring", 2026, "county")] == 870000 and lines[("monitoring", 2026, "township")] > 870000
    assert {year for _kind, year, _level in lines} == {2025, 2026}
    assert lines[("circle_layer", 2026, "county")] == 1000000
    enumerator = db.session.scalar(select(User).where(User.role == "enumerator"))
    covered = {area.id for area in enumerator.areas}
    assigned = db.session.execute(select(Assignment.household_id, Assignment.enumerator_id)).all()
    assert {enumerator_id for _, enumerator_id in assigned} == {enumerator.id}
    assert {household_id for household_id, _ in assigned} == set(
        db.session.scalars(select(Household.id).where(Household.village_id.in_(covered))))
    assert 0 < len(assigned) < 60


def test_one_login_per_role_is_printed_and_signs_in(runner, app, client):
    output = _seed(runner).output
    with app.app_context():
        users = db.session.scalars(select(User)).all()
        assert sorted(user.role for user in users) == sorted(
            ("enumerator", "village_reviewer", "township_approver", "county_approver", "county_admin"))
        assert all(user.locale is None and user.areas for user in users)
        usernames = [user.username for user in users]
    for username in usernames:
        assert re.search(rf"^\s*{username}\s+{generator.PASSWORD}\s", output, re.MULTILINE)
        assert client.post("/login", data={"username": username, "password": generator.PASSWORD}).status_code == 302
        assert client.post("/logout").status_code == 302


def test_if_empty_seeds_an_empty_database_then_does_nothing(runner, app_context):
    assert "Seeded" in _seed(runner, "--if-empty").output
    before = _counts()
    result = _seed(runner, "--if-empty", "--seed", "99")
    assert "no demo county seeded" in result.output and "Seeded" not in result.output
    assert _counts() == before


def test_plain_seed_refuses_a_database_that_has_data(runner, app_context):
    _seed(runner)
    before = _counts()
    result = runner.invoke(args=["demo", "seed", "--households", "10"])
    assert result.exit_code != 0 and "empty database" in result.output
    assert _counts() == before


def test_a_lone_user_is_enough_to_refuse(runner, app_context):
    factories.user("someone", "county_admin", [])
    assert runner.invoke(args=["demo", "seed", "--households", "10"]).exit_code != 0
    assert _counts() == (0, 1, 0, 0)


def test_logins_prints_every_role(runner, app_context):
    assert "No demo logins" in runner.invoke(args=["demo", "logins"]).output
    _seed(runner)
    output = runner.invoke(args=["demo", "logins"]).output
    for username, _, role, _ in generator.LOGINS:
        assert re.search(rf"^\s*{username}\s+{generator.PASSWORD}\s+{role}\s+\S", output, re.MULTILINE)


def test_logins_hides_a_demo_username_whose_password_was_changed(runner, app_context):
    _seed(runner)
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    admin.set_password("something else entirely")
    db.session.commit()
    output = runner.invoke(args=["demo", "logins"]).output
    assert "countyapprover" in output and not re.search(r"^\s*admin\s", output, re.MULTILINE)


def test_monitored_households_of_the_demo_entered_through_the_identification_procedure(runner, app_context):
    """A monitored household has the approved identification behind it, as the roster import
    enters the national system's (channel "national system", with its event)."""
    from app.monitoring.models import MonitoringEvent, Proposal

    _seed(runner, "--households", "600")
    monitored = db.session.scalars(select(Household).where(Household.monitored_category.is_not(None))).all()
    assert monitored
    proposals = {proposal.household_id: proposal for proposal in db.session.scalars(select(Proposal))}
    for household in monitored:
        proposal = proposals[household.id]
        assert (proposal.kind, proposal.state, proposal.category) == \
            ("identification", "approved", household.monitored_category)
        assert proposal.decided_date <= REFERENCE_DATE
    assert set(db.session.scalars(select(MonitoringEvent.household_id))) == {h.id for h in monitored}
