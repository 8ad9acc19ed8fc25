"""Bulk assignment of a village's or group's households to an enumerator."""
import pytest
from sqlalchemy import select

from app.campaigns.models import Assignment, Campaign
from app.extensions import db
from tests import factories


@pytest.fixture
def setup(client, login, county):
    """Village A: 3 households in group A1, 1 in group A2, 1 in no group; Village B: 2."""
    factories.user("admin", "county_admin", [county.county])
    for number, group in [("A1-1", "group_a1"), ("A1-2", "group_a1"), ("A1-3", "group_a1"), ("A2-1", "group_a2"),
                          ("A-0", None)]:
        factories.household(county.village_a, number, group=getattr(county, group) if group else None,
                            members=[factories.member()])
    for number in ("B-1", "B-2"):
        factories.household(county.village_b, number, members=[factories.member()])
    campaign = Campaign(name="2025普查", year=2025, form_version="v1")
    db.session.add(campaign)
    db.session.commit()
    return county, campaign, login("admin")


def assignments(campaign) -> dict[str, str]:
    db.session.expire_all()
    return {a.household.household_number: a.enumerator.username for a in db.session.scalars(
        select(Assignment).where(Assignment.campaign_id == campaign.id))}


def assign(client, campaign, area, enumerator):
    return client.post("/admin/assignments",
                       data={"campaign": campaign.id, "area": area.id, "enumerator": enumerator.id})


def flash_after(client, response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_assign_a_village_then_rerun_changes_nothing(setup):
    county, campaign, admin = setup
    zhang = factories.user("zhang", "enumerator", [county.village_a])
    page = flash_after(admin, assign(admin, campaign, county.village_a, zhang))
    assert "新分配 5 户，从其他采集员转来 0 户，原已分配给该采集员 0 户" in page
    assert assignments(campaign) == dict.fromkeys(("A1-1", "A1-2", "A1-3", "A2-1", "A-0"), "zhang")
    page = flash_after(admin, assign(admin, campaign, county.village_a, zhang))
    assert "新分配 0 户，从其他采集员转来 0 户，原已分配给该采集员 5 户" in page
    assert len(assignments(campaign)) == 5


def test_reassigning_a_group_moves_its_households_and_reports_counts(setup):
    county, campaign, admin = setup
    zhang = factories.user("zhang", "enumerator", [county.village_a])
    li = factories.user("li", "enumerator", [county.group_a1])
    assign(admin, campaign, county.village_a, zhang)
    by_number = {a.household.household_number: a for a in db.session.scalars(select(Assignment))}
    db.session.delete(by_number["A1-2"])  # A1-2 not assigned, A1-3 already li's
    by_number["A1-3"].enumerator = li
    db.session.commit()
    page = flash_after(admin, assign(admin, campaign, county.group_a1, li))
    assert "新分配 1 户，从其他采集员转来 1 户，原已分配给该采集员 1 户" in page
    assert assignments(campaign) == {"A1-1": "li", "A1-2": "li", "A1-3": "li", "A2-1": "zhang", "A-0": "zhang"}


def test_assignments_of_another_campaign_are_untouched(setup):
    county, campaign, admin = setup
    other = Campaign(name="other", year=2024, form_version="v1")
    db.session.add(other)
    db.session.commit()
    zhang = factories.user("zhang", "enumerator", [county.village_b])
    li = factories.user("li", "enumerator", [county.village_b])
    assign(admin, other, county.village_b, zhang)
    page = flash_after(admin, assign(admin, campaign, county.village_b, li))
    assert "新分配 2 户，从其他采集员转来 0 户" in page
    assert assignments(other) == {"B-1": "zhang", "B-2": "zhang"}


@pytest.mark.parametrize("covers, target, allowed", [
    ("village_a", "village_a", True),
    ("village_a", "group_a1", True),  # a village covers its groups
    ("group_a1", "group_a1", True),
    ("group_a1", "group_a2", False),
    ("group_a1", "village_a", False),  # one group is not the whole village
    ("village_b", "village_a", False),
])
def test_the_enumerator_must_cover_the_village_or_group(setup, covers, target, allowed):
    county, campaign, admin = setup
    enumerator = factories.user("zhang", "enumerator", [getattr(county, covers)])
    response = assign(admin, campaign, getattr(county, target), enumerator)
    if allowed:
        assert response.status_code == 302
        assert assignments(campaign)
    else:
        assert response.status_code == 422
        assert f"Zhang的负责区域不包括{getattr(county, target).name}" in response.get_data(as_text=True)
        assert assignments(campaign) == {}


def test_only_active_enumerators_can_be_given_work(app, setup):
    from app.campaigns.services import assign_area
    from app.errors import InvalidInput

    county, campaign, _admin = setup
    admin = db.session.scalar(select(factories.User).where(factories.User.username == "admin"))
    reviewer = factories.user("reviewer", "village_reviewer", [county.village_a])
    retired = factories.user("retired", "enumerator", [county.village_a], active=False)
    for person in (reviewer, retired):
        with app.test_request_context(), pytest.raises(InvalidInput, match="不是在用的信息采集员"):
            assign_area(admin, campaign, county.village_a, person)
    with app.test_request_context(), pytest.raises(InvalidInput, match="请选择一个村或村民小组"):
        assign_area(admin, campaign, county.township_1, factories.user("zhang", "enumerator", [county.village_a]))
    assert assignments(campaign) == {}


def test_the_form_offers_active_enumerators_villages_and_groups(setup):
    county, campaign, admin = setup
    factories.user("zhang", "enumerator", [county.village_a])
    factories.user("retired", "enumerator", [county.village_a], active=False)
    page = admin.get("/admin/assignments").get_data(as_text=True)
    assert "Zhang（zhang）" in page and "retired" not in page
    assert "Township One · Village A" in page and "Village A · Group A1" in page
    assert "Township One</option>" not in page
    response = admin.post("/admin/assignments", data={"campaign": campaign.id, "area": county.village_a.id})
    assert response.status_code == 422
    assert "不是有效的选择" in response.get_data(as_text=True)


def test_summary_per_village(setup):
    county, campaign, admin = setup
    zhang = factories.user("zhang", "enumerator", [county.village_a])
    li = factories.user("li", "enumerator", [county.village_a])
    assign(admin, campaign, county.group_a1, zhang)
    assign(admin, campaign, county.group_a2, li)
    page = admin.get(f"/admin/assignments?campaign={campaign.id}").get_data(as_text=True)
    rows = {row.split("</td>")[0].strip().removeprefix("<td>"): row for row in page.split("<tr>")[2:]}
    cells = lambda name: [cell.split(">")[-1] for cell in rows[name].split("</td>")[1:4]]  # noqa: E731
    assert cells("Village A") == ["5", "4", "1"]
    assert "Zhang 3、Li 1" in rows["Village A"]
    assert cells("Village B") == ["2", "0", "2"]


def test_page_without_campaigns_points_to_creating_one(client, login, county):
    factories.user("admin", "county_admin", [county.county])
    page = login("admin").get("/admin/assignments").get_data(as_text=True)
    assert "还没有普查批次。" in page and "/admin/campaigns/new" in page


def test_an_unknown_campaign_in_the_address_shows_the_latest(setup):
    _county, campaign, admin = setup
    page = admin.get("/admin/assignments?campaign=999").get_data(as_text=True)
    assert "分配进度：2025普查" in page
