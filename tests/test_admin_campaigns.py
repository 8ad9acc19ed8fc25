"""Campaigns and their monitoring thresholds."""
import pytest
from sqlalchemy import select

from app.campaigns import queries as campaign_queries
from app.campaigns.models import Campaign, MonitoringThreshold
from app.extensions import db
from app.geo.models import Area
from tests import factories

CAMPAIGN = {"name": "2025年收入普查", "year": "2025", "form_version": "2026.1", "public_notice_days": "7",
            "county_approval_enabled": "y", "decision_days_limit": "15", "decision_day_count": "calendar",
            "clue_verify_days": "15", "clue_village_review_days": "5", "clue_township_review_days": "5"}


@pytest.fixture
def admin(client, login, county):
    factories.user("admin", "county_admin", [county.county])
    return login("admin")


@pytest.fixture
def campaign(county):
    record = Campaign(name="2025年收入普查", year=2025, form_version="2026.1")
    db.session.add(record)
    db.session.commit()
    return record


def thresholds(campaign) -> list[tuple]:
    db.session.expire_all()
    return [(t.year, t.area_id, t.amount_fen) for t in db.session.scalars(select(MonitoringThreshold).where(
        MonitoringThreshold.campaign_id == campaign.id).order_by(MonitoringThreshold.id))]


def test_create_and_list_a_campaign(admin):
    form = admin.get("/admin/campaigns/new").get_data(as_text=True)
    assert 'name="public_notice_days" required type="number" value="5"' in form  # the default
    response = admin.post("/admin/campaigns/new", data=CAMPAIGN)
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert (campaign.name, campaign.year, campaign.form_version, campaign.county_approval_enabled,
            campaign.public_notice_days) == ("2025年收入普查", 2025, "2026.1", True, 7)
    assert response.headers["Location"] == f"/admin/campaigns/{campaign.id}"
    listing = admin.get("/admin/campaigns").get_data(as_text=True)
    assert "2025年收入普查" in listing and "需要" in listing


def test_edit_a_campaign(admin, campaign):
    assert '<option selected value="2026.1">' in admin.get(f"/admin/campaigns/{campaign.id}/edit").get_data(as_text=True)
    data = {**CAMPAIGN, "name": "改名", "public_notice_days": "5"}
    del data["county_approval_enabled"]
    assert admin.post(f"/admin/campaigns/{campaign.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert (campaign.name, campaign.county_approval_enabled, campaign.public_notice_days) == ("改名", False, 5)


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "请输入名称。"),
    ("form_version", "", "请选择调查表版本。"),
    ("form_version", "1999.9", "没有这个调查表版本，请先在“调查表版本”中发布。"),
    ("year", "1999", "年份应在 2000 至 2100 之间。"),
    ("year", "", "请输入年份。"),
    ("public_notice_days", "0", "公示天数至少为 5 天。"),
    ("public_notice_days", "4", "公示天数至少为 5 天。"),
    ("decision_days_limit", "0", "办结时限至少为 1 天。"),
    ("public_notice_days", "", "请输入公示天数。"),
])
def test_campaign_form_explains_refusals(admin, field, value, message):
    response = admin.post("/admin/campaigns/new", data={**CAMPAIGN, field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Campaign)) is None


def test_add_change_and_delete_thresholds(admin, campaign, county):
    url = f"/admin/campaigns/{campaign.id}/thresholds"
    response = admin.post(url, data={"year": "2025", "area": county.county.id, "amount": "8,700"})
    assert response.status_code == 302
    assert "已添加监测范围。" in admin.get(response.headers["Location"]).get_data(as_text=True)
    admin.post(url, data={"year": "2025", "area": county.township_1.id, "amount": "9000.5"})
    assert thresholds(campaign) == [(2025, county.county.id, 870000), (2025, county.township_1.id, 900050)]

    response = admin.post(url, data={"year": "2025", "area": county.county.id, "amount": "8800"})
    assert "已修改监测范围。" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert thresholds(campaign)[0] == (2025, county.county.id, 880000)

    threshold_id = db.session.scalar(
        select(MonitoringThreshold.id).where(MonitoringThreshold.area_id == county.county.id))
    response = admin.post(f"/admin/campaigns/{campaign.id}/thresholds/{threshold_id}/delete")
    assert response.status_code == 302
    assert thresholds(campaign) == [(2025, county.township_1.id, 900050)]


def test_a_threshold_typed_in_full_width_digits_reads_as_on_the_phone(admin, campaign, county):
    admin.post(f"/admin/campaigns/{campaign.id}/thresholds",
               data={"year": "2025", "area": county.county.id, "amount": "８，７００"})
    assert thresholds(campaign) == [(2025, county.county.id, 870000)]


def test_campaign_page_shows_each_villages_effective_threshold(admin, campaign, county):
    db.session.add_all([
        MonitoringThreshold(campaign=campaign, year=2025, area=county.county, amount_fen=870000),
        MonitoringThreshold(campaign=campaign, year=2025, area=county.village_b, amount_fen=950000),
        MonitoringThreshold(campaign=campaign, year=2024, area=county.village_c, amount_fen=100),
    ])
    db.session.commit()
    page = admin.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    effective = page.split("各村适用的监测范围（2025 年）")[1].split("各村适用的圈层分层线")[0]
    rows = {row.split("</td>")[0].strip().removeprefix("<td>"): row for row in effective.split("<tr>")[2:]}
    assert "8,700.00" in rows["Village A"] and "Test County" in rows["Village A"]
    assert "9,500.00" in rows["Village B"] and "Village B（村）" in rows["Village B"]
    assert "8,700.00" in rows["Village C"]  # the 2024 village threshold does not apply


def test_villages_without_any_threshold_say_so(admin, campaign, county):
    page = admin.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert page.count("未设置") == 6  # three villages, with neither a threshold nor a layers' line


@pytest.mark.parametrize("data, message", [
    ({"amount": "8700.123"}, "请输入以元为单位的金额，最多两位小数"),
    ({"amount": "八千"}, "请输入以元为单位的金额，最多两位小数"),
    ({"amount": ""}, "请输入金额。"),
    ({"amount": "0"}, "监测范围必须大于 0 元。"),
    ({"amount": "-5"}, "监测范围必须大于 0 元。"),
    ({"amount": "100000000.01"}, "金额不能超过 100,000,000.00 元。"),
    ({"amount": "9" * 5000}, "金额不能超过 100,000,000.00 元。"),
    ({"year": "20x5"}, "不是有效的整数"),
    ({"_area": "group_a1"}, "不是有效的选择"),
])
def test_threshold_form_explains_refusals(admin, campaign, county, data, message):
    area = getattr(county, data.pop("_area", "county"))
    response = admin.post(f"/admin/campaigns/{campaign.id}/thresholds",
                          data={"year": "2025", "area": area.id, "amount": "8700", **data})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    if "amount" in data:  # what was typed is shown again
        assert f'value="{data["amount"]}"' in page
    assert thresholds(campaign) == []


def test_the_service_refuses_a_group_threshold(app, campaign, county):
    from app.campaigns.services import set_threshold
    from app.errors import InvalidInput

    with app.test_request_context(), pytest.raises(InvalidInput, match="监测范围只能设在县、乡镇或村。"):
        set_threshold(campaign, 2025, county.group_a1, 870000)


def test_a_threshold_of_another_campaign_is_not_found(admin, campaign, county):
    other = Campaign(name="other", year=2025, form_version="v1")
    threshold = MonitoringThreshold(campaign=other, year=2025, area=county.county, amount_fen=870000)
    db.session.add_all([other, threshold])
    db.session.commit()
    assert admin.post(f"/admin/campaigns/{campaign.id}/thresholds/{threshold.id}/delete").status_code == 404
    assert admin.get("/admin/campaigns/999").status_code == 404


def test_the_notice_runs_at_least_five_days_in_the_service_and_the_database(app, campaign):
    """DOMAIN §10: a county may set more, never less."""
    from sqlalchemy.exc import IntegrityError

    from app.campaigns import services
    from app.errors import InvalidInput

    with app.test_request_context(), pytest.raises(InvalidInput, match="公示天数至少为 5 天。"):
        services.save_campaign(campaign, name="x", year=2025, form_version="2026.1", county_approval_enabled=False,
                               public_notice_days=4)
    db.session.rollback()
    db.session.get(Campaign, campaign.id).public_notice_days = 4
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_county_chooses_whether_the_notice_shows_health_risks_and_the_decision_limit(admin, campaign):
    data = {**CAMPAIGN, "notice_shows_health": "y", "decision_days_limit": "20", "decision_day_count": "working"}
    assert admin.post(f"/admin/campaigns/{campaign.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert (campaign.notice_shows_health, campaign.decision_days_limit, campaign.decision_day_count) == \
        (True, 20, "working")
    page = admin.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert "20 个工作日" in page


def test_the_county_sets_a_department_warnings_days_per_step(admin, campaign):
    data = {**CAMPAIGN, "clue_verify_days": "10", "clue_village_review_days": "3", "clue_township_review_days": "7"}
    assert admin.post(f"/admin/campaigns/{campaign.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert (campaign.clue_verify_days, campaign.clue_village_review_days, campaign.clue_township_review_days) == \
        (10, 3, 7)
    refused = admin.post(f"/admin/campaigns/{campaign.id}/edit", data={**data, "clue_verify_days": "0"})
    assert refused.status_code == 422 and "办结时限至少为 1 天。" in refused.get_data(as_text=True)


def test_the_circle_layer_line_is_set_per_year_and_area_beside_the_threshold(admin, campaign, county):
    url = f"/admin/campaigns/{campaign.id}/thresholds"
    admin.post(url, data={"year": "2025", "area": county.county.id, "amount": "8700", "kind": "monitoring"})
    response = admin.post(url, data={"year": "2025", "area": county.county.id, "amount": "10000",
                                     "kind": "circle_layer"})
    assert response.status_code == 302
    admin.post(url, data={"year": "2025", "area": county.village_c.id, "amount": "12000", "kind": "circle_layer"})
    db.session.expire_all()
    assert sorted((t.kind, t.area_id, t.amount_fen) for t in db.session.scalars(select(MonitoringThreshold))) == [
        ("circle_layer", county.county.id, 1_000_000), ("circle_layer", county.village_c.id, 1_200_000),
        ("monitoring", county.county.id, 870_000)]
    page = admin.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert "各村适用的圈层分层线" in page and "12,000.00" in page
    with admin.application.app_context():  # the village's monitoring threshold is still the county's
        assert campaign_queries.threshold_for(db.session.get(Campaign, campaign.id),
                                              db.session.get(Area, county.village_c.id)).amount_fen == 870_000
