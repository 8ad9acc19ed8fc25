"""Forms of the county admin pages. Choices that come from the database are read when a
form is made; rules that need the database are the services' to enforce."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from app import clock
from app.admin.area_queries import area_options
from app.auth.forms import new_password_field
from app.campaigns import queries
from app.campaigns.models import MIN_NOTICE_DAYS
from app.campaigns.services import THRESHOLD_LEVELS
from app.census import definitions
from app.codes import AREA_LEVEL, DAY_COUNT, LINE_KIND, ROLE
from app.geo.services import OBJECTION_PHONE_LEVELS
from app.money import MAX_FEN, TOO_LARGE, MoneyError, format_yuan, parse_yuan
from app.punctuation import aside


def _this_year() -> int:
    return clock.today().year


def year_field(label, **kwargs) -> IntegerField:
    return IntegerField(label, default=_this_year, validators=[
        InputRequired(_l("请输入年份。")), NumberRange(2000, 2100, _l("年份应在 %(min)s 至 %(max)s 之间。")),
    ], **kwargs)


def area_choices(levels: tuple[str, ...]) -> list[SelectChoice]:
    """One <optgroup> per level."""
    return [SelectChoice(option.id, option.label, optgroup=AREA_LEVEL.label(option.level))
            for option in area_options(levels)]


class YuanField(StringField):
    """An amount typed in yuan (at most two decimals), held as integer fen."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = parse_yuan(valuelist[0])
            except MoneyError as error:
                if error.problem == TOO_LARGE:
                    raise ValueError(_l("金额不能超过 %(limit)s 元。", limit=format_yuan(MAX_FEN))) from error
                raise ValueError(_l("请输入以元为单位的金额，最多两位小数，例如 8700 或 8700.50。")) from error

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_yuan(self.data)


class AreaCodesForm(FlaskForm):
    file = FileField(_l("区划代码文件（CSV）"), validators=[FileRequired(_l("请选择要上传的文件。"))])
    code_year = year_field(_l("代码年份"))


class GroupForm(FlaskForm):
    village = SelectField(_l("所属村"), coerce=int)
    name = StringField(_l("村民小组名称"), validators=[DataRequired(_l("请输入村民小组名称。")), Length(max=100)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.village.choices = area_choices(("village",))


class UserForm(FlaskForm):
    display_name = StringField(_l("姓名"), validators=[DataRequired(_l("请输入姓名。")), Length(max=100)])
    role = SelectField(_l("角色"))
    areas = SelectMultipleField(
        _l("负责区域"), coerce=int, validators=[DataRequired(_l("请至少选择一个负责区域。"))],
        description=_l("信息采集员选村或村民小组；村级审核员选村；乡镇审核员选乡镇；县级审批员和管理员选县。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice(value, label) for value, label in ROLE.choices()]
        self.areas.choices = area_choices(AREA_LEVEL.values)


class NewUserForm(UserForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名。")), Length(max=64)],
                           render_kw={"autocomplete": "off", "autocapitalize": "none"})
    password = new_password_field(_l("初始密码"))


class PasswordForm(FlaskForm):
    password = new_password_field(_l("新密码"))


class CampaignForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(_l("请输入名称。")), Length(max=100)])
    year = year_field(_l("普查年度"))
    # Checked by validate_form_version, so the message is ours and in the user's language.
    form_version = SelectField(_l("使用的调查表版本"), validate_choice=False,
                               validators=[DataRequired(_l("请选择调查表版本。"))])
    county_approval_enabled = BooleanField(_l("需要县级审批"))
    public_notice_days = IntegerField(_l("公示天数"), default=MIN_NOTICE_DAYS, validators=[
        InputRequired(_l("请输入公示天数。")),
        NumberRange(min=MIN_NOTICE_DAYS, message=_l("公示天数至少为 %(min)s 天。")),
    ])
    notice_shows_health = BooleanField(_l("公示中显示因病、因残等涉及健康的风险类型"))
    decision_days_limit = IntegerField(_l("从发现线索到作出决定的时限"), default=15, validators=[
        InputRequired(_l("请输入办结时限。")), NumberRange(min=1, message=_l("办结时限至少为 %(min)s 天。")),
    ])
    decision_day_count = SelectField(_l("时限按"))
    # A department warning's time limits (app.clues.workflow), calendar days per step.
    clue_verify_days = IntegerField(_l("部门预警：入户核查时限（天）"), default=15, validators=[
        InputRequired(_l("请输入办结时限。")), NumberRange(min=1, message=_l("办结时限至少为 %(min)s 天。"))])
    clue_village_review_days = IntegerField(_l("部门预警：村级研判时限（天）"), default=5, validators=[
        InputRequired(_l("请输入办结时限。")), NumberRange(min=1, message=_l("办结时限至少为 %(min)s 天。"))])
    clue_township_review_days = IntegerField(_l("部门预警：乡镇审核时限（天）"), default=5, validators=[
        InputRequired(_l("请输入办结时限。")), NumberRange(min=1, message=_l("办结时限至少为 %(min)s 天。"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only published versions: a campaign must never point at a form nobody can load.
        self.form_version.choices = [SelectChoice(version, version) for version in definitions.versions()]
        self.decision_day_count.choices = [SelectChoice(value, label) for value, label in DAY_COUNT.choices()]

    def validate_form_version(self, field):
        if field.data not in definitions.versions():
            raise ValidationError(_l("没有这个调查表版本，请先在“调查表版本”中发布。"))


class ThresholdForm(FlaskForm):
    kind = SelectField(_l("种类"), default="monitoring")
    year = year_field(_l("年度"))
    area = SelectField(_l("区域"), coerce=int)
    amount = YuanField(_l("人均纯收入金额（元）"), validators=[InputRequired(_l("请输入金额。"))],
                       render_kw={"inputmode": "decimal"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(value, label) for value, label in LINE_KIND.choices()]
        self.area.choices = area_choices(THRESHOLD_LEVELS)


class ObjectionPhoneForm(FlaskForm):
    area = SelectField(_l("村或乡镇"), coerce=int)
    phone = StringField(_l("公示异议电话"), validators=[Length(max=40)],
                        description=_l("留空即删除；村没有设置时，公示中写所在乡镇的电话。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.area.choices = area_choices(OBJECTION_PHONE_LEVELS)


class AssignmentForm(FlaskForm):
    campaign = SelectField(_l("普查批次"), coerce=int)
    area = SelectField(_l("村或村民小组"), coerce=int)
    enumerator = SelectField(_l("信息采集员"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign.choices = [SelectChoice(campaign.id, f"{campaign.year} · {campaign.name}")
                                 for campaign in queries.campaigns()]
        self.area.choices = area_choices(("village", "group"))
        self.enumerator.choices = [SelectChoice(user.id, aside(user.display_name, user.username))
                                   for user in queries.active_enumerators()]
