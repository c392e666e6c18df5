"""Issue 20, item 8: the durable engine's worker process recovers.

Before the fix, one failed start left a half-made worker that broke every later call in the
process (a new Host included), and a killed worker aborted the batch half-way.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from typing import Any

import pytest

from syncdoctor import EngineUnavailable, Host
from syncdoctor.engines import durable

pytestmark = pytest.mark.skipif(not durable.durable_available()[0], reason="durable_rules unavailable")

ENTRIES: list[dict[str, Any]] = [
    {"kind": "journal_entry", "id": f"e{i}", "target": "acd", "journal": "AC", "date": "2026-03-26",
     "reference": f"F{i}", "label": "AARO", "party": {"type": "supplier", "name": "AARO"},
     "lines": [{"account": "40100000", "auxiliary": "XAARO" if i % 2 else "FAARO", "credit": "189.99"},
               {"account": "60640000", "debit": "158.33"},
               {"account": "44566000", "debit": "31.60" if i % 3 else "31.66"}]}
    for i in range(12)
]


def findings(host: Host) -> list[list[str]]:
    return [sorted(f.problem for f in r.findings) for r in host.validate_many(ENTRIES)]


def worker_of(host: Host) -> Any:
    return host.engine._worker  # type: ignore[attr-defined]


def test_a_killed_worker_is_replaced_and_the_batch_goes_on() -> None:
    expected = findings(Host.from_entry_points(names=["acd"], engine="native"))
    host = Host.from_entry_points(names=["acd"], engine="durable")
    results = host.validate_many(ENTRIES)
    got = [sorted(f.problem for f in next(results).findings)]
    worker = worker_of(host)
    os.kill(worker._process.pid, signal.SIGKILL)
    worker._process.join(timeout=5)
    got += [sorted(f.problem for f in r.findings) for r in results]
    assert got == expected
    assert any(f for f in got)


def test_a_worker_that_dies_while_answering_is_replaced() -> None:
    host = Host.from_entry_points(names=["acd"], engine="durable")
    expected = findings(host)
    worker = worker_of(host)
    real = worker._exchange
    calls = {"n": 0}

    def dying(facts: list[dict[str, Any]]) -> tuple[str, Any]:
        calls["n"] += 1
        if calls["n"] == 1:
            os.kill(worker._process.pid, signal.SIGKILL)
            worker._process.join(timeout=5)
        return real(facts)

    worker._exchange = dying
    try:
        assert findings(host) == expected
    finally:
        del worker._exchange
    assert worker.restarts >= 1


class _FailingContext:
    """A spawn context whose first process fails to start, as when the OS refuses a fork."""

    def __init__(self) -> None:
        self.real = multiprocessing.get_context("spawn")
        self.failures = 1

    def Pipe(self) -> Any:  # noqa: N802 - the multiprocessing API's name
        return self.real.Pipe()

    def Process(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        process = self.real.Process(*args, **kwargs)
        if self.failures:
            self.failures -= 1

            def refuse() -> None:
                raise OSError(11, "Resource temporarily unavailable")
            process.start = refuse
        return process


def test_a_failed_start_does_not_poison_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    for worker in list(durable._WORKERS.values()):
        worker.stop()  # the next call must start a worker
    context = _FailingContext()
    monkeypatch.setattr(durable.multiprocessing, "get_context", lambda method: context)
    host = Host.from_entry_points(names=["acd"], engine="durable")
    with pytest.raises(EngineUnavailable, match="could not start"):
        findings(host)
    again = Host.from_entry_points(names=["acd"], engine="durable")  # a later Host starts it
    native = Host.from_entry_points(names=["acd"], engine="native")
    assert findings(again) == findings(native)
    assert findings(host) == findings(native)  # and so does the first one
