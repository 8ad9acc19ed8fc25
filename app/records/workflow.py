"""The record-review state machine (审核流程), as data.

A submitted record is reviewed by its village: approved, or returned to the enumerator
with at least one comment. A returned record comes back as a new revision when the
enumerator's correction is synced (ingest performs ``resubmit``). An approved record is
final for the phone; only the township can reopen it, with a reason, which sends it back
to the village's review. A copy kept beside the record (a conflict: the same record changed
on a second phone, or a second record of the same household) is resolved by the village:
it keeps the stored record, or takes the copy as the record's next revision, to review
again (never over an approved record: the township reopens it first).

What must always hold:
- A state changes only through a transition in ``TRANSITIONS``, by one of its roles.
- Every transition is one ``ReviewEvent``, written by app.records.services beside the change.

Pure module: no Flask, no database.
"""
from __future__ import annotations

from app import workflow
from app.codes import N_
from app.workflow import Transition

STATES = ("submitted", "returned", "approved")
STATE_LABELS = {"submitted": N_("待审核"), "returned": N_("已退回"), "approved": N_("已通过")}

# needs_reason: a comment (return) or a reason (reopen) must be given.
TRANSITIONS: dict[tuple[str, str], Transition] = {
    ("submitted", "approve"): Transition("approved", frozenset({"village_reviewer"})),
    ("submitted", "return"): Transition("returned", frozenset({"village_reviewer"}), needs_reason=True),
    ("returned", "resubmit"): Transition("submitted", frozenset({"enumerator"})),
    ("approved", "reopen"): Transition("submitted", frozenset({"township_approver"}), needs_reason=True),
    ("submitted", "take_copy"): Transition("submitted", frozenset({"village_reviewer"})),
    ("returned", "take_copy"): Transition("submitted", frozenset({"village_reviewer"})),
    ("submitted", "keep_stored"): Transition("submitted", frozenset({"village_reviewer"})),
    ("returned", "keep_stored"): Transition("returned", frozenset({"village_reviewer"})),
    ("approved", "keep_stored"): Transition("approved", frozenset({"village_reviewer"})),
}
ACTIONS = tuple(dict.fromkeys(action for _, action in TRANSITIONS))
ACTION_LABELS = {"approve": N_("通过"), "return": N_("退回"), "resubmit": N_("重新提交"), "reopen": N_("重新打开"),
                 "take_copy": N_("采用另一份"), "keep_stored": N_("保留现有记录")}


class IllegalTransition(workflow.IllegalTransition):
    message = N_("该记录当前的状态不允许此操作，请刷新后查看。")


class RoleNotAllowed(workflow.RoleNotAllowed):
    message = N_("您的角色不能对该记录执行此操作。")


MACHINE = workflow.Machine(TRANSITIONS, IllegalTransition, RoleNotAllowed)
rule, allowed_actions, transition = MACHINE.rule, MACHINE.allowed_actions, MACHINE.transition
WorkflowError = workflow.WorkflowError
