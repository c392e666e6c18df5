"""`syncdoctor demo` as a newcomer runs it: the whole loop, every plugin, both languages."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "syncdoctor.cli.main", *args, "demo"], capture_output=True, text=True,
                          timeout=300)


def test_demo_json_covers_the_four_plugins() -> None:
    proc = _demo()
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([sys.executable, "-m", "syncdoctor.cli.main", "demo", "--json"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert {s["name"] for s in report["sections"]} == {"qonto_acd", "taxdome_quickbooks", "pos_pennylane", "qonto"}
    problems = report["summary"]["problems"]
    for plugin in ("acd", "quickbooks", "pos_pennylane", "qonto"):
        assert any(p.startswith(plugin + ".") for p in problems), plugin
    assert report["summary"]["fixed_automatically"] >= 1 and report["summary"]["needs_person"] >= 1
    for section in report["sections"]:
        assert not any("scenario failed" in e["detail"] for e in section["events"]), section["name"]
        assert all(e.get("system") for e in section["events"] if e["outcome"] == "needs_person")


def test_demo_speaks_french() -> None:
    proc = _demo("--lang", "fr")
    assert proc.returncode == 0, proc.stderr
    assert "Synthèse" in proc.stdout and "corrigés automatiquement" in proc.stdout
    assert "== Summary ==" not in proc.stdout
    # the plugins' notes speak French too, with plurals that agree (no "problème(s)")
    for english in ("faults injected", "secret key", "sandbox:", "(s)"):
        assert english not in proc.stdout, english
    assert "pannes injectées" in proc.stdout and "clé secrète" in proc.stdout


def test_a_scenario_that_fails_is_said_and_the_demo_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    """A newcomer's first command must not call a broken loop a success."""
    from syncdoctor import Host, PluginSpec, hookimpl
    from syncdoctor.cli.demo import run_demo
    from syncdoctor.model.demo import DemoSection

    def broken(host: Host, lang: str) -> DemoSection:
        raise RuntimeError("the sandbox did not start")

    def failing_plugin(host: Host, lang: str) -> DemoSection:
        section = DemoSection("flaky", "Flaky")
        section.add("validate", "needs_person", "plugin x failed", problem="core.plugin_error")
        return section

    class Demo:
        def __init__(self, name: str, demo: object) -> None:
            self.name, self.demo = name, demo

        @hookimpl
        def register_plugin(self) -> PluginSpec:
            return PluginSpec(name=self.name, demo=self.demo)

    host = Host([Demo("broken", broken), Demo("flaky", failing_plugin)])
    assert run_demo(host, "en", as_json=True) == 1
    report = json.loads(capsys.readouterr().out)
    assert len(report["summary"]["failures"]) == 2
    assert run_demo(host, "fr") == 1
    shown = " ".join(capsys.readouterr().out.split())  # unwrapped
    assert "! broken: scénario en échec : RuntimeError: the sandbox did not start" in shown
    assert "! Flaky: plugin x failed" in shown
