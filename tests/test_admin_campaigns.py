"""Campaigns and their monitoring thresholds."""
import pytest
from sqlalchemy import select

from app.campaigns.models import Campaign, MonitoringThreshold
from app.extensions import db
from tests import factories

CAMPAIGN = {"name": "2025年收入普查", "year": "2025", "form_version": "2026.1", "public_notice_days": "7",
            "county_approval_enabled": "y"}


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
    ("public_notice_days", "0", "公示天数至少为 1 天。"),
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
    effective = page.split("各村适用的监测范围（2025 年）")[1]
    rows = {row.split("</td>")[0].strip().removeprefix("<td>"): row for row in effective.split("<tr>")[2:]}
    assert "8,700.00" in rows["Village A"] and "Test County" in rows["Village A"]
    assert "9,500.00" in rows["Village B"] and "Village B（村）" in rows["Village B"]
    assert "8,700.00" in rows["Village C"]  # the 2024 village threshold does not apply


def test_villages_without_any_threshold_say_so(admin, campaign, county):
    page = admin.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert page.count("未设置") == 3


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
