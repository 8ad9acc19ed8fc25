"""What the census codes mean in words: validation issues, screening flags, the lines of
the income explanation, and the phone's own interface strings.

Defined once here (message ids in Chinese, English in the catalog) and sent to the phone
translated into the user's language, so the phone shows the same sentences offline.
Parameters named in MONEY_PARAMS are fen and are shown as yuan; a list is shown as a list
in the user's language ("A、B和C", "A, B and C").
"""
from __future__ import annotations

from babel.lists import format_list
from flask_babel import get_locale, gettext

from app.codes import N_
from app.money import format_yuan

MONEY_PARAMS = {"per_capita", "threshold", "low", "high", "out_of_pocket", "net_income", "last_year", "after_rigid_costs",
                "limit"}

ISSUES = {
    "required": N_("请填写此项。"),
    "text_format": N_("应填写文字。"),
    "too_long": N_("不能超过 %(max)s 个字。"),
    "integer_format": N_("应填写整数。"),
    "out_of_range": N_("应在 %(min)s 到 %(max)s 之间。"),
    "money_format": N_("金额应为数字，最多两位小数。"),
    "money_negative": N_("金额不能为负数。"),
    "money_too_large": N_("金额不能超过 %(limit)s 元。"),
    "date_format": N_("日期格式应为 年-月-日，如 2026-07-15。"),
    "date_in_future": N_("日期不能晚于入户日期。"),
    "unknown_option": N_("请从选项中选择。"),
    "yes_no_format": N_("请选择“是”或“否”。"),
    "phone_format": N_("联系电话应为以 1 开头的 11 位数字。"),
    "id_length": N_("证件号码应为 18 位（残疾证号为 20 位）。"),
    "id_characters": N_("证件号码只能包含数字，最后一位可以是 X。"),
    "id_birth_date": N_("证件号码中的出生日期无效。"),
    "id_checksum": N_("证件号码校验位不正确，请核对。"),
    "too_few": N_("至少需要 %(min)s 条。"),
    "no_head": N_("在户成员中必须有一名户主。"),
    "two_heads": N_("只能有一名户主。"),
    "two_spouses": N_("最多只能有一名配偶。"),
    "spouse_same_sex": N_("户主与配偶性别相同，请核对。"),
    "sex_disagrees_with_id": N_("性别与证件号码不一致。"),
    "birth_date_disagrees_with_id": N_("出生日期与证件号码不一致。"),
    "id_duplicate": N_("同一户中证件号码重复。"),
    "id_in_other_household": N_("此人也登记在其他农户（户编号 %(households)s）中；一人只能属于一户，请核实并说明情况。"),
    "medical_insurance_both": N_("同时参加了两种基本医疗保险，请说明。"),
    "medical_insurance_none": N_("未参加基本医疗保险，请说明。"),
    "education_guarantee_out_of_school": N_("“义务教育有保障”答了“是”，但适龄儿童 %(names)s 未在校，请核实。"),
    "medical_guarantee_uninsured": N_("“基本医疗有保障”答了“是”，但 %(names)s 未参加基本医疗保险，请核实。"),
    "per_capita_implausible": N_("人均纯收入 %(per_capita)s 元超出合理范围（%(low)s–%(high)s 元），请核实或说明。"),
}

# What revisions stored before the server named the other households say.
UNNAMED_OTHER_HOUSEHOLD = N_("该证件号码已登记在其他农户中，请说明情况。")

FLAGS = {
    "below_threshold": N_("人均纯收入 %(per_capita)s 元，不高于监测范围 %(threshold)s 元。"),
    "near_threshold": N_("人均纯收入 %(per_capita)s 元，略高于监测范围 %(threshold)s 元。"),
    "guarantee_failed": N_("未达标：%(guarantee)s。"),
    "rigid_cost_burden": N_("合规自付支出 %(out_of_pocket)s 元，相对家庭纯收入 %(net_income)s 元负担过重。"),
    "after_rigid_costs_within_threshold": N_(
        "人均纯收入 %(per_capita)s 元高于监测范围，但扣除刚性支出后人均收入 %(after_rigid_costs)s 元，不高于监测范围 %(threshold)s 元。"),
    "sharp_drop": N_("人均纯收入由上年 %(last_year)s 元降至 %(per_capita)s 元（%(growth_rate)s%%）。"),
    "sudden_event": N_("发生突发事件：%(types)s。"),
    "without_labour": N_("整户无劳动能力。"),
}

# A flag in a word or two, for lists where the full sentence does not fit.
FLAG_LABELS = {
    "below_threshold": N_("低于监测范围"),
    "near_threshold": N_("接近监测范围"),
    "guarantee_failed": N_("“三保障”未达标"),
    "rigid_cost_burden": N_("刚性支出负担重"),
    "after_rigid_costs_within_threshold": N_("扣除刚性支出后不高于监测范围"),
    "sharp_drop": N_("收入大幅下降"),
    "sudden_event": N_("突发事件"),
    "without_labour": N_("整户无劳动能力"),
}

LINES = {
    "family_net_income": N_("家庭纯收入"),
    "per_capita_net_income": N_("人均纯收入"),
    "per_capita_after_rigid_costs": N_("扣除刚性支出后人均收入"),
    "growth_rate": N_("比上年增长（%）"),
    "household_size": N_("家庭人口"),
    "out_of_pocket": N_("合规自付支出"),
    "insurance_payouts": N_("理赔收入"),
    "last_year_per_capita_net_income": N_("上年人均纯收入"),
    "threshold": N_("监测范围"),
    "not_applicable": N_("不适用"),
}

CATEGORY_SUGGESTION = N_("建议类别：%(category)s")
RISK_SUGGESTION = N_("建议风险类型：%(risks)s")

# Strings the phone's interface shows (static/js/ui/). tests/test_census_messages.py
# checks that every t("…") in the client is listed here.
CLIENT = [
    N_("%(path)s：服务器上为“%(stored)s”，本机为“%(received)s”"), N_("上次同步："), N_("事件"), N_("人均纯收入"), N_("从未同步"),
    N_("保存签名"), N_("共 %(total)s 户，显示 %(shown)s 户。"), N_("农户签名"), N_("冲突"), N_("删除"), N_("删除事件"), N_("删除成员"),
    N_("同步失败，稍后自动重试。"), N_("否"), N_("在此处签名"), N_("姓名、身份证号后几位、户编号或组"), N_("完成，放入待发送"), N_("审核意见："), N_("已发送"),
    N_("已发送，等待审核。"), N_("已开启持久存储"), N_("待发送"), N_("成员"), N_("我的农户"), N_("提醒：%(message)s"), N_("搜索农户"),
    N_("文件太大（超过 5 MB），无法保存。"), N_("无法读取这张照片，请换一张。"), N_("是"), N_("更新到新版本"), N_("有新版本。"),
    N_("服务器上已有不同内容的这份记录，两份都已保留，由审核人员处理。"), N_("服务器拒收：%(message)s（%(path)s）"), N_("服务器拒收：%(message)s"), N_("未开启持久存储：手机空间不足时数据可能被清除"),
    N_("未选择"), N_("栏目"), N_("比上年"), N_("添加事件"), N_("添加成员"), N_("添加照片"), N_("清除"), N_("照片"), N_("照片（最多 5 张）"),
    N_("登录已过期，请重新登录；未发送的记录都还在。"), N_("监测范围"), N_("离线"), N_("立即同步"), N_("草稿"), N_("被拒收"), N_("计算过程"),
    N_("说明（必填）"), N_("请先签名。"), N_("返回列表"), N_("还有 %(count)s 处需要处理，已标在对应的题目旁。"), N_("还没有分配给您的农户：请在有网络时同步。"),
    N_("退回"), N_("错误：%(message)s"), N_("已通过"), N_("已有记录"),
    N_("全部"), N_("待审核"), N_("已完成"), N_("未调查"), N_("按状态筛选"), N_("显示更多"), N_("“%(field)s”的意见：%(comment)s"),
    N_("审核意见（%(count)s 条）"), N_("填写收入后显示人均纯收入和建议。"),
    N_("本机还没有这户的资料：请在有网络时同步；如果同步后仍没有，说明该户没有分配给您。"),
    N_("已通过审核（%(date)s），人均纯收入 %(income)s 元。如需修改，请联系乡镇重新打开。"),
    N_("该户本次普查已有记录（来自另一部手机或其他采集员），正在审核，不需要再次采集。"),
    N_("该户本次普查已有另一条记录（可能来自另一部手机）。这一份已原样保存在服务器上，由村里决定采用哪一份。"),
    # The tasks (static/js/ui/tasks.js).
    N_("核查任务"), N_("%(amount)s 元"), N_("办理期限：%(date)s"), N_("已超期"), N_("已登记，待发送"), N_("打开该户普查表"),
    N_("无风险"), N_("发现风险"), N_("查无此人"), N_("已迁出"), N_("核查结果"), N_("理由"), N_("情况说明"), N_("保存，待发送"),
    N_("登记核查结果"), N_("核查照片（可选）"), N_("核查照片"), N_("已附照片"), N_("删除照片"),
    # The visit log (static/js/ui/visits.js).
    N_("走访任务"), N_("走访记录"), N_("登记走访"), N_("本周到期"), N_("已逾期：上期少走访 %(count)s 次"),
    N_("本期 %(start)s 至 %(end)s：已走访 %(done)s 次，还需 %(due)s 次"), N_("已登记走访：%(date)s，%(kind)s"),
    N_("入户走访"), N_("电话联系"), N_("微信联系"), N_("无明显变化"), N_("增加"), N_("减少"), N_("走访日期"), N_("走访方式"),
    N_("见到的人"), N_("家庭成员变化"), N_("收入变化"), N_("人均纯收入（元，已知时填写）"), N_("反映的问题"),
    N_("本次跟进的帮扶措施"), N_("帮扶措施落实情况"), N_("照片（入户走访）"), N_("已添加照片（%(size)s KB）"), N_("风险情况"),
    N_("保存走访，待发送"), N_("请填写走访日期。"), N_("走访日期不能晚于今天。"), N_("人均纯收入应为以元计的金额。"),
    N_("人均纯收入不能为负数。"), N_("发现风险时请说明情况。"), N_("已落实：%(date)s"), N_("已申报 %(date)s，尚未落实"),
    N_("已落实"), N_("落实日期"), N_("请改正落实日期。"), N_("请填写落实日期。"), N_("日期不能晚于今天。"),
    N_("落实日期不能早于申报日期 %(date)s。"),
    # Audit copies (static/js/ui/audits.js).
    N_("抽样审核复核"), N_("填写复核表"), N_("继续填写复核表"), N_("复核表：%(household)s"), N_("复核一致"), N_("复核发现不一致"),
    N_("完成复核，放入待发送"), N_("本机没有这项复核任务：请在有网络时同步。"),
    N_("这是抽样审核的复核表，单独保存，不会改动该户的普查记录。"),
]


# The app shell's own words (templates/pwa/shell.html), by key. The service worker keeps the
# shell in the language it was first fetched in; the app puts these back in the user's.
SHELL = {
    "brand": N_("入户"),
    "insecure": N_("当前连接不安全（不是 HTTPS），无法离线使用。请联系管理员为本系统启用 HTTPS。"),
    "start_failed": N_("应用没能启动。请刷新页面；如果仍然不行，请联系管理员。已保存的记录不会丢失。"),
    "sign_in": N_("请先登录（需要网络）。"),
    "loading": N_("正在加载……"),
}


def _text(message_id: str, params: dict | None = None) -> str:
    translated = gettext(message_id)
    if not params:
        return translated.replace("%%", "%")
    shown = {key: format_yuan(value) if key in MONEY_PARAMS and isinstance(value, int)
             else format_list(value, locale=get_locale()) if isinstance(value, list) else value
             for key, value in params.items()}
    return translated % shown


def issue_message(issue: dict) -> str:
    if issue["code"] == "id_in_other_household" and "households" not in issue["params"]:
        return _text(UNNAMED_OTHER_HOUSEHOLD)
    return _text(ISSUES[issue["code"]], issue["params"])


def flag_message(flag: dict, labels: dict[str, str]) -> str:
    """``labels`` names guarantees and event types in the user's language."""
    params = dict(flag["params"])
    if "guarantee" in params:
        params["guarantee"] = labels.get(params["guarantee"], params["guarantee"])
    if "types" in params:
        params["types"] = "、".join(labels.get(kind, kind) for kind in params["types"])
    if params.get("growth_rate") is None and "growth_rate" in params:
        params["growth_rate"] = _text(LINES["not_applicable"])
    return _text(FLAGS[flag["code"]], params)


def for_client() -> dict:
    """Every template the phone needs, translated for the current request's language."""
    return {
        "issues": {code: gettext(message) for code, message in ISSUES.items()},
        "flags": {code: gettext(message) for code, message in FLAGS.items()},
        "lines": {code: gettext(message) for code, message in LINES.items()},
        "suggestions": {"category": gettext(CATEGORY_SUGGESTION), "risks": gettext(RISK_SUGGESTION)},
        "ui": {text: gettext(text) for text in CLIENT},
        "shell": {key: gettext(text) for key, text in SHELL.items()},
        "money_params": sorted(MONEY_PARAMS),
    }
