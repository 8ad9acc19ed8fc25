"""The database itself refuses values the code tables do not allow (CHECK constraints),
on SQLite and PostgreSQL alike."""
import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

from app.codes import ETHNICITY, HOUSEHOLD_TYPE, RELATION, ROLE, SEX
from app.extensions import db
from tests import factories


@pytest.mark.parametrize(("fields", "member_fields"), [
    ({"household_type": "rich"}, {}),
    ({"household_type": "out_of_poverty"}, {}),                       # out-of-poverty needs a sub-type
    ({"household_type": "ordinary", "poverty_subtype": "general"}, {}),
    ({"monitored_category": "someday"}, {}),
    ({"phone": "1391234"}, {}),
    ({}, {"relation": "cousin"}),
    ({}, {"sex": "x"}),
    ({}, {"ethnicity": "99"}),
    ({}, {"education_level": "primary", "schooling": "primary"}),    # one or the other
    ({}, {"disability_class": "2"}),                                  # only when disabled
    ({}, {"months_worked": 13}),
    ({}, {"labour_capacity": "strong"}),
])
def test_check_constraints_refuse_bad_values(county, fields, member_fields):
    with pytest.raises(IntegrityError):
        factories.household(county.village_a, "X-1", members=[factories.member(**{"relation": "head", **member_fields})],
                            **{"household_type": "ordinary", **fields})
    db.session.rollback()


def test_id_number_is_unique_across_households(county):
    number = factories.id_number()
    factories.household(county.village_a, "X-1", members=[factories.member("head", id_number=number)])
    with pytest.raises(IntegrityError):
        factories.household(county.village_b, "X-2", members=[factories.member("head", id_number=number)])
    db.session.rollback()


def test_a_valid_household_is_stored(county):
    household = factories.household(
        county.village_a, "X-1", group=county.group_a1, household_type="out_of_poverty", poverty_subtype="minimum_living",
        phone="13912345678", members=[factories.member("head"), factories.member(
            "daughter", name="Child", sex="female", birth_date=dt.date(2015, 9, 1), schooling="primary",
            disabled=True, disability_class="3")])
    assert household.head.name == "Zhang San"
    assert [m.relation for m in household.ordered_members] == ["head", "daughter"]


@pytest.mark.parametrize("codes", [HOUSEHOLD_TYPE, RELATION, SEX, ETHNICITY, ROLE])
def test_code_tables_read_their_own_labels_back(codes):
    for code in codes.codes:
        assert codes.parse(code.source_label) == code.value
        assert codes.parse(code.value) == code.value
    assert codes.parse("no such thing") is None


def test_aliases_and_spacing_are_accepted():
    assert RELATION.parse("儿子") == "son"
    assert RELATION.parse(" 之 女 ") == "daughter"
    assert HOUSEHOLD_TYPE.parse("普通农户") == "ordinary"
