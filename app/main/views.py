from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.households.models import Household
from app.households.scope import household_filter, scope_of

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    household_count = db.session.scalar(
        select(func.count()).select_from(Household).where(household_filter(current_user))
    )
    return render_template("main/home.html", household_count=household_count,
                           scope=scope_of(current_user))


@bp.route("/healthz")
def healthz():
    """For load balancers and monitoring: is the process up and the database reachable?"""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/favicon.ico")
def favicon():
    """Browsers and bookmark tools ask for /favicon.ico whatever the page links."""
    return redirect(url_for("static", filename="icons/favicon-32.png"), 301)
