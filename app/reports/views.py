"""Report pages: dashboards of the current campaign over the user's areas, with drill-down
from county to township to village. Every figure is counted within the user's scope; an
area outside it answers 404."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from app import clock
from app.auth.roles import requires
from app.census.services import current_campaign
from app.clues import queries as clue_queries
from app.extensions import db, reading
from app.figures import bands
from app.geo.models import Area
from app.monitoring import workflow as monitoring_workflow
from app.monitoring.queries import risk_type_choices
from app.records import workflow as review_workflow
from app.reports import dashboard_queries as queries
from app.reports import dashboard_widgets, ranking
from app.sql import id_in

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
    with reading(db.session):  # the read-only engine, if any: figures stored with their time allow its lag
        return _dashboard_page(area_id)


def _dashboard_page(area_id: int | None):
    campaign = current_campaign() or abort(404)
    place = queries.place(current_user, area_id)
    tallies = queries.Tallies.of(place, campaign)
    categories = tallies.monitored_by_category()
    return render_template(
        "reports/dashboard.html", **_monthly_ranking(place, campaign), place=place, campaign=campaign,
        coverage=tallies.coverage(), flags=tallies.flags(), statuses=tallies.statuses(),
        waiting=queries.waiting(place, clock.today(), campaign),
        categories=categories, monitored=queries.Headcount(sum(c.households for c in categories.values()),
                                                           sum(c.persons for c in categories.values())),
        risk_types=tallies.monitored_by_risk_type(), risk_type_choices=risk_type_choices(campaign),
        eliminated=tallies.eliminated(), income=tallies.income(), layers=tallies.layers(),
        measures=queries.measures(place),
        clue_months=clue_queries.monthly(place.households, clock.today()),
        counted_at=tallies.counted_at, recounting=tallies.recounting, today=clock.today(), dashboard=bands,
        widgets=dashboard_widgets,
        review_states=review_workflow.STATE_LABELS, proposal_states=monitoring_workflow.STATE_LABELS)


def _monthly_ranking(place: queries.Place, campaign) -> dict:
    """月排名 on a county's dashboard (or the top one spanning townships); none below."""
    if place.area is not None and place.area.level != "county":
        return {"ranking": None}
    try:
        first, last = ranking.month_bounds(request.args.get("month", "")[:7] or None, clock.today())
    except ValueError:  # a month typed into the address: the last full month instead
        first, last = ranking.month_bounds(None, clock.today())
    villages = db.session.scalars(select(Area).where(id_in(Area.id, list(place.villages))).order_by(Area.code)).all()
    township_ids = {village.parent_id for village in villages}
    townships = db.session.scalars(select(Area).where(id_in(Area.id, list(township_ids)),
                                                      Area.level == "township").order_by(Area.code)).all()
    if not townships:
        return {"ranking": None}
    ranked = ranking.ranking(current_user, campaign, villages, townships, first, last)
    return {"ranking": {"first": first, "last": last, "townships": ranked.townships, "villages": ranked.villages,
                        "measures": ranked.measures, "counted_at": ranked.counted.at,
                        "recounting": ranked.counted.recounting}}
