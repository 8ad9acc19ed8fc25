"""Pages offer only what is allowed now (issue 15): a step that waits for the public notice is
shown disabled with the day it opens, as the workflow says; a refused step answers with a page
in the product's layout and the way back; irreversible steps ask first."""
import datetime as dt
import re

import pytest

from app import clock
from app.monitoring import services
from tests.monitoring_setup import fresh, lifecycle, propose, signed_in


@pytest.fixture
def noticed(county, app):
    """A-1's identification, on notice since ``start`` for the campaign's 5 days."""
    def on_notice(start: dt.date):
        built = lifecycle(county, app)
        proposal = propose(built, clue_date=start, today=start)
        for action in ("appraise", "start_notice"):
            services.act(built.reviewer, proposal, action, proposal.version, on_date=start, today=start)
        return built, fresh(proposal)
    return on_notice


def submit_button(text: str) -> str:
    return re.search(r'<button[^>]*>报送乡镇审核</button>', text).group(0)


def test_submitting_waits_for_the_notice_and_says_when(noticed, app):
    built, proposal = noticed(clock.today())
    text = signed_in(app, built.reviewer).get(f"/monitoring/proposals/{proposal.id}").get_data(as_text=True)
    assert "disabled" in submit_button(text)
    earliest = (clock.today() + dt.timedelta(days=5)).isoformat()
    assert re.search(rf'id="submit-not-yet">公示期未满：.*{earliest} 起才能报送。', text)


def test_submitting_is_offered_once_the_notice_has_run(noticed, app):
    built, proposal = noticed(clock.today() - dt.timedelta(days=5))
    text = signed_in(app, built.reviewer).get(f"/monitoring/proposals/{proposal.id}").get_data(as_text=True)
    assert "disabled" not in submit_button(text) and "submit-not-yet" not in text


def test_a_refused_step_says_why_in_the_products_layout_with_the_way_back(noticed, app):
    built, proposal = noticed(clock.today())
    response = signed_in(app, built.reviewer).post(f"/monitoring/proposals/{proposal.id}/act",
                                                   data={"action": "submit", "version": proposal.version})
    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "公示期未满" in text and 'class="brand"' in text
    assert f'href="/monitoring/proposals/{proposal.id}">返回刚才的页面，查看最新状态</a>' in text


def test_the_townships_approval_asks_first(noticed, app):
    built, proposal = noticed(clock.today() - dt.timedelta(days=5))
    services.act(built.reviewer, proposal, "submit", proposal.version)
    text = signed_in(app, built.township).get(f"/monitoring/proposals/{proposal.id}").get_data(as_text=True)
    approve = re.search(r'<button[^>]*>批准</button>', text).group(0)
    assert 'data-confirm="“批准”之后不能撤回。确定批准吗？"' in approve
    assert "data-confirm" in re.search(r'<button[^>]*>退回村级</button>', text).group(0)
