from flask import Blueprint, render_template, request
from flask_login import current_user

from app.auth.roles import requires
from app.households import queries
from app.households.scope import filter_area_or_404, get_household_or_404, scoped_villages

bp = Blueprint("households", __name__, url_prefix="/households")


@bp.route("/")
@requires("view_households")
def index():
    search = request.args.get("q", "")[:50]
    village_id = filter_area_or_404(current_user, request.args.get("village"), "village")
    rows, next_key = queries.list_households(
        current_user, search=search, village_id=village_id, after=request.args.get("after") or None
    )
    return render_template("households/index.html", rows=rows, next_key=next_key, search=search,
                           village_id=village_id, villages=scoped_villages(current_user))


@bp.route("/<int:household_id>")
@requires("view_households")
def detail(household_id: int):
    household = get_household_or_404(current_user, household_id)
    return render_template("households/detail.html", household=household)
