"""Every admin page is the county admin's: other roles get 403, nobody gets the sign-in page."""
import pytest

from app.auth.models import User
from app.campaigns.models import Campaign, MonitoringThreshold
from app.extensions import db
from tests import factories

NON_ADMIN_ROLES = ["enumerator", "village_reviewer", "township_approver", "county_approver"]
AREA_BY_ROLE = {"enumerator": "village_a", "village_reviewer": "village_a", "township_approver": "township_1",
                "county_approver": "county", "county_admin": "county"}


@pytest.fixture
def admin_urls(county):
    """(method, url) for every route of the admin blueprint, with real ids filled in."""
    target = factories.user("target", "enumerator", [county.village_a])
    campaign = Campaign(name="2026", year=2026, form_version="v1")
    db.session.add(campaign)
    db.session.flush()
    threshold = MonitoringThreshold(campaign=campaign, year=2026, area=county.county, amount_fen=870000)
    db.session.add(threshold)
    db.session.commit()
    ids = {"user_id": target.id, "campaign_id": campaign.id, "threshold_id": threshold.id}
    return [
        ("GET", "/admin/"), ("GET", "/admin/areas"), ("POST", "/admin/areas/codes"), ("POST", "/admin/areas/groups"),
        ("POST", "/admin/areas/objection-phone"),
        ("GET", "/admin/users"), ("GET", "/admin/users/new"), ("POST", "/admin/users/new"),
        ("GET", "/admin/users/{user_id}"), ("POST", "/admin/users/{user_id}"),
        ("POST", "/admin/users/{user_id}/password"), ("POST", "/admin/users/{user_id}/active"),
        ("GET", "/admin/campaigns"), ("GET", "/admin/campaigns/new"), ("POST", "/admin/campaigns/new"),
        ("GET", "/admin/campaigns/{campaign_id}"), ("GET", "/admin/campaigns/{campaign_id}/edit"),
        ("POST", "/admin/campaigns/{campaign_id}/edit"), ("POST", "/admin/campaigns/{campaign_id}/thresholds"),
        ("POST", "/admin/campaigns/{campaign_id}/thresholds/{threshold_id}/delete"),
        ("GET", "/admin/assignments"), ("POST", "/admin/assignments"),
    ], ids


def test_the_url_list_covers_every_admin_route(app, admin_urls):
    urls, _ids = admin_urls
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    listed = {(method, url.replace("{", "<int:").replace("}", ">")) for method, url in urls}
    assert listed == routes


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_other_roles_are_forbidden_everywhere(client, login, county, admin_urls, role):
    urls, ids = admin_urls
    factories.user("someone", role, [getattr(county, AREA_BY_ROLE[role])])
    login("someone")
    for method, url in urls:
        response = client.open(url.format(**ids), method=method, data={"active": "0", "password": "whatever-123"})
        assert response.status_code == 403, (method, url)
    assert db.session.get(MonitoringThreshold, ids["threshold_id"]) is not None
    assert db.session.get(User, ids["user_id"]).active


def test_anonymous_visitors_are_sent_to_sign_in(client, admin_urls):
    urls, ids = admin_urls
    for method, url in urls:
        response = client.open(url.format(**ids), method=method)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login"), (method, url)


def test_admin_index_links_every_admin_page(client, login, county):
    factories.user("admin", "county_admin", [county.county])
    page = login("admin").get("/admin/").get_data(as_text=True)
    for path in ("/admin/areas", "/admin/users", "/admin/campaigns", "/admin/assignments"):
        assert f'href="{path}"' in page
