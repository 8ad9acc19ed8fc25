"""The job state machine (作业状态), pure: which step moves a job from which state to which.

queued → running → done → expired (its file removed after the keeping days)
                 ↘ failed
queued ↘ failed (it could not be handed to the queue)
"""
from __future__ import annotations

from app.codes import N_

QUEUED, RUNNING, DONE, FAILED, EXPIRED = "queued", "running", "done", "failed", "expired"
STATES = (QUEUED, RUNNING, DONE, FAILED, EXPIRED)
UNFINISHED = (QUEUED, RUNNING)

STATE_LABELS = {QUEUED: N_("排队中"), RUNNING: N_("进行中"), DONE: N_("已完成"), FAILED: N_("失败"),
                EXPIRED: N_("已过期")}

TRANSITIONS = {
    (QUEUED, "start"): RUNNING,
    (QUEUED, "fail"): FAILED,
    (RUNNING, "finish"): DONE,
    (RUNNING, "fail"): FAILED,
    (DONE, "expire"): EXPIRED,
}


class IllegalStep(ValueError):
    pass


def next_state(state: str, step: str) -> str:
    """The state after ``step``; a step the state does not allow raises ``IllegalStep``."""
    try:
        return TRANSITIONS[(state, step)]
    except KeyError:
        raise IllegalStep(f"{step!r} is not allowed from {state!r}") from None


def from_states(step: str) -> tuple[str, ...]:
    """The states ``step`` may leave (for a conditional update that claims a job)."""
    return tuple(state for (state, name) in TRANSITIONS if name == step)
