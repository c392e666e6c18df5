from __future__ import annotations

import threading
from importlib.metadata import EntryPoint
from typing import Any

import pytest

from syncdoctor import Host, PluginLoadError
from syncdoctor.host import loading as _loading

from .fake_plugins import Raising
from .sample_plugin import Sample

MODULE = "tests.core.fake_plugins"


def _fake_entry_points(monkeypatch: pytest.MonkeyPatch, **targets: str) -> None:
    eps = [EntryPoint(name=name, value=value, group="syncdoctor") for name, value in targets.items()]
    monkeypatch.setattr(_loading.metadata, "entry_points", lambda group: [e for e in eps if e.group == group])


def test_broken_plugins_are_reported_and_the_others_load(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_entry_points(
        monkeypatch,
        good=f"{MODULE}:good",
        missing="tests.core.does_not_exist:plugin",
        unknown=f"{MODULE}:unknown_hook",
        badpack=f"{MODULE}:bad_pack",
    )
    host = Host.from_entry_points()
    assert list(host.plugins) == ["sample"]
    reasons = {b.name: b.reason for b in host.broken}
    assert set(reasons) == {"missing", "unknown", "badpack"}
    assert "import failed: ModuleNotFoundError" in reasons["missing"]
    assert "unknown hook(s) validate_entri" in reasons["unknown"]
    assert "invalid rule pack" in reasons["badpack"] and "bad.yaml" in reasons["badpack"]
    assert "not valid RE2" in reasons["badpack"]


def test_strict_mode_fails_on_the_first_broken_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_entry_points(monkeypatch, a_good=f"{MODULE}:good", b_missing="tests.core.does_not_exist:plugin")
    with pytest.raises(PluginLoadError, match="b_missing"):
        Host.from_entry_points(strict=True)
    monkeypatch.setenv("SYNCDOCTOR_STRICT", "1")
    with pytest.raises(PluginLoadError):
        Host.from_entry_points()


def test_allow_and_deny_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_entry_points(monkeypatch, good=f"{MODULE}:good", unknown=f"{MODULE}:unknown_hook")
    monkeypatch.setenv("SYNCDOCTOR_PLUGINS", "good")
    host = Host.from_entry_points()
    assert list(host.plugins) == ["sample"] and host.broken == []
    monkeypatch.delenv("SYNCDOCTOR_PLUGINS")
    monkeypatch.setenv("SYNCDOCTOR_DISABLE_PLUGINS", "good,unknown")
    host = Host.from_entry_points()
    assert host.plugins == {} and host.broken == []
    monkeypatch.delenv("SYNCDOCTOR_DISABLE_PLUGINS")
    host = Host.from_entry_points(names=["good", "ghost"])
    assert [b.name for b in host.broken] == ["ghost"]


def test_trace_switch_logs_every_hook_call(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("SYNCDOCTOR_TRACE", "1")
    host = Host([Sample(), Raising()])
    with caplog.at_level("DEBUG", logger="syncdoctor.trace"):
        host.validate({"kind": "journal_entry"})
    assert any("validate_entry" in r.getMessage() for r in caplog.records)


def test_a_raising_plugin_becomes_a_finding_and_others_go_on() -> None:
    host = Host([Sample(), Raising()])
    results = list(host.validate_many([
        {"kind": "journal_entry", "id": "boom", "lines": [{"account": "401", "auxiliary": "XA"}]},
        {"kind": "journal_entry", "id": "fine"},
    ]))
    first = {f.problem for f in results[0].findings}
    assert first == {"core.plugin_error", "sample.bad_prefix"}
    error = next(f for f in results[0].findings if f.problem == "core.plugin_error")
    assert "Raising" in error.message or "raising" in error.message.lower()
    assert "kaboom" in error.message
    assert [f.problem for f in results[1].findings] == ["raising.seen"]
    # a raising classifier does not stop classification
    assert host.classify("The account XA does not exist")[0].problem == "sample.bad_prefix"


def test_a_raising_named_check_names_the_plugin_and_rule() -> None:
    class Flaky(Sample):
        def functions(self) -> dict[str, Any]:
            def boom(code: str, party: str) -> str:
                raise KeyError("nope")
            return {"sample.fix": boom}

    host = Host([Flaky()])
    findings = host.validate({"kind": "journal_entry", "party": {"type": "supplier"},
                              "lines": [{"account": "401", "auxiliary": "XA"}]})
    assert [f.problem for f in findings] == ["core.plugin_error"]
    assert findings[0].params == {"plugin": "sample", "error": "PluginCallError", "rule": "sample.bad_prefix"}


def test_bad_records_do_not_stop_the_batch() -> None:
    host = Host([Sample()])
    records = [{"kind": "journal_entry", "id": "a"}, {"kind": "invoice"}, "text", {"kind": "journal_entry", "id": "b"}]
    results = list(host.validate_many(records))
    assert [r.entity for r in results] == ["a", 1, 2, "b"]
    assert results[1].findings[0].problem == "core.invalid_input"
    assert results[1].findings[0].path == "total"
    assert "record 1" in results[1].findings[0].message


def test_context_is_validated_per_plugin() -> None:
    host = Host([Sample()])
    with pytest.raises(Exception, match="no loaded plugin is named 'acme'"):
        host.parse_context({"acme": {}})
    with pytest.raises(Exception, match="sample.tolerance"):
        host.parse_context({"sample": {"tolerance": []}})


def test_safe_from_several_threads(engine_name: str) -> None:
    host = Host([Sample()], engine=engine_name)
    entity = {"kind": "journal_entry", "party": {"type": "supplier"},
              "lines": [{"account": "401", "auxiliary": "XAARO", "credit": "1"}]}
    expected = [f.problem for f in host.validate(entity)]
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(50):
                assert [f.problem for f in host.validate(entity)] == expected
                assert host.classify("The account Q does not exist")[0].problem == "sample.bad_prefix"
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_streaming_is_lazy() -> None:
    host = Host([Sample()])
    pulled = 0

    def source() -> Any:
        nonlocal pulled
        for i in range(10**9):
            pulled += 1
            yield {"kind": "journal_entry", "id": str(i)}

    stream = host.validate_many(source())
    for _ in range(3):
        next(stream)
    assert pulled == 3


def test_a_plugin_added_after_first_use_is_seen() -> None:
    host = Host()
    assert host.classify("The account Q does not exist")[0].problem == "unknown"
    host.add_plugin(Sample())
    assert host.classify("The account Q does not exist")[0].problem == "sample.bad_prefix"


def test_unhashable_lookup_keys_are_unknown() -> None:
    from syncdoctor.rules.paths import Scope, compile_path

    path = compile_path("$context.accounts[key].x")
    assert path(Scope({"key": ["a"]}, {}, {"accounts": {"a": {"x": 1}}})) is _host_missing()


def _host_missing() -> object:
    from syncdoctor.rules.paths import MISSING

    return MISSING


def test_broken_hook_answers_do_not_stop_a_batch() -> None:
    from syncdoctor import hookimpl

    class Sloppy:
        @hookimpl
        def validate_entry(self, entity: Any) -> list[Any]:
            return [{"not": "a finding"}]

        @hookimpl
        def classify_error(self, report: Any) -> list[Any]:
            return [{"problem": 3}]

        @hookimpl(tryfirst=True)
        def remediate(self, problem: str) -> None:
            raise RuntimeError("boom")

    class Liar:
        @hookimpl
        def register_plugin(self) -> Any:
            return {"name": "liar"}

    host = Host([Sample(), Sloppy(), Liar()])
    assert [b.name for b in host.broken] == ["Liar"]
    results = list(host.validate_many([{"kind": "journal_entry", "id": "a"}, {"kind": "journal_entry", "id": "b"}]))
    assert [f.problem for r in results for f in r.findings] == ["core.plugin_error", "core.plugin_error"]
    assert host.classify("The account Q does not exist")[0].problem == "sample.bad_prefix"
    assert host.remediate("sample.bad_prefix", {"code": "Q"})[0].steps[0].action == "fix_entity"


def test_a_problem_defined_twice_in_one_pack_is_refused(tmp_path: Any) -> None:
    from pathlib import Path

    from syncdoctor import PackError
    from syncdoctor.rules.catalog import Catalog
    from syncdoctor.rules.loader import load_pack_text

    text = (Path(__file__).parent / "packs" / "sample.yaml").read_text()
    body = text.split("problems:\n", 1)[1]
    first = body.split("  - id: sample.unbalanced")[0]
    pack = load_pack_text(text + first, "twice.yaml")
    with pytest.raises(PackError, match="defined twice"):
        Catalog().add_pack(pack, "sample", {"sample.fix": lambda *a: None}, "twice.yaml")


def test_apply_fixes_fixes_every_place() -> None:
    host = Host([Sample()])
    lines = [{"account": "401", "auxiliary": f"XA{i}"} for i in range(15)]
    fixed, applied = host.apply_fixes({"kind": "journal_entry", "party": {"type": "supplier"}, "lines": lines})
    assert len(applied) == 15 and all(line.auxiliary.startswith("F") for line in fixed.lines)  # type: ignore[attr-defined]
