"""tools/screenshots.py (`make screenshots`): its census in progress at the demo seed's own
size, and a page in its list for every page route."""
from __future__ import annotations

import pytest

from app.clues.models import DEPARTMENTS, Department
from app.demo import services as demo
from app.extensions import db
from tests.test_i18n import NOT_PAGES
from tools.screenshots import NOT_PAGES as TOOL_NOT_PAGES
from tools.screenshots import Plan, census_in_progress, not_shot, pages

EVERY_ID = Plan(household=1, fresh_number="0001", returned_number="0002",
                submitted="00000000-0000-4000-8000-000000000001", flagged="00000000-0000-4000-8000-000000000002",
                proposal=1, monitored=1, township=1, village=1, enumerator=1, campaign=1, job=1, import_job=1,
                audit_round=1, clue=1)


def test_every_page_route_is_in_the_list(app):
    assert not_shot(app, pages(EVERY_ID)) == []


def test_what_the_tool_leaves_out_is_no_page(app):
    """Only files and JSON (tests/test_i18n.py renders every page; these are not pages there either)."""
    assert TOOL_NOT_PAGES <= NOT_PAGES


@pytest.mark.parametrize("households", [600])
def test_a_census_in_progress_at_the_demo_seeds_size(app, monkeypatch, households):
    """`--households 600` (the demo seed's default) failed: its 大坪村 has 110 households, all of
    them visited, and nothing was left for the census form."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # as the tool's own app (a phone's upload has no form)
    with app.app_context():
        demo.seed(2026, households)
        if db.session.get(Department, DEPARTMENTS[0][0]) is None:  # seeded by migration 0016; emptied by the tests
            db.session.add_all(Department(code=code, name_zh=zh, name_en=en) for code, zh, en in DEPARTMENTS)
            db.session.commit()
        db.session.remove()
    plan = census_in_progress(app)
    assert plan.fresh_number and plan.returned_number and plan.submitted and plan.flagged
    assert plan.household and plan.proposal and plan.monitored
    assert plan.job and plan.import_job and plan.audit_round and plan.clue
    assert plan.counts["returned"] and plan.counts["approved"]
