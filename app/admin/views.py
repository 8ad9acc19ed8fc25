from flask import Blueprint, render_template
from flask_babel import gettext as _

from app.auth.roles import requires

bp = Blueprint("admin", __name__, url_prefix="/admin")


def admin_links() -> list[tuple[str, str]]:
    """The admin menu: (endpoint, label)."""
    return []


@bp.route("/")
@requires("administer")
def index():
    return render_template("admin/index.html", admin_links=admin_links())
