"""Issue 20, item 3: a retried ACD push never writes twice.

Reproduced with the sandbox fault ``lost-answer``: ACD writes the entry, then the connection
drops before the answer leaves. Before the fix the client sent the POST again and one push
wrote the entry up to 4 times.
"""

from __future__ import annotations

import copy
from typing import Any

from syncdoctor import Host, RetryPolicy
from syncdoctor_acd.api import push
from syncdoctor_acd.sandbox import sandbox

FAST = RetryPolicy(attempts=6, backoff=0.001, sleep=lambda s: None)

ENTRY: dict[str, Any] = {
    "kind": "journal_entry", "id": "aaro", "target": "acd", "journal": "AC", "date": "2026-03-26",
    "reference": "FS9289482", "label": "AARO", "party": {"type": "supplier", "name": "AARO"},
    "attachments": [{"filename": "FS9289482.pdf", "content_type": "application/pdf", "size": 1200}],
    "lines": [{"account": "40100000", "auxiliary": "FAARO", "credit": "189.99"},
              {"account": "60640000", "debit": "158.33"},
              {"account": "44566000", "debit": "31.66"}],
}


def test_a_push_whose_answers_are_lost_writes_once() -> None:
    with sandbox(faults="lost-answer") as server:
        assert push(server.url, ENTRY, retry=FAST) is None
        app = server.app
        assert len(app.entries) == 1  # type: ignore[attr-defined]
        assert len(app.documents) == 1  # type: ignore[attr-defined]
        assert server.faults.injected["lost-answer"] >= 3  # login, document and entry each lost once


def test_pushing_the_same_entry_again_is_recognised() -> None:
    """A batch restarted after a crash pushes what it had pushed: still one entry."""
    with sandbox() as server:
        assert push(server.url, ENTRY, retry=FAST) is None
        assert push(server.url, copy.deepcopy(ENTRY), retry=FAST) is None
        assert len(server.app.entries) == 1  # type: ignore[attr-defined]
        other = copy.deepcopy(ENTRY)
        other["reference"] = "FS9289483"
        assert push(server.url, other, retry=FAST) is None
        assert len(server.app.entries) == 2  # type: ignore[attr-defined]


def test_the_acd_tool_shared_through_the_host_is_the_safe_push() -> None:
    host = Host.from_entry_points(names=["acd"])
    tool = host.tool("acd.push")
    assert tool is not None
    with sandbox(faults="lost-answer") as server:
        assert tool(server.url, ENTRY, retry=FAST) is None
        assert len(server.app.entries) == 1  # type: ignore[attr-defined]
