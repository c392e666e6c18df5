"""Issue 20, item 7: a plugin cannot kill, hang or impersonate its way past the host."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from importlib.metadata import EntryPoint

import pytest

from syncdoctor import Host, PluginLoadError
from syncdoctor.host import loading

from . import hostile_plugins
from .hostile_plugins import RELEASE

MODULE = "tests.reliability.hostile_plugins"
ENTITY = {"kind": "journal_entry", "id": "e1", "journal": "AC", "date": "2026-03-26", "lines": []}


@pytest.fixture(autouse=True)
def release_hung_hooks() -> Iterator[None]:
    RELEASE.clear()
    yield
    RELEASE.set()


def fake_entry_points(monkeypatch: pytest.MonkeyPatch, *pairs: tuple[str, str]) -> None:
    eps = [EntryPoint(name=name, value=value, group="syncdoctor") for name, value in pairs]
    monkeypatch.setattr(loading.metadata, "entry_points", lambda group: [e for e in eps if e.group == group])


def test_system_exit_in_register_plugin_or_at_import_is_a_broken_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_entry_points(monkeypatch, ("exiter", f"{MODULE}:exits_on_register"),
                      ("importer", "tests.reliability.hostile_import:plugin"), ("acd", "syncdoctor_acd:plugin"))
    host = Host.from_entry_points()
    assert list(host.plugins) == ["acd"]
    reasons = {b.name: b.reason for b in host.broken}
    assert "SystemExit" in reasons["exiter"] and "SystemExit" in reasons["importer"]
    with pytest.raises(PluginLoadError, match="SystemExit"):
        Host.from_entry_points(strict=True)


@pytest.mark.parametrize("engine", ["native", "durable"])
def test_system_exit_in_a_hook_is_a_plugin_error_and_the_batch_goes_on(engine: str) -> None:
    host = Host([hostile_plugins.exits_in_hook], engine=engine)
    results = list(host.validate_many([ENTITY, {**ENTITY, "id": "e2"}]))
    assert [r.entity for r in results] == ["e1", "e2"]
    assert all(any(f.problem == "core.plugin_error" and "SystemExit" in f.message for f in r.findings)
               for r in results)
    # classify_error raising SystemExit: the packs' answer stands, and a diagnosis names the plugin
    diags = host.classify("some error")
    failed = [d for d in diags if d.problem == "core.plugin_error"]
    assert [d.problem for d in diags if d not in failed] == ["unknown"] and len(failed) == 1
    named = next(f for f in results[0].findings if f.problem == "core.plugin_error").params["plugin"]
    assert failed[0].params == {"plugin": named, "error": "SystemExit"} and failed[0].severity == "error"
    assert named in failed[0].causes[0] and "SystemExit" in failed[0].causes[0]
    french = [d for d in host.classify("some error", lang="fr") if d.problem == "core.plugin_error"]
    assert "a levé SystemExit" in french[0].causes[0]


def test_a_hung_hook_times_out_becomes_a_plugin_error_and_is_not_called_again() -> None:
    host = Host([hostile_plugins.hangs], hook_timeout=0.3)
    started = time.monotonic()
    results = list(host.validate_many([{**ENTITY, "id": f"e{i}"} for i in range(5)]))
    assert time.monotonic() - started < 3  # one wait, not five
    assert len(results) == 5
    messages = [f.message for r in results for f in r.findings if f.problem == "core.plugin_error"]
    assert len(messages) == 5 and "within 0.3s" in messages[0] and "hung earlier" in messages[-1]
    assert hostile_plugins.hangs.calls == 1


def test_the_hook_time_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCDOCTOR_HOOK_TIMEOUT", "0.2")
    assert Host().guard.timeout == 0.2
    monkeypatch.setenv("SYNCDOCTOR_HOOK_TIMEOUT", "0")
    assert Host().guard.timeout is None
    monkeypatch.setenv("SYNCDOCTOR_HOOK_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="SYNCDOCTOR_HOOK_TIMEOUT"):
        Host()


def test_a_register_plugin_that_hangs_is_a_broken_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_entry_points(monkeypatch, ("slow", f"{MODULE}:hangs_on_register"), ("acd", "syncdoctor_acd:plugin"))
    started = time.monotonic()
    host = Host.from_entry_points(hook_timeout=0.3)
    assert time.monotonic() - started < 10
    assert list(host.plugins) == ["acd"]
    assert "register_plugin" in host.broken[0].reason


def test_a_plugin_cannot_take_the_name_of_a_bundled_one(monkeypatch: pytest.MonkeyPatch,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    # "aaa" sorts before "acd": before the fix it loaded first and replaced ACD without a word
    fake_entry_points(monkeypatch, ("aaa", f"{MODULE}:claims_acd"), ("acd", "syncdoctor_acd:plugin"))
    with caplog.at_level(logging.WARNING, logger="syncdoctor"):
        host = Host.from_entry_points()
    assert host.plugins["acd"].version != "6.6.6" and host.plugins["acd"].problems > 5
    [broken] = host.broken
    assert "already taken by acd = syncdoctor_acd:plugin" in broken.reason and "aaa" in broken.reason
    assert any("already taken" in r.getMessage() for r in caplog.records)
    with pytest.raises(PluginLoadError, match="already taken"):
        Host.from_entry_points(strict=True)


def test_two_entry_points_with_one_name_are_both_named(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_entry_points(monkeypatch, ("twin", f"{MODULE}:first"), ("twin", f"{MODULE}:second"))
    host = Host.from_entry_points()
    assert list(host.plugins) == ["twin"]
    [broken] = host.broken
    assert f"{MODULE}:first" in broken.reason and f"{MODULE}:second" in broken.reason
    with pytest.raises(PluginLoadError, match="claims the name"):
        Host.from_entry_points(strict=True)


@pytest.mark.parametrize("error", [SystemExit(5), TypeError("'NoneType' object is not subscriptable")])
def test_a_source_failing_mid_stream_is_a_vendor_error(error: BaseException) -> None:
    from syncdoctor import VendorError

    host = Host([hostile_plugins.BadSource(error)])
    result = host.fetch("bad", {})
    got = []
    with pytest.raises(VendorError, match=type(error).__name__) as caught:
        for entity in result:
            got.append(entity.id)
    assert got == ["j1"] and "bad" in str(caught.value)
    assert result.state == {"at": 1}


def test_a_source_answering_something_else_than_a_fetch_result() -> None:
    from syncdoctor import VendorError, hookimpl

    class ListSource:
        @hookimpl
        def register_plugin(self) -> object:
            from syncdoctor import PluginSpec
            return PluginSpec(name="lister")

        @hookimpl
        def fetch_transactions(self, source: str, options: object) -> object:
            return [1, 2] if source == "lists" else None

    with pytest.raises(VendorError, match="not a syncdoctor.FetchResult"):
        Host([ListSource()]).fetch("lists", {})
