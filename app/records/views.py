"""The server's check of a household's census record (the form itself is the offline app's,
/app#/household/<id>)."""

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from app import jsonbody
from app.auth.roles import requires
from app.census import definitions, services, validation
from app.households.scope import get_household_or_404
from app.records import queries as records

bp = Blueprint("records", __name__)


@bp.route("/api/households/<int:household_id>/check", methods=["POST"])
@requires("collect")
def check(household_id: int):
    """The server's verdict on a record: 200 when nothing blocks it, else 422 with every
    issue and its path; 400 when the body is not a record at all."""
    household = get_household_or_404(current_user, household_id)
    body = jsonbody.read()
    if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
        return jsonify(error=400, message=_("请求内容应为包含 answers 对象的 JSON。")), 400
    campaign = services.current_campaign()
    version = body.get("form_version") or (campaign.form_version if campaign else definitions.DEFAULT_VERSION)
    definition = definitions.get(version) if isinstance(version, str) else None
    if definition is None:
        return jsonify(error=400, message=_("未知的调查表版本“%(version)s”。", version=version)), 400
    wrong = validation.malformed(definition, body["answers"])
    if wrong:
        return jsonify(error=400, message=_("记录的结构不正确，无法检查。"),
                       issues=[{"path": path, "code": "malformed"} for path in wrong]), 400
    last_year = records.per_capita(records.last_year(campaign, household))
    facts = services.facts_for(campaign, [(household, body["answers"])], {household.id: last_year})[0]
    result = services.evaluate(household, campaign, body["answers"], definition, facts)
    return jsonify(result), 422 if result["blocking"] else 200
