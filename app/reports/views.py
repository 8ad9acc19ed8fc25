"""Report pages: dashboards of the current campaign over the user's areas, with drill-down
from county to township to village. Every figure is counted within the user's scope; an
area outside it answers 404."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from app import clock
from app.auth.roles import requires
from app.census.services import current_campaign
from app.figures import bands
from app.monitoring import workflow as monitoring_workflow
from app.monitoring.queries import risk_type_choices
from app.records import workflow as review_workflow
from app.reports import dashboard_queries as queries
from app.reports import dashboard_widgets

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.get("/")
@requires("see_dashboards")
def dashboard_top():
    """The user's own area (or all of them side by side)."""
    return _dashboard(None)


@bp.get("/areas/<int:area_id>")
@requires("see_dashboards")
def dashboard_area(area_id: int):
    return _dashboard(area_id)


def _dashboard(area_id: int | None):
    campaign = current_campaign() or abort(404)
    place = queries.place(current_user, area_id)
    tallies = queries.Tallies.of(place, campaign)
    categories = tallies.monitored_by_category()
    return render_template(
        "reports/dashboard.html", place=place, campaign=campaign,
        coverage=tallies.coverage(), flags=tallies.flags(), statuses=tallies.statuses(),
        waiting=queries.waiting(place, clock.today(), campaign),
        categories=categories, monitored=queries.Headcount(sum(c.households for c in categories.values()),
                                                           sum(c.persons for c in categories.values())),
        risk_types=tallies.monitored_by_risk_type(), risk_type_choices=risk_type_choices(campaign),
        eliminated=tallies.eliminated(), income=tallies.income(), layers=tallies.layers(),
        counted_at=tallies.counted_at, recounting=tallies.recounting, today=clock.today(), dashboard=bands,
        widgets=dashboard_widgets,
        review_states=review_workflow.STATE_LABELS, proposal_states=monitoring_workflow.STATE_LABELS)
