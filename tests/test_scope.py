"""Every household query is limited to the user's areas: another area's record answers 404,
a role without the right answers 403."""
import datetime as dt

import pytest

from app.households import queries
from tests import factories


@pytest.fixture
def households(county):
    return {
        "a1": factories.household(county.village_a, "A1-0001", group=county.group_a1, members=[
            factories.member("head", name="Wang Wu"), factories.member("son", name="Wang Liu", birth_date=dt.date(2010, 1, 1))]),
        "a2": factories.household(county.village_a, "A2-0001", group=county.group_a2,
                                  members=[factories.member("head", name="Zhao Qi")]),
        "b": factories.household(county.village_b, "B-0001", members=[factories.member("head", name="Sun Ba")]),
        "c": factories.household(county.village_c, "C-0001", members=[factories.member("head", name="Zhou Jiu")]),
    }


VISIBLE = {
    ("enumerator", "village_a"): {"a1", "a2"},
    ("enumerator", "group_a1"): {"a1"},
    ("village_reviewer", "village_b"): {"b"},
    ("township_approver", "township_1"): {"a1", "a2", "b"},
    ("township_approver", "township_2"): {"c"},
    ("county_approver", "county"): {"a1", "a2", "b", "c"},
    ("county_admin", "county"): {"a1", "a2", "b", "c"},
}


@pytest.mark.parametrize(("role", "area"), list(VISIBLE))
def test_each_user_sees_exactly_their_areas(client, login, county, households, role, area):
    factories.user("someone", role, [getattr(county, area)])
    login("someone")
    listing = client.get("/households/").get_data(as_text=True)
    for key, household in households.items():
        visible = key in VISIBLE[(role, area)]
        assert (household.household_number in listing) == visible, key
        detail = client.get(f"/households/{household.id}")
        assert detail.status_code == (200 if visible else 404), key


def test_enumerator_of_village_a_gets_404_for_village_b(client, login, county, households):
    factories.user("enum", "enumerator", [county.village_a])
    login("enum")
    response = client.get(f"/households/{households['b'].id}")
    assert response.status_code == 404
    assert "Sun Ba" not in response.get_data(as_text=True)


def test_user_without_areas_sees_nothing(client, login, county, households):
    factories.user("nobody", "enumerator", [])
    login("nobody")
    assert "A1-0001" not in client.get("/households/").get_data(as_text=True)
    assert client.get(f"/households/{households['a1'].id}").status_code == 404


def test_filter_by_a_village_outside_scope_answers_404(client, login, county, households):
    """An empty 200 would tell that the village exists; a 40-digit id would overflow the query."""
    factories.user("enum", "enumerator", [county.village_a])
    login("enum")
    assert client.get(f"/households/?village={county.village_c.id}").status_code == 404
    assert client.get("/households/?village=" + "9" * 40).status_code == 404
    assert "A1-0001" in client.get(f"/households/?village={county.village_a.id}").get_data(as_text=True)


@pytest.mark.parametrize("url", ["/households/?q=%00", "/households/?after=A%00", "/households/?%00=1",
                                 "/review/records/%00"])
def test_a_nul_in_a_path_or_query_parameter_answers_400_with_a_message(client, login, county, url):
    factories.user("enum", "enumerator", [county.village_a])
    login("enum")
    response = client.get(url)
    assert response.status_code == 400
    assert "含有无法保存的字符（NUL 或不成对的代理字符）。" in response.get_data(as_text=True)


def test_a_nul_in_a_form_field_answers_400(client, county):
    response = client.post("/login", data={"username": "enum\x00", "password": "x"}, csrf=False)
    assert response.status_code == 400


def test_role_without_right_gets_403_and_anonymous_is_sent_to_login(client, login, county):
    assert client.get("/admin/").status_code == 302
    assert client.get("/households/").headers["Location"].startswith("/login")
    factories.user("enum", "enumerator", [county.village_a])
    login("enum")
    assert client.get("/admin/").status_code == 403


@pytest.mark.parametrize(("search", "expected"), [
    ("Wang Liu", {"A1-0001"}),        # any member's name
    ("Zhao", {"A2-0001"}),
    ("A2-", {"A2-0001"}),              # start of the household number
    ("-0001", set()),                  # household numbers match from the start only
])
def test_search(app_context, county, households, search, expected):
    admin = factories.user("admin", "county_admin", [county.county])
    rows, _ = queries.list_households(admin, search=search)
    assert {row.household_number for row in rows} == expected


def test_search_by_last_digits_of_an_id_number(app_context, county, households):
    admin = factories.user("admin", "county_admin", [county.county])
    tail = households["c"].members[0].id_number[-6:]
    rows, _ = queries.list_households(admin, search=tail)
    assert [row.household_number for row in rows] == ["C-0001"]


def test_keyset_pages_cover_every_household_once(app_context, county, households):
    admin = factories.user("admin", "county_admin", [county.county])
    seen, after = [], None
    while True:
        rows, after = queries.list_households(admin, after=after, page_size=3)
        seen += [row.household_number for row in rows]
        if after is None:
            break
    assert seen == sorted(h.household_number for h in households.values())
