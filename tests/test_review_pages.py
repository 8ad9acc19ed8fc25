"""The village review queue and record pages: each queue shows only its own area, filters
and keyset pages, the record with everything a reviewer weighs, actions that answer 409
instead of overwriting, bulk approval of clean records only, one event per transition."""
import copy
import datetime as dt
import re
import uuid

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.campaigns.models import Campaign
from app.census import definitions, messages
from app.census import services as census
from app.extensions import db
from app.records.models import ReviewEvent, Submission, SubmissionRevision
from tests import factories
from tests.sync_setup import another_household, answers, assign_to, count, field, push, record

FLAGGED_WAGE = "10000"  # 5,000 yuan a head: below the 8,700 threshold


def sign_in(app, username):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


def unexplained(household):
    """A record whose head has no medical insurance (a warning) and no explanation of it."""
    built = answers(household)
    built["members"][0]["residents_medical_insurance"] = False
    built["guarantees"].update(basic_medical=False, basic_medical_note="户主未参保，正在补办")  # as it must then say
    return built


def explained(household):
    built = unexplained(household)
    built["explanations"] = {"members[0].residents_medical_insurance|medical_insurance_none": "在外省参加职工医保"}
    return built


def flagged(household):
    built = answers(household)
    built["income"] = {"wage_migrant": FLAGGED_WAGE}
    return built


@pytest.fixture
def world(county, app):
    """Village A: A-1 (group A1, flagged) and A-2 (clean) sent by the enumerator; village B:
    B-1 (clean) sent by another enumerator. Reviewers for A and B, the township and the county."""
    built = field(county)
    assign_to(built, built.other, factories.user("enum_b", "enumerator", [county.village_b]))
    built.enumerator_client = sign_in(app, "enum")
    built.records = {"A-1": record(built, built.household, flagged(built.household)),
                     "A-2": record(built, built.second)}
    push(built.enumerator_client, built.records["A-1"], built.records["A-2"])
    built.records["B-1"] = record(built, built.other)
    push(sign_in(app, "enum_b"), built.records["B-1"])
    for username, role, area in (("reviewer_a", "village_reviewer", county.village_a),
                                 ("reviewer_b", "village_reviewer", county.village_b),
                                 ("township", "township_approver", county.township_1),
                                 ("admin", "county_admin", county.county)):
        factories.user(username, role, [area])
    built.reviewer = sign_in(app, "reviewer_a")
    return built


def record_id(world, number):
    return world.records[number]["id"]


def version(world, number):
    db.session.expire_all()
    return db.session.get(Submission, record_id(world, number)).version


def status(world, number):
    db.session.expire_all()
    return db.session.get(Submission, record_id(world, number)).status


def listed(page) -> list[str]:
    """Household numbers in the queue table, in order."""
    return re.findall(r'<a href="/review/records/[^"]+">([^<]+)</a>', page)


def events(world, number=None) -> list[tuple[str, str, str]]:
    db.session.expire_all()
    query = select(ReviewEvent).order_by(ReviewEvent.id)
    if number:
        query = query.where(ReviewEvent.submission_id == record_id(world, number))
    return [(event.action, event.from_state, event.to_state) for event in db.session.scalars(query)]


def page(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# --- who sees what ---------------------------------------------------------------------------

def test_each_reviewer_sees_only_their_village(world, app):
    assert sorted(listed(page(world.reviewer, "/review/"))) == ["A-1", "A-2"]
    assert listed(page(sign_in(app, "reviewer_b"), "/review/")) == ["B-1"]
    assert sorted(listed(page(sign_in(app, "township"), "/review/"))) == ["A-1", "A-2", "B-1"]
    assert sorted(listed(page(sign_in(app, "admin"), "/review/"))) == ["A-1", "A-2", "B-1"]


def test_another_village_answers_404_by_detail_action_and_api(world):
    other = record_id(world, "B-1")
    assert world.reviewer.get(f"/review/records/{other}").status_code == 404
    for action, data in (("approve", {}), ("return", {"comment:household.phone": "x"}), ("reopen", {"reason": "x"})):
        assert world.reviewer.post(f"/review/records/{other}/{action}", data={"version": 1, **data}).status_code == 404
    assert world.reviewer.post(f"/api/review/records/{other}/approve", json={"version": 1}).status_code == 404
    world.reviewer.post("/review/bulk-approve", data={"record": f"{other}:1"})
    assert status(world, "B-1") == "submitted"
    assert events(world) == []


def test_a_version_that_is_not_ascii_digits_is_a_bad_request_not_a_500(world):
    """str.isdigit() accepts "²", which int() then refuses."""
    for version in ("²", "١"):
        response = world.reviewer.post("/review/bulk-approve", data={"record": f"{record_id(world, 'A-2')}:{version}"})
        assert response.status_code == 400
    assert status(world, "A-2") == "submitted" and events(world) == []


def test_roles_without_the_queue_or_the_action_answer_403(world, app):
    assert world.enumerator_client.get("/review/").status_code == 403
    assert world.enumerator_client.get(f"/review/records/{record_id(world, 'A-2')}").status_code == 403
    township = sign_in(app, "township")
    assert township.post(f"/review/records/{record_id(world, 'A-2')}/approve", data={"version": 1}).status_code == 403
    assert township.post("/review/bulk-approve", data={"record": f"{record_id(world, 'A-2')}:1"}).status_code == 403
    assert events(world) == []


def test_the_township_reads_without_review_buttons_and_the_reviewer_gets_them(world, app):
    url = f"/review/records/{record_id(world, 'A-2')}"
    assert "/approve" not in page(sign_in(app, "township"), url)
    assert 'name="record"' not in page(sign_in(app, "township"), "/review/")
    assert "/approve" in page(world.reviewer, url) and "/return" in page(world.reviewer, url)


# --- the queue -------------------------------------------------------------------------------

def options(text, select_id) -> list[str]:
    if f'<select id="{select_id}"' not in text:
        return []
    select_element = text[text.index(f'<select id="{select_id}"'):]
    return re.findall(r'<option value="(\d+)"', select_element[:select_element.index("</select>")])


def enumerator_options(text) -> list[str]:
    return options(text, "enumerator")


def test_a_county_narrows_the_queue_to_a_village_then_to_its_groups(world, app):
    county, admin = world.county, sign_in(app, "admin")
    everything = page(admin, "/review/")
    villages = (county.village_a, county.village_b, county.village_c)
    assert options(everything, "village") == [str(village.id) for village in villages]
    assert options(everything, "group") == []  # no county-wide list of every group
    village_a = page(admin, f"/review/?village={county.village_a.id}")
    assert listed(village_a) == ["A-1", "A-2"] and "全部 2" in village_a
    assert options(village_a, "group") == [str(county.group_a1.id), str(county.group_a2.id)]
    assert f'<option value="{county.village_a.id}" selected>' in village_a
    assert listed(page(admin, f"/review/?village={county.village_a.id}&group={county.group_a1.id}")) == ["A-1"]
    village_b = page(admin, f"/review/?village={county.village_b.id}")
    assert listed(village_b) == ["B-1"] and "全部 1" in village_b
    # A village reviewer has one village: no village to choose, its groups at once.
    own = page(world.reviewer, "/review/")
    assert options(own, "village") == [] and str(county.group_a1.id) in options(own, "group")
    # A filter naming an area outside the user's scope answers as a record there would: 404.
    assert world.reviewer.get(f"/review/?village={county.village_b.id}").status_code == 404
    assert world.reviewer.get(f"/review/?group={county.group_a1.id}").status_code == 200
    for bad in (f"village={county.group_a1.id}", "village=" + "9" * 40, "group=" + "9" * 40, "village=abc"):
        assert world.reviewer.get(f"/review/?{bad}").status_code == 404, bad
    for ignored in ("enumerator=" + "9" * 40, "after=" + "9" * 40, "village="):
        assert world.reviewer.get(f"/review/?{ignored}").status_code == 200, ignored


def test_the_enumerator_choices_are_those_who_sent_records_here(world, app):
    enum_b = db.session.scalar(select(User).where(User.username == "enum_b"))
    assert enumerator_options(page(world.reviewer, "/review/")) == [str(world.enumerator.id)]
    assert enumerator_options(page(sign_in(app, "reviewer_b"), "/review/")) == [str(enum_b.id)]
    county_page = page(sign_in(app, "admin"), f"/review/?enumerator={enum_b.id}")
    assert sorted(enumerator_options(county_page)) == sorted([str(world.enumerator.id), str(enum_b.id)])
    assert listed(county_page) == ["B-1"] and "全部 1" in county_page and "待审核 1" in county_page


def test_filters_and_counts(world, app):
    assert "待审核 2" in page(world.reviewer, "/review/")  # stored now; the approval must have them counted again
    world.reviewer.post(f"/review/records/{record_id(world, 'A-2')}/approve", data={"version": 1})
    assert listed(page(world.reviewer, "/review/?status=approved")) == ["A-2"]
    assert listed(page(world.reviewer, "/review/?status=submitted")) == ["A-1"]
    assert listed(page(world.reviewer, f"/review/?group={world.county.group_a1.id}")) == ["A-1"]
    assert listed(page(world.reviewer, "/review/?flagged=1")) == ["A-1"]
    assert listed(page(world.reviewer, "/review/?unexplained=1")) == []
    enumerator_id = world.enumerator.id
    assert sorted(listed(page(world.reviewer, f"/review/?enumerator={enumerator_id}"))) == ["A-1", "A-2"]
    text = page(world.reviewer, "/review/?status=approved")
    assert "全部 2" in text and "待审核 1" in text and "已通过 1" in text and "已退回 0" in text
    assert "待审核 1" in page(world.reviewer, "/review/?flagged=1") and "已通过 0" in page(world.reviewer, "/review/?flagged=1")


def test_unexplained_warnings_are_counted_and_filtered(county, app):
    built = field(county)
    enumerator = sign_in(app, "enum")
    push(enumerator, record(built, built.household, unexplained(built.household)),
         record(built, built.second, explained(built.second)))
    factories.user("reviewer_a", "village_reviewer", [county.village_a])
    reviewer = sign_in(app, "reviewer_a")
    filtered = page(reviewer, "/review/?unexplained=1")
    assert listed(filtered) == ["A-1"] and "全部 1" in filtered
    assert sorted(listed(page(reviewer, "/review/"))) == ["A-1", "A-2"]


def test_keyset_pages_follow_the_next_link(world, monkeypatch):
    from app.review import queries

    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    push(world.enumerator_client, record(world, another_household(world, "A-0")))  # received last, numbered first
    first = page(world.reviewer, "/review/?status=submitted")
    assert listed(first) == ["A-1", "A-2"]
    next_url = re.search(r'<a rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "after=" in next_url and "status=submitted" in next_url
    second = page(world.reviewer, next_url)
    assert listed(second) == ["A-0"] and 'rel="next"' not in second


# --- the record ------------------------------------------------------------------------------

def test_the_record_shows_answers_income_flags_and_warnings(county, app):
    built = field(county)
    enumerator = sign_in(app, "enum")
    sent = record(built, built.household, explained(built.household))
    sent["answers"]["income"]["wage_migrant"] = FLAGGED_WAGE
    sent["answers"]["income"]["business_crops"] = "2500"
    sent["client_result"] = record(built, built.household, sent["answers"])["client_result"]
    push(enumerator, sent)
    factories.user("reviewer_a", "village_reviewer", [county.village_a])
    text = page(sign_in(app, "reviewer_a"), f"/review/records/{sent['id']}")
    assert "王五" in text and "李梅" in text and "汉族" in text  # members as a table, codes as labels
    assert "外出务工收入" in text and "10,000.00" in text and "种植业收入" in text and "12,500.00" in text
    assert "人均纯收入 6,250.00 元，不高于监测范围 8,700.00 元。" in text
    assert "建议类别：边缘易致贫户" in text
    assert "未参加基本医疗保险，请说明。" in text and "在外省参加职工医保" in text
    assert "家庭成员 1 · 城乡居民基本医疗保险" in text
    assert "手机与服务器结果不一致" not in text


def test_the_record_shows_the_result_mismatch_side_by_side(world, app):
    sent = record(world, another_household(world, "A-3"))
    sent["client_result"]["income"]["per_capita_net_income"] = 100
    push(world.enumerator_client, sent)
    text = page(world.reviewer, f"/review/records/{sent['id']}")
    assert "手机与服务器结果不一致" in text and "1.00" in text and "18,000.00" in text


def test_the_record_shows_the_diff_against_the_previous_revision_and_conflicts(world):
    number = "A-2"
    world.reviewer.post(f"/review/records/{record_id(world, number)}/return",
                        data={"version": 1, "comment:household.phone": "号码不对"})
    sent = world.records[number]
    corrected = copy.deepcopy(sent)
    corrected.update(base_revision=1)
    corrected["answers"]["household"]["phone"] = "13800000000"
    assert push(world.enumerator_client, corrected).get_json()["results"][0]["result"] == "created"
    stray = copy.deepcopy(corrected)
    stray["answers"]["income"]["wage_migrant"] = "40000"
    assert push(world.enumerator_client, stray).get_json()["results"][0]["result"] == "conflict"
    text = page(world.reviewer, f"/review/records/{sent['id']}")
    assert "与上一修订的差异" in text
    assert re.search(r"家庭基本情况 · 联系电话.*?<td[^>]*>13912345678</td><td[^>]*>13800000000</td>", text, re.S)
    assert re.search(r"同步冲突.*?家庭收入（元） · 外出务工收入.*?<td[^>]*>36000</td><td[^>]*>40000</td>", text, re.S)
    assert "号码不对" in text and "重新提交" in text


def test_the_record_shows_last_year_beside_this_year(world, app):
    last = Campaign(name="2025", year=2025, form_version=definitions.DEFAULT_VERSION)
    db.session.add(last)
    db.session.commit()
    old_answers = answers(world.second)
    old_answers["income"] = {"wage_migrant": "30000"}
    result = census.evaluate(world.second, last, old_answers, definitions.get(last.form_version))
    db.session.add(Submission(id=str(uuid.uuid4()), household=world.second, campaign_id=last.id, enumerator=world.enumerator,
                              revision=1, status="approved", revisions=[SubmissionRevision(
                                  number=1, answers=old_answers, content_sha256="0" * 64,
                                  form_version=last.form_version, server_result=result,
                                  enumerator_id=world.enumerator.id)]))
    db.session.commit()
    text = page(world.reviewer, f"/review/records/{record_id(world, 'A-2')}")
    # 18,000 this year against 15,000 a head last year: +20.00 %
    assert re.search(r"人均纯收入</th><td class=\"num\"[^>]*>18,000.00</td><td class=\"num\"[^>]*>15,000.00</td>\s*"
                     r"<td class=\"num\"[^>]*>20.00%</td>", text)
    assert "该户没有往年已通过的记录。" in page(world.reviewer, f"/review/records/{record_id(world, 'A-1')}")


def test_the_return_form_lists_problem_fields_first(world):
    text = page(world.reviewer, f"/review/records/{record_id(world, 'A-1')}")
    fields = re.findall(r'name="comment:([^"]+)"', text)
    assert fields[0] == "income" and "household.phone" in fields and "members[1].name" in fields
    assert len(fields) == len(set(fields))


# --- actions ---------------------------------------------------------------------------------

def test_return_with_field_comments_reaches_the_phone(world):
    response = world.reviewer.post(f"/review/records/{record_id(world, 'A-1')}/return", data={
        "version": 1, "comment:income": "收入偏低，请核实", "comment:members[1].name": "", "comment:household.phone": "请核对"})
    assert response.status_code == 302 and response.headers["Location"] == "/review/"
    assert "已退回 A-1 户的记录。" in page(world.reviewer, "/review/")
    [sent] = [item for item in world.enumerator_client.get("/api/sync/records").get_json()["records"]
              if item["id"] == record_id(world, "A-1")]
    assert sent["status"] == "returned"
    assert sorted((c["path"], c["text"]) for c in sent["comments"]) == [("household.phone", "请核对"),
                                                                        ("income", "收入偏低，请核实")]
    assert events(world, "A-1") == [("return", "submitted", "returned")]


def test_return_without_a_comment_answers_422_and_changes_nothing(world):
    response = world.reviewer.post(f"/review/records/{record_id(world, 'A-1')}/return",
                                   data={"version": 1, "comment:income": "  "})
    assert response.status_code == 422
    assert "退回或重新打开记录时必须写明原因。" in response.get_data(as_text=True)
    assert status(world, "A-1") == "submitted" and events(world) == []


def test_the_second_reviewer_on_a_stale_version_gets_409(world, app):
    second = sign_in(app, "reviewer_a")
    url = f"/review/records/{record_id(world, 'A-2')}"
    assert world.reviewer.post(f"{url}/approve", data={"version": 1}).status_code == 302
    response = second.post(f"{url}/return", data={"version": 1, "comment:household.phone": "请核对"})
    assert response.status_code == 409
    assert "该记录已被他人修改，请刷新后重试。" in response.get_data(as_text=True)
    assert status(world, "A-2") == "approved" and events(world) == [("approve", "submitted", "approved")]


def test_an_illegal_transition_answers_409(world):
    url = f"/review/records/{record_id(world, 'A-2')}"
    world.reviewer.post(f"{url}/approve", data={"version": 1})
    response = world.reviewer.post(f"{url}/approve", data={"version": version(world, "A-2")})
    assert response.status_code == 409
    assert "该记录当前的状态不允许此操作，请刷新后查看。" in response.get_data(as_text=True)
    assert len(events(world)) == 1


def test_the_township_reopens_with_a_reason(world, app):
    url = f"/review/records/{record_id(world, 'A-2')}"
    world.reviewer.post(f"{url}/approve", data={"version": 1})
    township = sign_in(app, "township")
    assert "/reopen" in page(township, url)
    assert township.post(f"{url}/reopen", data={"version": 2, "reason": " "}).status_code == 422
    assert township.post(f"{url}/reopen", data={"version": 2, "reason": "收入漏报"}).status_code == 302
    assert status(world, "A-2") == "submitted"
    assert events(world, "A-2") == [("approve", "submitted", "approved"), ("reopen", "approved", "submitted")]
    assert "收入漏报" in page(world.reviewer, url)


def test_bulk_approve_only_clean_records_one_event_each(world):
    third = another_household(world, "A-3")
    unexplained_record = record(world, third, unexplained(third))
    push(world.enumerator_client, unexplained_record)
    world.records["A-3 unexplained"] = unexplained_record
    selected = [f"{record_id(world, number)}:{version(world, number)}" for number in ("A-1", "A-2", "A-3 unexplained")]
    response = world.reviewer.post("/review/bulk-approve", data={"record": selected})
    assert response.status_code == 302
    text = page(world.reviewer, "/review/")
    assert "已通过 1 条记录。" in text
    assert "A-1 户未通过，请逐条审核：有风险标记。" in text
    # Its head has no medical insurance: a warning nobody explained, and basic medical care not
    # secured (a flag), as the 3+1 answer must then say.
    assert "A-3 户未通过，请逐条审核：有未说明的提醒和有风险标记。" in text
    assert (status(world, "A-2"), status(world, "A-1"), status(world, "A-3 unexplained")) == \
        ("approved", "submitted", "submitted")
    assert events(world) == [("approve", "submitted", "approved")]


def test_bulk_approve_leaves_a_record_changed_since_it_was_listed(world):
    listed_version = version(world, "A-2")
    world.reviewer.post(f"/review/records/{record_id(world, 'A-2')}/return",
                        data={"version": listed_version, "comment:household.phone": "请核对"})
    world.reviewer.post("/review/bulk-approve", data={"record": f"{record_id(world, 'A-2')}:{listed_version}"})
    assert "A-2 户未通过，请逐条审核：已被他人修改。" in page(world.reviewer, "/review/")
    assert status(world, "A-2") == "returned" and count(ReviewEvent) == 1


def test_every_flag_has_a_short_label():
    assert set(messages.FLAG_LABELS) == set(messages.FLAGS)


def test_times_are_shown_in_the_countys_time_zone_as_each_language_writes_them(world, app):
    """Stored in UTC; 18:30 UTC on 1 July is 02:30 on 2 July in Asia/Shanghai."""
    revision = db.session.scalar(select(SubmissionRevision).where(
        SubmissionRevision.submission_id == record_id(world, "A-2")))
    revision.received_at = dt.datetime(2025, 7, 1, 18, 30, tzinfo=dt.UTC)  # another year: shown with it
    db.session.commit()
    assert "2025年7月2日 02:30" in page(world.reviewer, "/review/")
    assert "2025年7月2日 02:30" in page(world.reviewer, f"/review/records/{record_id(world, 'A-2')}")
    world.reviewer.post("/locale", data={"locale": "en"})
    assert "Jul 2, 2025 02:30" in page(world.reviewer, "/review/")


def test_the_queue_keeps_its_filters_after_approve_and_return(world):
    """The record is opened from a filtered queue; acting on it comes back to that queue."""
    filters = f"status=submitted&village={world.county.village_a.id}&flagged=1"
    queue = page(world.reviewer, f"/review/?{filters}")
    link = re.search(r'href="(/review/records/[^"]+)"', queue).group(1).replace("&amp;", "&")
    assert "back=" in link
    record = page(world.reviewer, link)
    back = re.search(r'name="back" value="([^"]*)"', record).group(1).replace("&amp;", "&")
    assert back == filters
    assert re.search(r'<a href="/review/\?status=submitted&amp;village=\d+&amp;flagged=1">返回审核列表', record)
    returned = world.reviewer.post(f"/review/records/{record_id(world, 'A-1')}/return", data={
        "version": version(world, "A-1"), "comment:income": "请核实", "back": back})
    assert returned.status_code == 302 and returned.location == f"/review/?{filters}"
    approved = world.reviewer.post(f"/review/records/{record_id(world, 'A-2')}/approve",
                                   data={"version": version(world, "A-2"), "back": "status=submitted&next=//evil"})
    assert approved.location == "/review/?status=submitted"  # only the queue's own arguments come back


def test_the_record_offers_comments_by_field_name_and_approve_beside_return(world, app):
    text = page(world.reviewer, f"/review/records/{record_id(world, 'A-1')}")
    assert 'data-comment="household.phone"' in text  # the field a tap comments on
    assert 'aria-label="对“家庭基本情况 · 联系电话”写意见"' in text
    assert '<small class="muted">household.phone</small>' not in text  # no internal path in the form
    bar = text[text.index('class="review-bar"'):]
    assert '>通过</button>' in bar and 'form="return-form"' in bar and "data-confirm=" in bar
    # The township may only read a record waiting for the village: no bar, no comment buttons.
    township = page(sign_in(app, "township"), f"/review/records/{record_id(world, 'A-1')}")
    assert "review-bar" not in township and "comment-on" not in township
