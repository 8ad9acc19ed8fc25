"""Chinese is the default; English is complete.

Two checks: every message in the sources has an English translation in the catalog, and
every page, rendered in English for a user who may see it, shows no Chinese text but what
is marked lang="zh-Hans" on purpose (the language switch names Chinese in Chinese, as
language pickers do; roster column names are what the file must say).
"""
import datetime as dt
import re
import uuid
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from sqlalchemy import select

from app import clock
from app.audits.models import AuditRound, AuditSample
from app.campaigns.models import Campaign
from app.census import definitions
from app.census import services as census_services
from app.clues.models import Clue
from app.extensions import db
from app.monitoring.models import Proposal
from app.records.models import Submission, SubmissionRevision
from tests import clue_setup, factories

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "_l": None, "N_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
HAN = re.compile(r"[\u3400-\u9fff]")
# Text marked as Chinese on purpose: the language switch, and data such as the column names
# a roster file must carry.
MARKED_CHINESE = re.compile(r'<(\w+)[^>]*\blang="zh-Hans"[^>]*>.*?</\1>', re.S)


def source_messages() -> set[str]:
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for directory in ("app", "templates", "static"):
        for _, _, message, _, _ in extract_from_dir(ROOT / directory, method_map=[
            (pattern.split("/", 1)[1] if pattern.startswith(f"{directory}/") else pattern, method)
            for pattern, method in method_map
        ], options_map=options_map, keywords=KEYWORDS):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_message_has_an_english_translation():
    with open(CATALOG, "rb") as file:
        catalog = read_po(file, locale="en")
    untranslated = []
    for message_id in sorted(source_messages()):
        message = catalog.get(message_id)
        strings = message.string if message and isinstance(message.string, tuple) else (message.string if message else "",)
        if message is None or not all(strings) or message.fuzzy:
            untranslated.append(message_id)
    assert untranslated == [], "run `make translations` and translate: " + ", ".join(untranslated)


def test_a_message_follows_the_locale_in_force_within_one_request(app):
    """The translations are found by the locale in force at each call (app.extensions._Domain),
    so a part of a page or file made in another language (force_locale) gets that language's
    messages, and the request's own language after it."""
    from flask import render_template_string, session
    from flask_babel import force_locale, gettext

    with app.test_request_context("/"):
        page = "{{ _('户编号') }}"
        assert (gettext("户编号"), render_template_string(page)) == ("户编号", "户编号")
        with force_locale("en"):
            assert (gettext("户编号"), render_template_string(page)) == ("Household number", "Household number")
        assert gettext("户编号") == "户编号"
    with app.test_request_context("/"):
        session["locale_choice"] = "en"  # a visitor who chose English
        assert gettext("户编号") == "Household number"


def test_english_uses_english_punctuation():
    """No full-width colon, comma, semicolon, full stop or bracket in an English message."""
    with open(CATALOG, "rb") as file:
        catalog = read_po(file, locale="en")
    full_width = re.compile("[：，；。（）]")
    wrong = [message.id for message in catalog if message.id
             for string in (message.string if isinstance(message.string, tuple) else (message.string,))
             if full_width.search(string or "")]
    assert wrong == []


# Every page a signed-in person can open, with the role that opens it and how to build its URL
# from the `world` fixture. A new page must be added here (test_every_page_is_listed).
PAGES = {
    "auth.login": (None, lambda w: "/login"),
    "auth.change_password": ("enumerator", lambda w: "/account/password"),
    "main.home": ("enumerator", lambda w: "/"),
    "households.index": ("enumerator", lambda w: "/households/"),
    "households.detail": ("enumerator", lambda w: f"/households/{w.household.id}"),
    "admin.index": ("county_admin", lambda w: "/admin/"),
    "admin.areas": ("county_admin", lambda w: "/admin/areas"),
    "admin.users": ("county_admin", lambda w: "/admin/users"),
    "admin.create_user": ("county_admin", lambda w: "/admin/users/new"),
    "admin.edit_user": ("county_admin", lambda w: f"/admin/users/{w.collector.id}"),
    "admin.campaigns": ("county_admin", lambda w: "/admin/campaigns"),
    "admin.create_campaign": ("county_admin", lambda w: "/admin/campaigns/new"),
    "admin.campaign": ("county_admin", lambda w: f"/admin/campaigns/{w.campaign.id}"),
    "admin.edit_campaign": ("county_admin", lambda w: f"/admin/campaigns/{w.campaign.id}/edit"),
    "admin.assignments": ("county_admin", lambda w: "/admin/assignments"),
    "roster.upload": ("county_admin", lambda w: "/admin/roster/"),
    "census.definitions_page": ("county_admin", lambda w: "/admin/forms"),
    "pwa.shell": ("enumerator", lambda w: "/app"),
    "review.queue": ("village_reviewer", lambda w: "/review/"),
    "review.record": ("village_reviewer", lambda w: f"/review/records/{w.record.id}"),
    "monitoring.index": ("township_approver", lambda w: "/monitoring/"),
    "monitoring.assessment": ("village_reviewer", lambda w: "/monitoring/assessment"),
    "monitoring.assess": ("village_reviewer", lambda w: f"/monitoring/assessment/{w.record.id}"),
    "monitoring.clue": ("village_reviewer", lambda w: f"/monitoring/households/{w.household.id}/propose"),
    "monitoring.proposal": ("village_reviewer", lambda w: f"/monitoring/proposals/{w.proposal.id}"),
    "monitoring.queue": ("township_approver", lambda w: "/monitoring/queue"),
    "monitoring.notice": ("village_reviewer", lambda w: "/monitoring/notice"),
    "monitoring.register": ("county_approver", lambda w: "/monitoring/register"),
    "monitoring.household": ("village_reviewer", lambda w: f"/monitoring/households/{w.household.id}"),
    "reports.dashboard_top": ("township_approver", lambda w: "/reports/"),
    "reports.dashboard_area": ("county_approver", lambda w: f"/reports/areas/{w.county.village_a.id}"),
    "exports.index": ("village_reviewer", lambda w: "/reports/exports"),
    "visits.overdue": ("county_admin", lambda w: "/visits/"),
    "visits.household": ("county_admin", lambda w: f"/visits/households/{w.household.id}"),
    "cadres.index": ("county_admin", lambda w: "/admin/cadres/"),
    "audits.index": ("county_admin", lambda w: "/audits/"),
    "audits.round_page": ("county_admin", lambda w: f"/audits/rounds/{_audit_round(w)}"),
    "clues.index": ("county_admin", lambda w: "/clues/"),
    "clues.upload": ("county_admin", lambda w: "/clues/upload"),
    "clues.clue": ("village_reviewer", lambda w: f"/clues/{w.clue.id}"),
    # Building these URLs makes a finished export of the signed-in user for the pages to show.
    "jobs.mine": ("village_reviewer", lambda w: f"/jobs?made={_export_job('village_reviewer')}"),
    "jobs.show": ("village_reviewer", lambda w: f"/jobs/{_export_job('village_reviewer')}"),
}


def _audit_round(world) -> int:
    """A round with the world's household drawn and found inconsistent."""
    audit_round = AuditRound(county_id=world.county.county.id, population="approved", period_start=dt.date(2026, 1, 1),
                             period_end=dt.date(2026, 6, 30), share=Decimal("0.2"), seed=7, population_households=1)
    audit_round.samples.append(AuditSample(household_id=world.household.id, township_id=world.county.township_1.id,
                                           persons=2, outcome="discrepancy"))
    db.session.add(audit_round)
    db.session.commit()
    return audit_round.id
# Not pages: static files, the health check, JSON downloads, the form bundle (its messages are
# checked in tests/test_census_api.py) and the sync API (JSON; tests/test_sync_*.py).
NOT_PAGES = {"static", "main.healthz", "main.favicon", "census.form_bundle", "census.download_definition", "sync.session",
             "sync.households", "sync.records", "sync.attachment_status", "pwa.manifest", "pwa.service_worker",
             "monitoring.notice_csv", "exports.households", "exports.members", "exports.register", "exports.answers",
             "visits.export", "clues.feedback", "clues.photo", "tasks.tasks", "sync.household_forms",
             "jobs.status", "jobs.download"}


# The area each role's test user covers.
ROLE_AREA = {"enumerator": "village_a", "village_reviewer": "village_a", "township_approver": "township_1",
             "county_approver": "county", "county_admin": "county"}


def _export_job(username: str) -> int:
    """A finished export of the signed-in user (jobs run as they are asked for in tests)."""
    from app.auth.models import User
    from app.jobs import services as jobs
    from app.reports.jobs import EXPORT_JOB, export_params

    user = db.session.scalar(db.select(User).where(User.username == username))
    return jobs.ask(EXPORT_JOB, user, export_params("members", "xlsx", "en", None)).id


@pytest.fixture
def world(county):
    return page_world(county)


def page_world(county) -> SimpleNamespace:
    """What the pages need to exist; ASCII names, so any Chinese on an English page is ours."""
    household = factories.household(county.village_a, "A-0001", group=county.group_a1)
    campaign = Campaign(name="Census 2026", year=2026, form_version="2026.1")
    db.session.add(campaign)
    db.session.commit()
    collector = factories.user("collector", "enumerator", [county.village_a])
    record, proposal = _monitoring(household, campaign, collector)
    return SimpleNamespace(county=county, household=household, campaign=campaign, collector=collector, record=record,
                           proposal=proposal, clue=_clue(county, household))


def _clue(county, household) -> Clue:
    """A department's warning about the household's head, made a clue by the import."""
    admin = clue_setup.county_admin(county)
    head = household.ordered_members[0]
    clue_setup.run(admin, clue_setup.csv_bytes([[head.id_number, head.name, "high costs", "2026-06-03", "10", ""]]),
                   name="warnings.csv")
    return db.session.scalar(select(Clue))


def _monitoring(household, campaign, collector):
    """An approved record of the household whose housing check failed, and a proposal for it
    that went through appraisal and notice (so the pages show their evidence)."""
    answers = census_services.prefill(household, clock.today())
    answers["guarantees"] = {"housing": False}
    result = census_services.evaluate(household, campaign, answers, definitions.get(campaign.form_version))
    record = Submission(id=str(uuid.uuid4()), household=household, campaign_id=campaign.id, enumerator=collector,
                        revision=1, status="approved", revisions=[SubmissionRevision(
                            number=1, answers=answers, content_sha256="0" * 64, form_version=campaign.form_version,
                            server_result=result, enumerator_id=collector.id)])
    proposal = Proposal(household=household, campaign=campaign, kind="identification", channel="visit_screening",
                        category="marginal", risk_types=["10"], note="Unsafe house", state="awaiting_township",
                        clue_date=clock.today(), appraisal_date=clock.today(), notice_start=clock.today(),
                        source_submission=record, created_by_id=collector.id)
    db.session.add_all([record, proposal])
    db.session.commit()
    return record, proposal


def skipped_heading_levels(page: str) -> list[str]:
    """Headings that go more than one level deeper than the one before them (h1 then h3), as
    Lighthouse's heading-order audit counts them: a screen reader's outline has a hole there."""
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", page)]
    return [f"h{before} then h{after}" for before, after in zip(levels, levels[1:]) if after > before + 1]


def test_every_page_is_listed(app):
    get_endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert get_endpoints - NOT_PAGES - set(PAGES) == set()


@pytest.mark.parametrize("endpoint", sorted(PAGES))
@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_page_renders_in_both_languages(app, client, world, endpoint, locale):
    role, url = PAGES[endpoint]
    if role:
        user = factories.user(role, role, [getattr(world.county, ROLE_AREA[role])], locale=locale)
        client.post("/login", data={"username": user.username, "password": factories.PASSWORD})
    else:
        client.post("/locale", data={"locale": locale})
    response = client.get(url(world))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert skipped_heading_levels(page) == [], f"a heading skips a level on {endpoint}"
    if locale == "en":
        assert '<html lang="en">' in page
        leftover = HAN.findall(MARKED_CHINESE.sub("", re.split(r"<body[^>]*>", page, maxsplit=1)[1]))
        assert not leftover, f"untranslated text on {endpoint}: {''.join(leftover)[:80]}"
        text = re.sub(r"<[^>]+>", " ", MARKED_CHINESE.sub("", re.split(r"<body[^>]*>", page, maxsplit=1)[1]))
        punctuation = re.findall(r".{0,20}[：，；。（）、].{0,20}", text)
        assert not punctuation, f"Chinese punctuation in English on {endpoint}: {punctuation[:3]}"
    else:
        assert '<html lang="zh-Hans">' in page


def test_a_clue_waiting_for_verification_is_not_said_to_be_unaudited(app):
    """One Chinese message carried two meanings (a clue waiting for its 核查, and an audit
    sample not yet audited), so English said a clue was "Not yet audited"."""
    from flask import session
    from flask_babel import gettext

    from app.clues import workflow as clue_workflow
    from app.codes import AUDIT_OUTCOME

    with app.test_request_context("/"):
        session["locale_choice"] = "en"
        assert gettext(clue_workflow.STATE_LABELS["assigned"]) == "Waiting for verification"
        assert AUDIT_OUTCOME.label("pending") == "Not yet audited"
