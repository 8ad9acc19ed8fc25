"""tools/screenshots.py (`make screenshots`): its census in progress at the demo seed's own size."""
from __future__ import annotations

import pytest

from app.demo import services as demo
from app.extensions import db
from tools.screenshots import census_in_progress


@pytest.mark.parametrize("households", [600])
def test_a_census_in_progress_at_the_demo_seeds_size(app, monkeypatch, households):
    """`--households 600` (the demo seed's default) failed: its 大坪村 has 110 households, all of
    them visited, and nothing was left for the census form."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # as the tool's own app (a phone's upload has no form)
    with app.app_context():
        demo.seed(2026, households)
        db.session.remove()
    plan = census_in_progress(app)
    assert plan.fresh_number and plan.returned_number and plan.submitted and plan.flagged
    assert plan.household and plan.proposal and plan.monitored
    assert plan.counts["returned"] and plan.counts["approved"]
