"""Code tables: every coded value in the data model, defined once.

Each code is a short English string stored in the database (guarded by a CHECK
constraint built from the table here) with its Chinese label as the national system
writes it. The Chinese label is the gettext message id, so the default UI needs no
catalog and the English catalog translates it. Roster import reads the Chinese labels
(and their aliases) back into codes.

Pure module: no Flask, no database. ``label`` calls gettext lazily at display time.
"""
from __future__ import annotations

from dataclasses import dataclass, field


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated when shown, not here."""
    return message


@dataclass(frozen=True)
class Code:
    value: str
    source_label: str
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        from flask_babel import gettext  # late: keeps this module importable without Flask

        return gettext(self.source_label)


@dataclass(frozen=True)
class CodeSet:
    name: str
    codes: tuple[Code, ...]
    _lookup: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        lookup = {}
        for code in self.codes:
            for spelling in (code.value, code.source_label, *code.aliases):
                lookup[_normalise(spelling)] = code.value
        object.__setattr__(self, "_lookup", lookup)

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(code.value for code in self.codes)

    def label(self, value: str | None) -> str:
        for code in self.codes:
            if code.value == value:
                return code.label
        return ""

    def source_label(self, value: str | None) -> str:
        """The Chinese label of a value (its message id, untranslated)."""
        return next((code.source_label for code in self.codes if code.value == value), "")

    def choices(self) -> list[tuple[str, str]]:
        return [(code.value, code.label) for code in self.codes]

    def parse(self, text: str | None) -> str | None:
        """The code for a stored value, a Chinese label or an alias; None when unknown."""
        if text is None:
            return None
        return self._lookup.get(_normalise(text))

    def check_sql(self, column: str) -> str:
        """SQL for a CHECK constraint allowing exactly these values."""
        quoted = ", ".join(f"'{value}'" for value in self.values)
        return f"{column} IN ({quoted})"


def _normalise(text: str) -> str:
    return "".join(str(text).split()).replace("（", "(").replace("）", ")").lower()


def codeset(name: str, *codes: tuple) -> CodeSet:
    return CodeSet(name, tuple(Code(*code) for code in codes))


ROLE = codeset(
    "role",
    ("enumerator", N_("信息采集员"), ("帮扶干部", "驻村工作队员")),
    ("village_reviewer", N_("村级审核员"), ("村级审核",)),
    ("township_approver", N_("乡镇审核员"), ("乡镇审核",)),
    ("county_approver", N_("县级审批员"), ("县级审批",)),
    ("county_admin", N_("县级管理员"),),
)

AREA_LEVEL = codeset(
    "area_level",
    ("county", N_("县")),
    ("township", N_("乡镇"), ("乡", "镇", "街道")),
    ("village", N_("村"), ("行政村", "社区", "居委会", "村委会")),
    ("group", N_("村民小组"), ("组", "小组")),
)

SEX = codeset("sex", ("male", N_("男")), ("female", N_("女")))

RELATION = codeset(
    "relation",
    ("head", N_("户主"), ("本人",)),
    ("spouse", N_("配偶"), ("妻", "夫", "妻子", "丈夫")),
    ("son", N_("之子"), ("子", "儿子", "长子", "次子")),
    ("daughter", N_("之女"), ("女", "女儿", "长女", "次女")),
    ("daughter_in_law", N_("之儿媳"), ("儿媳",)),
    ("son_in_law", N_("之女婿"), ("女婿",)),
    ("grandson", N_("之孙子"), ("孙子",)),
    ("granddaughter", N_("之孙女"), ("孙女",)),
    ("daughters_son", N_("之外孙子"), ("外孙子", "外孙")),
    ("daughters_daughter", N_("之外孙女"), ("外孙女",)),
    ("father", N_("之父"), ("父亲",)),
    ("mother", N_("之母"), ("母亲",)),
    ("father_in_law", N_("之公公"), ("公公", "之岳父", "岳父")),
    ("mother_in_law", N_("之婆婆"), ("婆婆", "之岳母", "岳母")),
    ("grandfather", N_("之祖父"), ("祖父",)),
    ("grandmother", N_("之祖母"), ("祖母",)),
    ("sibling", N_("之兄弟姐妹"), ("兄弟姐妹", "兄", "弟", "姐", "妹")),
    ("other", N_("其他"),),
)

# GB/T 3304 two-digit codes.
ETHNICITY = codeset(
    "ethnicity",
    ("01", N_("汉族")), ("02", N_("蒙古族")), ("03", N_("回族")), ("04", N_("藏族")),
    ("05", N_("维吾尔族")), ("06", N_("苗族")), ("07", N_("彝族")), ("08", N_("壮族")),
    ("09", N_("布依族")), ("10", N_("朝鲜族")), ("11", N_("满族")), ("12", N_("侗族")),
    ("13", N_("瑶族")), ("14", N_("白族")), ("15", N_("土家族")), ("16", N_("哈尼族")),
    ("17", N_("哈萨克族")), ("18", N_("傣族")), ("19", N_("黎族")), ("20", N_("傈僳族")),
    ("21", N_("佤族")), ("22", N_("畲族")), ("23", N_("高山族")), ("24", N_("拉祜族")),
    ("25", N_("水族")), ("26", N_("东乡族")), ("27", N_("纳西族")), ("28", N_("景颇族")),
    ("29", N_("柯尔克孜族")), ("30", N_("土族")), ("31", N_("达斡尔族")), ("32", N_("仫佬族")),
    ("33", N_("羌族")), ("34", N_("布朗族")), ("35", N_("撒拉族")), ("36", N_("毛南族")),
    ("37", N_("仡佬族")), ("38", N_("锡伯族")), ("39", N_("阿昌族")), ("40", N_("普米族")),
    ("41", N_("塔吉克族")), ("42", N_("怒族")), ("43", N_("乌孜别克族")), ("44", N_("俄罗斯族")),
    ("45", N_("鄂温克族")), ("46", N_("德昂族")), ("47", N_("保安族")), ("48", N_("裕固族")),
    ("49", N_("京族")), ("50", N_("塔塔尔族")), ("51", N_("独龙族")), ("52", N_("鄂伦春族")),
    ("53", N_("赫哲族")), ("54", N_("门巴族")), ("55", N_("珞巴族")), ("56", N_("基诺族")),
    ("97", N_("其他民族"), ("其他",)), ("98", N_("外国血统中国籍人士")),
)

# 文化程度: highest level completed, for members no longer in school.
EDUCATION_LEVEL = codeset(
    "education_level",
    ("illiterate", N_("文盲或半文盲"), ("文盲", "半文盲")),
    ("primary", N_("小学")),
    ("junior_secondary", N_("初中")),
    ("senior_secondary", N_("高中")),
    ("secondary_vocational", N_("中专"), ("中职",)),
    ("higher_vocational", N_("大专"), ("高职",)),
    ("bachelor_or_above", N_("本科及以上"), ("本科", "研究生")),
)

# 在校生状况: current schooling; exclusive with the education level above.
SCHOOLING = codeset(
    "schooling",
    ("preschool", N_("学前教育")),
    ("primary", N_("在读小学"), ("小学在读",)),
    ("junior_secondary", N_("在读初中"), ("初中在读",)),
    ("senior_secondary", N_("在读高中"), ("高中在读",)),
    ("secondary_vocational", N_("在读中职"), ("中职在读", "在读中专")),
    ("higher_vocational", N_("在读高职"), ("高职在读", "在读大专")),
    ("undergraduate", N_("在读本科"), ("本科在读",)),
    ("postgraduate", N_("在读研究生"), ("研究生在读",)),
)

# 健康状况 is combinable: these are the conditions; "healthy" is the absence of all three.
HEALTH_CONDITION = codeset(
    "health_condition",
    ("chronic_illness", N_("长期慢性病"), ("慢性病",)),
    ("serious_illness", N_("患有大病"), ("大病",)),
    ("disabled", N_("残疾"),),
)
HEALTHY_LABEL = N_("健康")

DISABILITY_CLASS = codeset(
    "disability_class",
    ("1", N_("一级"), ("1级",)), ("2", N_("二级"), ("2级",)),
    ("3", N_("三级"), ("3级",)), ("4", N_("四级"), ("4级",)),
)

LABOUR_CAPACITY = codeset(
    "labour_capacity",
    ("ordinary", N_("普通劳动力")),
    ("skilled", N_("技能劳动力")),
    ("weak", N_("弱劳动力或半劳动力"), ("弱劳动力", "半劳动力")),
    ("lost", N_("丧失劳动力")),
    ("none", N_("无劳动力")),
)

WORK_LOCATION = codeset(
    "work_location",
    ("within_county", N_("县内")),
    ("within_province", N_("省内县外"), ("县外省内",)),
    ("outside_province", N_("省外")),
    ("abroad", N_("境外")),
)

PENSION_INSURANCE = codeset(
    "pension_insurance",
    ("residents", N_("城乡居民基本养老保险")),
    ("employees", N_("城镇职工基本养老保险"), ("职工基本养老保险",)),
    ("none", N_("未参加养老保险"), ("未参加", "无")),
)

HOUSEHOLD_TYPE = codeset(
    "household_type",
    ("ordinary", N_("一般农户"), ("普通农户",)),
    ("out_of_poverty", N_("脱贫户"),),
)

# Sub-type of an out-of-poverty household.
POVERTY_SUBTYPE = codeset(
    "poverty_subtype",
    ("general", N_("一般脱贫户"), ("一般",)),
    ("minimum_living", N_("低保脱贫户"), ("低保",)),
    ("extreme_poverty", N_("特困供养脱贫户"), ("特困供养", "特困")),
)

MONITORED_CATEGORY = codeset(
    "monitored_category",
    ("unstable_out_of_poverty", N_("脱贫不稳定户")),
    ("marginal", N_("边缘易致贫户")),
    ("sudden_hardship", N_("突发严重困难户")),
)

# Which household types each category is for (§8, §10): 脱贫不稳定户 only an out-of-poverty
# household, 边缘易致贫户 only an ordinary one, 突发严重困难户 any.
CATEGORY_HOUSEHOLD_TYPES = {
    "unstable_out_of_poverty": ("out_of_poverty",),
    "marginal": ("ordinary",),
    "sudden_hardship": ("ordinary", "out_of_poverty"),
}


def categories_for(household_type: str | None) -> list[tuple[str, str]]:
    """The monitored categories (value, label) a household of this type may be identified in."""
    return [(value, label) for value, label in MONITORED_CATEGORY.choices()
            if household_type in CATEGORY_HOUSEHOLD_TYPES[value]]


# 监测识别与风险消除 (DOMAIN §10–12).
PROPOSAL_KIND = codeset(
    "proposal_kind",
    ("identification", N_("识别纳入监测")),
    ("elimination", N_("风险消除")),
)

# Where a clue came from (§10): the visit's screening, the household itself, a department;
# or the national system, whose roster already lists the household as monitored (entered by
# the roster import, never proposed here).
CLUE_CHANNEL = codeset(
    "clue_channel",
    ("visit_screening", N_("入户排查发现")),
    ("self_application", N_("农户自主申报")),
    ("department_warning", N_("部门筛查预警")),
    ("national_system", N_("全国防返贫监测信息系统")),
    ("duty_visit", N_("干部走访发现")),  # a risk a responsible cadre found on a duty visit (§13.3)
)

# How the days from a clue to its decision are counted (§10: normally 15 days; Hainan 20
# working days).
DAY_COUNT = codeset(
    "day_count",
    ("calendar", N_("自然日")),
    ("working", N_("工作日")),
)
DAYS_TEXT = {"calendar": N_("%(days)s 天"), "working": N_("%(days)s 个工作日")}


def days_text(days: int, day_count: str) -> str:
    """"15 天" or "20 个工作日", in the request's language."""
    from flask_babel import gettext  # late: keeps this module importable without Flask

    return gettext(DAYS_TEXT[day_count], days=days)

# The per-capita income lines set per year and area: the monitoring threshold 监测范围 (§6)
# and the line dividing the circle layers 圈层分层线 (§12).
LINE_KIND = codeset(
    "line_kind",
    ("monitoring", N_("监测范围")),
    ("circle_layer", N_("圈层分层线")),
)

# The two kinds of risk elimination (§11).
ELIMINATION_KIND = codeset(
    "elimination_kind",
    ("through_assistance", N_("帮扶消除风险")),
    ("natural", N_("自然消除风险")),
)

# 帮扶措施 (§12): one household, one plan.
ASSISTANCE_MEASURE = codeset(
    "assistance_measure",
    ("industry", N_("产业帮扶")),
    ("employment", N_("就业帮扶")),
    ("finance", N_("金融帮扶（小额信贷）")),
    ("public_welfare_job", N_("公益性岗位")),
    ("health", N_("健康帮扶")),
    ("education", N_("教育帮扶")),
    ("social_security", N_("综合保障（低保、特困供养）")),
    ("housing", N_("住房安全保障")),
    ("water", N_("饮水安全保障")),
    ("social_help", N_("社会帮扶")),
)

# Visit duties 走访责任 (§12, §13): who is visited how often, and what a visit records.
CIRCLE_LAYER = codeset(
    "circle_layer",
    ("red", N_("红色圈层")),
    ("orange", N_("橙色圈层")),
    ("yellow", N_("黄色圈层")),
    ("blue", N_("蓝色圈层")),
)
# A monitored household whose risk is not yet eliminated, or one whose risk was eliminated.
MONITORING_STATUS = codeset(
    "monitoring_status",
    ("unresolved", N_("风险未消除")),
    ("resolved", N_("风险已消除")),
)
CONTACT_KIND = codeset(
    "contact_kind",
    ("home_visit", N_("入户走访")),
    ("call", N_("电话联系")),
    ("wechat", N_("微信联系")),
)
DUTY_PERIOD = codeset(
    "duty_period",
    ("week", N_("每周")),
    ("month", N_("每月")),
    ("half_year", N_("每半年")),
    ("year", N_("每年")),
)
INCOME_CHANGE = codeset(
    "income_change",
    ("none", N_("无明显变化")),
    ("up", N_("增加")),
    ("down", N_("减少")),
)

# 抽样审核 (§12, §13): which households an audit round draws from, and what it found.
AUDIT_POPULATION = codeset(
    "audit_population",
    ("proposed_identification", N_("申报识别纳入监测的户")),
    ("proposed_elimination", N_("申报风险消除的户")),
    ("approved", N_("已批准的户")),
)
AUDIT_OUTCOME = codeset(
    "audit_outcome",
    ("pending", N_("尚未审核")),
    ("consistent", N_("一致")),
    ("discrepancy", N_("不一致")),
)

# Code tables the census form refers to by name ("codes": "relation"), for the server's
# validation and the phone's pickers.
FORM_CODE_TABLES = {codes.name: codes for codes in (
    SEX, RELATION, ETHNICITY, EDUCATION_LEVEL, SCHOOLING, DISABILITY_CLASS, LABOUR_CAPACITY, WORK_LOCATION,
    PENSION_INSURANCE, HOUSEHOLD_TYPE, POVERTY_SUBTYPE,
)}


def form_code_values() -> dict[str, list[str]]:
    return {name: list(codes.values) for name, codes in FORM_CODE_TABLES.items()}
