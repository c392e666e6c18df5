"""Actions on issues: the lifecycle, 409 with a reason, the audit trail, the plan's steps."""

from __future__ import annotations

import pytest

from syncdoctor.ledger import ActionNotAllowed, IssueNotFound
from syncdoctor.ledger.ledger import Ledger

from .helpers import rejected


@pytest.fixture
def issue_id(ledger: Ledger) -> str:
    return str(ledger.record("t1", rejected())["issues"][0]["id"])


@pytest.mark.parametrize(
    ("path", "final"),
    [
        (["resolve"], "resolved"),
        (["resolve", "reopen"], "open"),
        (["mute"], "muted"),
        (["mute", "unmute"], "open"),
        (["mute", "resolve"], "resolved"),
        (["skip"], "skipped"),
        (["mute", "skip", "reopen"], "open"),
        (["note"], "open"),
        (["resolve", "note"], "resolved"),
        (["mark_verified", "resync"], "open"),
    ],
)
def test_allowed_actions_lead_where_the_lifecycle_says(ledger: Ledger, issue_id: str, path: list[str],
                                                       final: str) -> None:
    for action in path:
        issue = ledger.act("t1", issue_id, action, actor="key:abc", note="why")
    assert issue["status"] == final
    assert ledger.issue("t1", issue_id)["status"] == final


@pytest.mark.parametrize(
    ("path", "action", "reason"),
    [
        (["resolve"], "resolve", "already resolved"),
        ([], "reopen", "only a resolved or skipped issue"),
        ([], "unmute", "only a muted issue"),
        (["mute"], "mute", "only an open issue"),
        (["resolve"], "mute", "only an open issue"),
        (["resolve"], "skip", "only an open or muted issue"),
        (["resolve"], "mark_verified", "reopen it before"),
    ],
)
def test_actions_the_status_does_not_allow_are_refused_with_the_reason(
    ledger: Ledger, issue_id: str, path: list[str], action: str, reason: str
) -> None:
    for step in path:
        ledger.act("t1", issue_id, step, actor="k")
    before = ledger.issue("t1", issue_id)
    with pytest.raises(ActionNotAllowed) as caught:
        ledger.act("t1", issue_id, action, actor="k")
    assert reason in caught.value.reason and caught.value.status == before["status"]
    after = ledger.issue("t1", issue_id)
    assert after["status"] == before["status"] and after["actions"] == before["actions"]


def test_every_action_is_in_the_audit_trail_with_who_when_what_and_the_note(ledger: Ledger, issue_id: str) -> None:
    ledger.act("t1", issue_id, "mark_verified", actor="key:a1", note="checked the number in QuickBooks")
    ledger.act("t1", issue_id, "resolve", actor="key:b2")
    ledger.act("t1", issue_id, "note", actor="key:a1", note="customer called")
    actions = ledger.issue("t1", issue_id)["actions"]
    assert [(a["action"], a["actor"], a["from_status"], a["to_status"], a["note"]) for a in actions] == [
        ("mark_verified", "key:a1", "open", "open", "checked the number in QuickBooks"),
        ("resolve", "key:b2", "open", "resolved", None),
        ("note", "key:a1", "resolved", "resolved", "customer called"),
    ]
    assert all(a["at"].endswith("Z") for a in actions)
    assert ledger.issue("t1", issue_id)["steps_done"] == ["mark_verified"]


def test_a_note_needs_its_text(ledger: Ledger, issue_id: str) -> None:
    with pytest.raises(ValueError, match="needs its text"):
        ledger.act("t1", issue_id, "note", actor="k", note="  ")


def test_unknown_actions_are_refused_with_the_list(ledger: Ledger, issue_id: str) -> None:
    with pytest.raises(ValueError, match="resolve, reopen, mute"):
        ledger.act("t1", issue_id, "explode", actor="k")


def test_an_unknown_issue_is_not_found(ledger: Ledger) -> None:
    with pytest.raises(IssueNotFound):
        ledger.act("t1", "iss_nope", "resolve", actor="k")
    with pytest.raises(IssueNotFound):
        ledger.issue("t1", "iss_nope")
