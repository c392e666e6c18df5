"""Fixtures of the pos_pennylane tests: a host with this plugin only, a sandbox factory, a mapping."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from syncdoctor import Faults, Host, SandboxServer
from syncdoctor_pos_pennylane.sandbox import PosSandbox

MAPPING: dict[str, Any] = {
    "journal": "VT",
    "payment_methods": {"CASH": "530000", "CARD": "511200", "TR": "511300"},
    "vat_rates": {"5.5": "445711", "10": "445712", "20": "445710", "2.1": "445713"},
    "sales": "706000",
    "tips": "428600",
}


@pytest.fixture(scope="session")
def host() -> Host:
    return Host.from_entry_points(names=["pos_pennylane"], strict=True)


@pytest.fixture
def mapping() -> dict[str, Any]:
    return copy.deepcopy(MAPPING)


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., SandboxServer]]:
    """Start sandboxes whose injected 429s ask for no wait; all are stopped after the test."""
    started: list[SandboxServer] = []

    def start(faults: str | None = None) -> SandboxServer:
        chosen = Faults(faults, retry_after=0)
        server = SandboxServer(PosSandbox(chosen), faults=chosen, name="pos").start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
