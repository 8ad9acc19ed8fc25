"""County administration pages: areas, users, campaigns and thresholds, assignments."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.admin import area_queries
from app.admin.forms import (
    AreaCodesForm,
    AssignmentForm,
    CampaignForm,
    GroupForm,
    NewUserForm,
    ObjectionPhoneForm,
    PasswordForm,
    ThresholdForm,
    UserForm,
)
from app.auth import accounts
from app.auth.models import User
from app.auth.roles import requires
from app.campaigns import queries as campaign_queries
from app.campaigns import services as campaign_services
from app.campaigns.models import Campaign, MonitoringThreshold
from app.codes import LINE_KIND, ROLE
from app.errors import InvalidInput
from app.extensions import db
from app.geo import services as geo_services
from app.geo.models import Area
from app.typed import whole_number

bp = Blueprint("admin", __name__, url_prefix="/admin")

# Status of a page shown again because its input was refused.
INVALID = 422


def admin_links() -> list[tuple[str, str]]:
    """The admin menu: (endpoint, label)."""
    return [
        ("admin.areas", _("区划与村民小组")),
        ("roster.upload", _("导入农户花名册")),
        ("admin.users", _("用户")),
        ("admin.campaigns", _("普查批次与监测范围")),
        ("census.definitions_page", _("调查表版本")),
        ("admin.assignments", _("入户任务分配")),
        ("cadres.index", _("帮扶责任人")),
    ]


@bp.before_request
@requires("administer")
def _administrators_only():
    """Every page here is the county admin's (403 for other roles, sign-in for nobody)."""


def _refuse(form, error: InvalidInput) -> None:
    """Show a service's refusal beside its field, or at the top of the page."""
    field = form[error.field] if error.field and error.field in form else None
    if field is None:
        flash(error.message, "error")
    else:
        field.errors = [*field.errors, error.message]


def _get_or_404(model, record_id: int):
    return db.session.get(model, record_id) or abort(404)


@bp.route("/")
def index():
    return render_template("admin/index.html", admin_links=admin_links())


# Areas --------------------------------------------------------------------------------------

def _areas_page(codes_form=None, group_form=None, phone_form=None, problems=(), status=200):
    return render_template(
        "admin/areas.html", tree=area_queries.area_tree(current_user), problems=problems,
        codes_form=codes_form or AreaCodesForm(formdata=None), group_form=group_form or GroupForm(formdata=None),
        phone_form=phone_form or ObjectionPhoneForm(formdata=None),
    ), status


@bp.route("/areas")
def areas():
    return _areas_page()


@bp.route("/areas/codes", methods=["POST"])
def load_area_codes():
    form = AreaCodesForm()
    if not form.validate_on_submit():
        return _areas_page(codes_form=form, status=INVALID)
    try:
        result = geo_services.load_area_codes(form.file.data.read(), form.code_year.data)
    except geo_services.AreaCodesRejected as rejected:
        flash(_("文件未导入：发现 %(count)d 处问题，请修改后重新上传。", count=len(rejected.problems)), "error")
        return _areas_page(codes_form=form, problems=rejected.problems, status=INVALID)
    flash(_("区划代码已导入：新增 %(added)d 个，更新 %(updated)d 个，未变 %(unchanged)d 个。",
            added=result.added, updated=result.updated, unchanged=result.unchanged), "success")
    return redirect(url_for("admin.areas"))


@bp.route("/areas/groups", methods=["POST"])
def add_group():
    form = GroupForm()
    if form.validate_on_submit():
        try:
            group = geo_services.add_group(_get_or_404(Area, form.village.data), form.name.data)
        except InvalidInput as error:
            _refuse(form, error)
        else:
            flash(_("已添加村民小组 %(name)s（%(code)s）。", name=group.name, code=group.code), "success")
            return redirect(url_for("admin.areas"))
    return _areas_page(group_form=form, status=INVALID)


@bp.route("/areas/objection-phone", methods=["POST"])
def set_objection_phone():
    form = ObjectionPhoneForm()
    if form.validate_on_submit():
        try:
            area = geo_services.set_objection_phone(_get_or_404(Area, form.area.data), form.phone.data)
        except InvalidInput as error:
            _refuse(form, error)
        else:
            flash(_("已设置%(area)s的公示异议电话。", area=area.name) if area.objection_phone
                  else _("已删除%(area)s的公示异议电话。", area=area.name), "success")
            return redirect(url_for("admin.areas"))
    return _areas_page(phone_form=form, status=INVALID)


# Users --------------------------------------------------------------------------------------

@bp.route("/users")
def users():
    role = request.args.get("role")
    query = select(User).options(selectinload(User.areas)).order_by(User.username)
    if role in ROLE.values:
        query = query.where(User.role == role)
    return render_template("admin/users.html", users=db.session.scalars(query).all(), role=role,
                           roles=ROLE.choices())


@bp.route("/users/new", methods=["GET", "POST"])
def create_user():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.username.data, form.display_name.data, form.role.data,
                                        form.password.data, form.areas.data)
        except InvalidInput as error:
            _refuse(form, error)
        else:
            flash(_("已创建用户 %(username)s。", username=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_new.html", form=form), INVALID if form.errors else 200


def _user_page(user: User, form=None, password_form=None, status=200):
    if form is None:
        form = UserForm(formdata=None, obj=user, areas=[area.id for area in user.areas])
    return render_template("admin/user.html", user=user, form=form,
                           password_form=password_form or PasswordForm(formdata=None)), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = _get_or_404(User, user_id)
    if request.method == "GET":
        return _user_page(user)
    form = UserForm()
    if form.validate():
        try:
            accounts.update_user(current_user, user, form.display_name.data, form.role.data, form.areas.data)
        except InvalidInput as error:
            _refuse(form, error)
        else:
            flash(_("已保存用户 %(username)s。", username=user.username), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return _user_page(user, form=form, status=INVALID)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def reset_password(user_id: int):
    user = _get_or_404(User, user_id)
    form = PasswordForm()
    if form.validate():
        try:
            accounts.reset_password(user, form.password.data)
        except InvalidInput as error:
            _refuse(form, error)
        else:
            flash(_("已为 %(username)s 设置新密码。", username=user.username), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return _user_page(user, password_form=form, status=INVALID)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def set_user_active(user_id: int):
    user = _get_or_404(User, user_id)
    active = request.form.get("active") == "1"
    try:
        accounts.set_active(current_user, user, active)
    except InvalidInput as error:
        flash(error.message, "error")
        return _user_page(user, status=INVALID)
    flash(_("已启用 %(username)s。", username=user.username) if active
          else _("已停用 %(username)s，该账号不能再登录。", username=user.username), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


# Campaigns and thresholds -------------------------------------------------------------------

@bp.route("/campaigns")
def campaigns():
    return render_template("admin/campaigns.html", campaigns=campaign_queries.campaigns())


def _campaign_form_page(campaign: Campaign | None):
    form = CampaignForm(obj=campaign)
    if form.validate_on_submit():
        try:
            campaign = campaign_services.save_campaign(
                campaign, name=form.name.data, year=form.year.data, form_version=form.form_version.data,
                county_approval_enabled=form.county_approval_enabled.data,
                public_notice_days=form.public_notice_days.data, notice_shows_health=form.notice_shows_health.data,
                decision_days_limit=form.decision_days_limit.data, decision_day_count=form.decision_day_count.data,
                clue_days=(form.clue_verify_days.data, form.clue_village_review_days.data,
                           form.clue_township_review_days.data),
            )
        except InvalidInput as error:
            _refuse(form, error)
        else:
            flash(_("已保存普查批次 %(name)s。", name=campaign.name), "success")
            return redirect(url_for("admin.campaign", campaign_id=campaign.id))
    return render_template("admin/campaign_form.html", form=form, campaign=campaign), INVALID if form.errors else 200


@bp.route("/campaigns/new", methods=["GET", "POST"])
def create_campaign():
    return _campaign_form_page(None)


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
def edit_campaign(campaign_id: int):
    return _campaign_form_page(_get_or_404(Campaign, campaign_id))


def _campaign_page(campaign: Campaign, threshold_form=None, status=200):
    if threshold_form is None:
        threshold_form = ThresholdForm(formdata=None, year=campaign.year)
    return render_template(
        "admin/campaign.html", campaign=campaign, threshold_form=threshold_form,
        thresholds=campaign_queries.thresholds(campaign), villages=campaign_queries.village_thresholds(campaign),
        layer_villages=campaign_queries.village_thresholds(campaign, "circle_layer"),
    ), status


@bp.route("/campaigns/<int:campaign_id>")
def campaign(campaign_id: int):
    return _campaign_page(_get_or_404(Campaign, campaign_id))


@bp.route("/campaigns/<int:campaign_id>/thresholds", methods=["POST"])
def set_threshold(campaign_id: int):
    campaign = _get_or_404(Campaign, campaign_id)
    form = ThresholdForm()
    if form.validate():
        try:
            created = campaign_services.set_threshold(campaign, form.year.data, _get_or_404(Area, form.area.data),
                                                      form.amount.data, form.kind.data)
        except InvalidInput as error:
            _refuse(form, error)
        else:
            kind = LINE_KIND.label(form.kind.data)
            flash(_("已添加%(kind)s。", kind=kind) if created else _("已修改%(kind)s。", kind=kind), "success")
            return redirect(url_for("admin.campaign", campaign_id=campaign.id))
    return _campaign_page(campaign, threshold_form=form, status=INVALID)


@bp.route("/campaigns/<int:campaign_id>/thresholds/<int:threshold_id>/delete", methods=["POST"])
def delete_threshold(campaign_id: int, threshold_id: int):
    threshold = _get_or_404(MonitoringThreshold, threshold_id)
    if threshold.campaign_id != campaign_id:
        abort(404)
    campaign_services.delete_threshold(threshold)
    flash(_("已删除%(kind)s。", kind=LINE_KIND.label(threshold.kind)), "success")
    return redirect(url_for("admin.campaign", campaign_id=campaign_id))


# Assignments --------------------------------------------------------------------------------

@bp.route("/assignments", methods=["GET", "POST"])
def assignments():
    form = AssignmentForm(campaign=request.args.get("campaign", type=whole_number))
    if form.validate_on_submit():
        try:
            counts = campaign_services.assign_area(
                current_user, _get_or_404(Campaign, form.campaign.data), _get_or_404(Area, form.area.data),
                _get_or_404(User, form.enumerator.data),
            )
        except InvalidInput as error:
            _refuse(form, error)
        else:
            flash(_("已分配：新分配 %(added)d 户，从其他采集员转来 %(moved)d 户，原已分配给该采集员 %(unchanged)d 户。",
                    added=counts.added, moved=counts.moved, unchanged=counts.unchanged), "success")
            return redirect(url_for("admin.assignments", campaign=form.campaign.data))
    # The progress shown is the chosen campaign's, else the latest one's (the first choice).
    campaign_ids = [choice.value for choice in form.campaign.choices]
    campaign_id = form.campaign.data if form.campaign.data in campaign_ids else next(iter(campaign_ids), None)
    campaign = db.session.get(Campaign, campaign_id) if campaign_id else None
    summary = campaign_queries.assignment_summary(current_user, campaign) if campaign else []
    status = INVALID if form.errors else 200
    return render_template("admin/assignments.html", form=form, campaign=campaign, summary=summary), status
