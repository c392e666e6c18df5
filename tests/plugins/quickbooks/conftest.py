"""Fixtures of the QuickBooks plugin tests: a host with only this plugin, a started sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from syncdoctor import Faults, Host, SandboxServer
from syncdoctor_quickbooks.sandbox import make_sandbox


@pytest.fixture(scope="session")
def qbo_host() -> Host:
    return Host.from_entry_points(names=["quickbooks"], strict=True)


@pytest.fixture(scope="module")
def qbo_sandbox() -> Iterator[SandboxServer]:
    # One per module: stopping a SandboxServer waits out serve_forever's 0.5 s poll, and
    # the tests that write use numbers and names of their own.
    with make_sandbox(faults=Faults([], retry_after=0)) as server:
        yield server
