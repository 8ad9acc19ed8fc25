import json

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import LOCALES
from app.auth.roles import requires
from app.census import definitions, services
from app.census.forms import FormDefinitionForm

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
