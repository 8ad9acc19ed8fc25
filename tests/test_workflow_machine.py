"""The table-driven state machine every aggregate's workflow is made of (app/workflow.py)."""
from dataclasses import dataclass

import pytest

from app import workflow
from app.codes import N_


class Illegal(workflow.IllegalTransition):
    message = N_("该事项当前的状态不允许此操作。")


class NotAllowed(workflow.RoleNotAllowed):
    message = N_("您的角色不能执行此操作。")


@dataclass(frozen=True)
class Narrowed(workflow.Transition):
    colours: frozenset[str] = frozenset({"red"})

    def applies(self, *, colour: str) -> bool:
        return colour in self.colours


PLAIN = workflow.Machine({
    ("open", "close"): workflow.Transition("closed", frozenset({"clerk"})),
    ("open", "hold"): workflow.Transition("held", frozenset({"clerk", "chief"}), needs_reason=True),
    ("held", "close"): workflow.Transition("closed", frozenset({"chief"})),
}, Illegal, NotAllowed)
NARROWED = workflow.Machine({("open", "paint"): Narrowed("painted", frozenset({"clerk"}))}, Illegal, NotAllowed)


def test_the_next_state_comes_from_the_table():
    assert PLAIN.transition("open", "close", "clerk") == "closed"
    assert PLAIN.step("open", "hold", "chief").needs_reason


def test_an_action_the_state_does_not_have_is_illegal_and_a_role_outside_the_rule_is_refused():
    with pytest.raises(Illegal) as illegal:
        PLAIN.transition("closed", "close", "chief")
    assert isinstance(illegal.value, workflow.WorkflowError) and illegal.value.status == 409
    with pytest.raises(NotAllowed) as refused:
        PLAIN.transition("held", "close", "clerk")
    assert isinstance(refused.value, workflow.WorkflowError) and refused.value.status == 403


def test_allowed_actions_follow_the_table_order_and_the_role():
    assert PLAIN.allowed_actions("open", "clerk") == ["close", "hold"]
    assert PLAIN.allowed_actions("open", "chief") == ["hold"]
    assert PLAIN.allowed_actions("closed", "chief") == []


def test_a_rule_may_narrow_where_it_applies():
    assert NARROWED.transition("open", "paint", "clerk", colour="red") == "painted"
    assert NARROWED.allowed_actions("open", "clerk", colour="blue") == []
    with pytest.raises(Illegal):
        NARROWED.rule("open", "paint", colour="blue")
