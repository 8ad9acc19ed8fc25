import datetime as dt
import json

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.admin.forms import FormDefinitionForm
from app.auth.models import LOCALES
from app.auth.roles import requires
from app.auth.scope import get_household_or_404
from app.census import definitions, services, validation
from app.sync.queries import approved_earlier, per_capita

bp = Blueprint("census", __name__)


@bp.route("/census/forms/<version>.json")
@requires("view_households")
def form_bundle(version: str):
    """?locale= asks for a language explicitly: the service worker precaches both."""
    locale = request.args.get("locale")
    if locale is not None and locale not in LOCALES:
        abort(404)
    with force_locale(locale or str(get_locale())):
        bundle = services.client_bundle(version)
    if bundle is None:
        abort(404)
    response = jsonify(bundle)
    response.headers["Cache-Control"] = "private, no-cache"  # no user data; the service worker precaches it
    return response


@bp.route("/census/households/<int:household_id>")
@requires("collect")
def form(household_id: int):
    household = get_household_or_404(current_user, household_id)
    campaign = services.current_campaign()
    version = campaign.form_version if campaign and definitions.get(campaign.form_version) \
        else definitions.DEFAULT_VERSION
    _year, last_year = approved_earlier(campaign, [household.id]).get(household.id, (None, None)) \
        if campaign else (None, None)
    return render_template("census/form.html", household=household, version=version,
                           threshold=services.threshold(campaign, household),
                           last_year_per_capita=per_capita(last_year),
                           prefill=services.prefill(household, dt.date.today(), last_year and last_year.answers))


@bp.route("/api/households/<int:household_id>/check", methods=["POST"])
@requires("collect")
def check(household_id: int):
    """The server's verdict on a record: 200 when nothing blocks it, else 422 with every
    issue and its path; 400 when the body is not a record at all."""
    household = get_household_or_404(current_user, household_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
        return jsonify(error=400, message=_("请求内容应为包含 answers 对象的 JSON。")), 400
    campaign = services.current_campaign()
    version = body.get("form_version") or (campaign.form_version if campaign else definitions.DEFAULT_VERSION)
    definition = definitions.get(version)
    if definition is None:
        return jsonify(error=400, message=_("未知的调查表版本“%(version)s”。", version=version)), 400
    wrong = validation.malformed(definition, body["answers"])
    if wrong:
        return jsonify(error=400, message=_("记录的结构不正确，无法检查。"),
                       issues=[{"path": path, "code": "malformed"} for path in wrong]), 400
    _year, last_year = approved_earlier(campaign, [household.id]).get(household.id, (None, None)) \
        if campaign else (None, None)
    facts = services.facts_for(campaign, [(household, body["answers"])], {household.id: per_capita(last_year)})[0]
    result = services.evaluate(household, campaign, body["answers"], definition, facts)
    return jsonify(result), 422 if result["blocking"] else 200


@bp.route("/admin/forms", methods=["GET", "POST"])
@requires("administer")
def definitions_page():
    """Form versions (调查表版本): download one to start from, upload a new one to publish."""
    form = FormDefinitionForm()
    problems = []
    status = 200
    if form.validate_on_submit():
        try:
            definition = json.loads(form.definition.data.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            problems = [{"path": "", "message": _("文件不是 UTF-8 编码的文本。")}]
        except json.JSONDecodeError as error:
            problems = [{"path": "", "message": _("JSON 格式有误：第 %(line)d 行第 %(column)d 列。",
                                                  line=error.lineno, column=error.colno)}]
        else:
            try:
                version = definitions.publish(definition, current_user)
            except definitions.DefinitionError as error:
                problems = error.problems
            else:
                flash(_("已发布调查表版本 %(version)s。", version=version), "success")
                return redirect(url_for("census.definitions_page"))
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("census/definitions.html", form=form, problems=problems,
                           published=definitions.published(), shipped=list(definitions.shipped())), status


@bp.route("/admin/forms/<version>.json")
@requires("administer")
def download_definition(version: str):
    definition = definitions.get(version)
    if definition is None:
        abort(404)
    return Response(json.dumps(definition, ensure_ascii=False, indent=1), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="ruhu-form-{version}.json"'})
