"""The four bundled plugins pass the conformance suite they ship with.

They are loaded through their entry points, exactly like third-party plugins. A plugin that
cannot be imported yet is skipped (they are written in parallel); one that imports but does
not load or conform fails, with what to fix.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

import httpx
import pytest

from syncdoctor.testing import CHECKS, Conformance

BUNDLED = ("acd", "quickbooks", "pos_pennylane", "qonto")
_SUITES: dict[str, Conformance] = {}


def suite(name: str) -> Conformance:
    if name not in _SUITES:
        [entry_point] = [ep for ep in metadata.entry_points(group="syncdoctor") if ep.name == name]
        try:
            entry_point.load()
        except (ImportError, AttributeError) as exc:
            pytest.skip(f"plugin {name} is not importable yet: {type(exc).__name__}: {exc}")
        _SUITES[name] = Conformance(name, max_examples=100)
    return _SUITES[name]


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("plugin", BUNDLED)
def test_bundled_plugin_conforms(plugin: str, check: str) -> None:
    suite(plugin).run(check)


@pytest.mark.parametrize("plugin, sandbox", [("acd", "acd"), ("quickbooks", "quickbooks"), ("qonto", "qonto"),
                                             ("pos_pennylane", "pos")])
def test_bundled_sandboxes_run_under_the_fixture(plugin: str, sandbox: str, syncdoctor_sandbox: Any) -> None:
    suite(plugin)  # skips a plugin that is not importable yet
    server = syncdoctor_sandbox(sandbox, faults="500", plugin=plugin)
    assert server.url.startswith("http://127.0.0.1:")
    assert server.faults.retry_after == 0
    response = httpx.get(server.url + "/", timeout=5)
    assert 200 <= response.status_code < 600
