"""Issue 20, item 1: a fetch killed at any moment resumes with nothing lost and nothing repeated.

The real ``syncdoctor fetch`` runs in a subprocess against a loopback sandbox that answers a
little slowly, and is killed with SIGKILL at random points (mid-stream, and sometimes while
it starts) until one run completes. Before the fix the state was written only after the
loop: 9 kills of 9 lost or duplicated records.

* ``--output FILE --state FILE``: the union of the runs is every record exactly once, in order;
* standard output: every record at least once; a record is repeated only from the batch in
  flight when the process died (``--checkpoint-every``), and always with the same ``id``.
"""

from __future__ import annotations

import json
import random
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from syncdoctor import Faults, SandboxRequest, SandboxResponse, SandboxServer
from syncdoctor.cli.main import main
from syncdoctor_pos_pennylane.sandbox import SANDBOX_LOCATION, SANDBOX_TOKEN
from syncdoctor_pos_pennylane.sandbox import factory as pos_factory
from syncdoctor_qonto.sandbox import QontoSandbox
from syncdoctor_qonto.sandbox_data import build_data

from .conftest import start_cli

DELAY = 0.03  # seconds per answer: enough for kills to land mid-stream


def slowed(app: Callable[[SandboxRequest], SandboxResponse]) -> Callable[[SandboxRequest], SandboxResponse]:
    def slow(request: SandboxRequest) -> SandboxResponse:
        time.sleep(DELAY)
        return app(request)
    return slow


@pytest.fixture(scope="module")
def qonto() -> Iterator[SandboxServer]:
    with SandboxServer(slowed(QontoSandbox(build_data(), Faults())), name="qonto") as server:
        yield server


@pytest.fixture(scope="module")
def pos() -> Iterator[SandboxServer]:
    inner = pos_factory()
    inner.stop()  # only its app is used, behind a slower server
    with SandboxServer(slowed(inner.app), name="pos") as server:
        yield server


def qonto_args(server: SandboxServer) -> list[str]:
    return ["fetch", "qonto", "--base-url", server.url, "--login", "sandbox", "--secret-key", "sandbox",
            "--invoices", "--per-page", "4"]


def pos_args(server: SandboxServer) -> list[str]:
    return ["fetch", "pos", "--base-url", server.url, "--token", SANDBOX_TOKEN, "--business-location-id",
            SANDBOX_LOCATION, "--start-date", "2026-08-30", "--until", "2026-09-03", "--page-size", "2"]


def ids(text: str) -> list[str]:
    return [json.loads(line)["id"] for line in text.splitlines() if line.strip()]


def reference(args: list[str], tmp: Path) -> list[str]:
    """What one uninterrupted fetch gives (in this process: quicker than a subprocess)."""
    out = tmp / "reference.jsonl"
    assert main([*args, "--output", str(out)]) == 0
    found = ids(out.read_text())
    assert len(found) == len(set(found)) > 10
    return found


def lines_in(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def killed_runs(args: list[str], out: Path | None, total: int, rng: random.Random, kills: int,
                ) -> tuple[int, list[bytes]]:
    """Run until a run completes; kill the first ``kills`` runs at random points. Returns the
    number of runs killed mid-way and what each run wrote on standard output."""
    outputs: list[bytes] = []
    killed = 0
    for attempt in range(kills + 8):
        proc = start_cli(*args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if attempt < kills:
            if out is None:
                time.sleep(rng.uniform(0.05, 1.5) if attempt == 0 else rng.uniform(1.5, 2.5))  # perhaps while it starts
            else:
                start = lines_in(out)
                target = start + rng.randint(1, max(1, (total - start) // 2))
                deadline = time.monotonic() + 20
                while proc.poll() is None and time.monotonic() < deadline and lines_in(out) < target:
                    time.sleep(0.01)
            if proc.poll() is None:
                proc.kill()
                killed += 1
        stdout, stderr = proc.communicate(timeout=60)
        outputs.append(stdout)
        if proc.returncode == 0:
            return killed, outputs
        assert proc.returncode == -9, stderr.decode()[-2000:]
    raise AssertionError("the fetch never completed")


@pytest.mark.parametrize("source", ["qonto", "pos"])
def test_killed_fetch_with_output_file_delivers_each_record_exactly_once(
        source: str, qonto: SandboxServer, pos: SandboxServer, tmp_path: Path) -> None:
    args = qonto_args(qonto) if source == "qonto" else pos_args(pos)
    expected = reference(args, tmp_path)
    out, state = tmp_path / "out.jsonl", tmp_path / "state.json"
    rng = random.Random(20 if source == "qonto" else 21)
    killed, _ = killed_runs([*args, "--output", str(out), "--state", str(state), "--checkpoint-every", "2"],
                            out, len(expected), rng, kills=2)
    assert killed == 2  # both mid-stream: each run is killed once it has written part of the rest
    assert ids(out.read_text()) == expected  # nothing lost, nothing repeated, in order
    assert main([*args, "--output", str(out), "--state", str(state)]) == 0  # nothing new since
    assert ids(out.read_text()) == expected


def test_killed_fetch_on_stdout_is_at_least_once_with_stable_ids(qonto: SandboxServer, tmp_path: Path) -> None:
    args = qonto_args(qonto)
    expected = reference(args, tmp_path)
    state = tmp_path / "state.json"
    killed, outputs = killed_runs([*args, "--state", str(state), "--checkpoint-every", "1"], None, len(expected),
                                  random.Random(22), kills=2)
    assert killed >= 1
    seen: Counter[str] = Counter()
    for chunk in outputs:
        seen.update(ids(chunk.decode()))
    assert set(seen) == set(expected)  # nothing lost
    repeated = sum(n - 1 for n in seen.values())
    assert repeated <= killed  # at most the one entity in flight per kill (checkpoint every 1)


def test_state_is_saved_when_the_vendor_fails_mid_way(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A vendor error after some pages: the entities delivered are counted in the state, and
    the next run continues after them (before the fix the whole run started again)."""
    data = build_data()
    app = QontoSandbox(data, Faults())
    calls = {"n": 0}

    def failing_after_two_pages(request: SandboxRequest) -> SandboxResponse:
        if request.path == "/v2/transactions":
            calls["n"] += 1
            if calls["n"] == 3:
                return SandboxResponse(400, {"errors": [{"code": "invalid", "detail": "broken page"}]})
        return app(request)

    out, state = tmp_path / "out.jsonl", tmp_path / "state.json"
    with SandboxServer(failing_after_two_pages) as server:
        args = ["fetch", "qonto", "--base-url", server.url, "--login", "sandbox", "--secret-key", "sandbox",
                "--per-page", "4", "--output", str(out), "--state", str(state)]
        assert main(args) == 2
        assert "broken page" in capsys.readouterr().err
        delivered = ids(out.read_text())
        assert delivered  # two pages of 4, less those already booked (#Comptabilise)
        saved: dict[str, Any] = json.loads(state.read_text())
        assert saved["resume"]["page"] == 3
        assert main(args) == 0
        everything = ids(out.read_text())
        assert everything[:len(delivered)] == delivered and len(everything) == len(set(everything))
        assert everything == reference(args[:args.index("--output")], tmp_path)
