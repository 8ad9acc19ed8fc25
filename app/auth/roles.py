"""What each role may do. A role without the right gets 403; a record outside the
user's areas gets 404 (see app.households.scope)."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

ENUMERATOR = "enumerator"
VILLAGE_REVIEWER = "village_reviewer"
TOWNSHIP_APPROVER = "township_approver"
COUNTY_APPROVER = "county_approver"
COUNTY_ADMIN = "county_admin"
ALL_ROLES = (ENUMERATOR, VILLAGE_REVIEWER, TOWNSHIP_APPROVER, COUNTY_APPROVER, COUNTY_ADMIN)

# Rights by name, so that a view says what it needs, not who happens to have it.
RIGHTS = {
    "view_households": set(ALL_ROLES),
    "collect": {ENUMERATOR, VILLAGE_REVIEWER},
    # The review queue: the village acts on it; township and county read it over their areas
    # (what each may do to a record is the workflow table's: app.records.workflow).
    "see_reviews": {VILLAGE_REVIEWER, TOWNSHIP_APPROVER, COUNTY_APPROVER, COUNTY_ADMIN},
    "administer": {COUNTY_ADMIN},
    # Monitoring: the register, proposals and notices; the village runs the assessment and
    # records measures; who may move a proposal is the workflow table's to say.
    "view_monitoring": {VILLAGE_REVIEWER, TOWNSHIP_APPROVER, COUNTY_APPROVER, COUNTY_ADMIN},
    "assess": {VILLAGE_REVIEWER},
    # Dashboards: figures over the user's areas, drilling down to the areas beneath.
    "see_dashboards": {VILLAGE_REVIEWER, TOWNSHIP_APPROVER, COUNTY_APPROVER, COUNTY_ADMIN},
    # Visit duties: the yearly circle-layer assessment (village or county); the overdue visits
    # and the visit log read over the user's areas like the dashboards.
    "assess_layers": {VILLAGE_REVIEWER, COUNTY_ADMIN},
    # Exports (households, members, register) over the user's areas; enumerators get none.
    "export": {VILLAGE_REVIEWER, TOWNSHIP_APPROVER, COUNTY_APPROVER, COUNTY_ADMIN},
}


def can(user, right: str) -> bool:
    return user.is_authenticated and user.role in RIGHTS[right]


def lands_in_app(user) -> bool:
    """An enumerator (采集员) only collects: after sign-in they go straight to the offline app."""
    return can(user, "collect") and not can(user, "see_reviews")


def requires(right: str):
    """Sign-in required (else redirect to the login page); then the right (else 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not can(current_user, right):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
