"""A state machine as a table (状态机): what each aggregate's workflow module is made of.

An aggregate (the record's review, the identification procedure, the clue) writes its
states and a ``TRANSITIONS`` table ``{(state, action): Transition}`` and makes a ``Machine``
from it with its own two refusals, whose ``message`` names the thing refused ("该记录…",
"该线索…"). The machine is the one place that reads such a table: which rule applies, which
actions a role may take now, and the state an action leads to.

Pure module: no Flask, no database.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.errors import Conflict, Forbidden


@dataclass(frozen=True)
class Transition:
    to_state: str
    roles: frozenset[str]
    needs_reason: bool = False  # a comment or reason must be given with the action

    def applies(self, **context) -> bool:
        """Whether the rule holds for this case (a table may narrow it, e.g. by a proposal's kind)."""
        return True


class WorkflowError(Conflict, ValueError):
    """A transition that is not allowed; each kind's ``message`` is a message id to translate."""


class IllegalTransition(WorkflowError):
    """The action does not apply in this state (someone else acted first)."""


class RoleNotAllowed(Forbidden, WorkflowError):
    """The action applies, but not by this role."""


class Machine:
    def __init__(self, transitions: dict[tuple, Transition], illegal: type[IllegalTransition],
                 not_allowed: type[RoleNotAllowed]):
        self.transitions = transitions
        self.illegal = illegal
        self.not_allowed = not_allowed

    def rule(self, state, action: str, **context) -> Transition:
        found = self.transitions.get((state, action))
        if found is None or not found.applies(**context):
            raise self.illegal(state, action, *context.values())
        return found

    def allowed_actions(self, state, role: str, **context) -> list[str]:
        """The actions ``role`` may take in ``state``, in the table's order."""
        return [action for (from_state, action), allowed in self.transitions.items()
                if from_state == state and role in allowed.roles and allowed.applies(**context)]

    def step(self, state, action: str, role: str, **context) -> Transition:
        """The rule by which ``role`` does ``action`` in ``state``, or the refusal."""
        allowed = self.rule(state, action, **context)
        if role not in allowed.roles:
            raise self.not_allowed(state, action, role)
        return allowed

    def transition(self, state, action: str, role: str, **context) -> str:
        """The state after ``role`` does ``action`` in ``state``."""
        return self.step(state, action, role, **context).to_state
