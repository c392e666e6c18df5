"""Which action an issue's status allows, and where it leads.

::

    open ──resolve──▶ resolved ──(occurs again: regressed + 1)──▶ open
     │ ▲                 │
     │ └────reopen───────┘
     ├──mute──▶ muted ──unmute──▶ open      (muted: still counted, no notifications)
     └──skip──▶ skipped ──reopen──▶ open     (skipped: stop retrying, keep the record)

An ``accepted`` event resolves the entity's open, muted and skipped issues (the record went
through, whatever was decided about it before); it also ends the entity's failure streak, so
it clears ``escalated`` on all the entity's issues, and the next streak escalates again. A
person's ``resolve`` leaves ``escalated`` as it is: it says nothing about the record syncing,
and the streak goes on. ``note`` is allowed in every status. The
plan's own steps (``mark_verified``, ``resync``, ...) are recorded as done on an issue that is
not resolved, without changing its status.
"""

from __future__ import annotations

from syncdoctor import ACTIONS

from ..errors import ActionNotAllowed

__all__ = ["LIFECYCLE_ACTIONS", "STATUSES", "STEP_ACTIONS", "transition"]

STATUSES = ("open", "resolved", "muted", "skipped")
LIVE = frozenset({"open", "muted", "skipped"})

# action -> (statuses it applies to, status after it; None: unchanged)
_RULES: dict[str, tuple[frozenset[str], str | None]] = {
    "resolve": (LIVE, "resolved"),
    "reopen": (frozenset({"resolved", "skipped"}), "open"),
    "mute": (frozenset({"open"}), "muted"),
    "unmute": (frozenset({"muted"}), "open"),
    "skip": (frozenset({"open", "muted"}), "skipped"),
    "note": (frozenset(STATUSES), None),
}
LIFECYCLE_ACTIONS = tuple(_RULES)
# the remediation vocabulary's actions a person records as done ("skip" is the lifecycle's)
STEP_ACTIONS = tuple(a for a in ACTIONS if a not in _RULES)

_WHY = {
    "resolve": "it is already resolved",
    "reopen": "only a resolved or skipped issue can be reopened (unmute a muted one)",
    "mute": "only an open issue can be muted",
    "unmute": "only a muted issue can be unmuted",
    "skip": "only an open or muted issue can be skipped",
}


def transition(issue_id: str, action: str, status: str) -> str:
    """The status after ``action``, or :class:`ActionNotAllowed` saying why not."""
    if action in _RULES:
        allowed, after = _RULES[action]
        if status not in allowed:
            raise ActionNotAllowed(issue_id, action, status, f"the issue is {status}: {_WHY[action]}")
        return after or status
    if action in STEP_ACTIONS:
        if status == "resolved":
            raise ActionNotAllowed(issue_id, action, status,
                                   "the issue is resolved: reopen it before recording a step of its plan")
        return status
    known = ", ".join(LIFECYCLE_ACTIONS + STEP_ACTIONS)
    raise ValueError(f"unknown action {action!r}; expected one of {known}")
