"""Detect params: a call shared by the params that make it, and ``pick``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from syncdoctor import BatchState, Host, RulePackPlugin

PACK = """
plugin: facts
problems:
  - id: facts.long_code
    title: {en: "Code {code} is {length} long", fr: "Le code {code} fait {length}"}
    category: c
    causes: [{en: c, fr: c}]
    detect:
      kinds: [journal_entry]
      when: {path: reference, exists: true}
      params:
        code: reference
        length: {call: facts.measure, args: &ref [{ref: reference}], pick: length}
        upper: {call: facts.measure, args: *ref, pick: upper}
        absent: {call: facts.measure, args: *ref, pick: nothing_here}
        whole: {call: facts.measure, args: [{ref: reference}, 1]}
    remediation: {steps: [{action: verify, system: syncdoctor, instructions: {en: s, fr: s}}]}
"""


def _host(tmp_path: Path, measure: Any) -> Host:
    pack = tmp_path / "facts.yaml"
    pack.write_text(PACK)

    class Facts(RulePackPlugin):
        name = "facts"
        rules = pack

        def functions(self) -> dict[str, Any]:
            return {"facts.measure": measure}

    return Host([Facts()])


def test_params_making_the_same_call_share_it(tmp_path: Path) -> None:
    calls: list[tuple[Any, ...]] = []

    def measure(code: str, *rest: Any) -> dict[str, Any]:
        calls.append((code, *rest))
        return {"length": len(code), "upper": code.upper(), "nothing_here": None}

    host = _host(tmp_path, measure)
    (finding,) = host.validate({"kind": "journal_entry", "reference": "ab1"})
    # the three params with args [reference] made one call; `whole` has other args: its own call
    assert sorted(calls, key=len) == [("ab1",), ("ab1", 1)]
    assert finding.params["length"] == 3 and finding.params["upper"] == "AB1"
    assert "absent" not in finding.params  # a picked key that is None leaves the param out
    assert finding.params["whole"] == {"length": 3, "upper": "AB1", "nothing_here": None}
    assert finding.message == "Code ab1 is 3 long"


def test_a_call_that_answers_none_leaves_its_picked_params_out(tmp_path: Path) -> None:
    host = _host(tmp_path, lambda code, *rest: None)
    (finding,) = host.validate({"kind": "journal_entry", "reference": "ab1"})
    assert {"length", "upper", "whole"}.isdisjoint(finding.params)
    assert finding.message == "Code ab1 is … long"


@pytest.mark.parametrize("engine", ["native", "durable"])
def test_picking_from_something_that_is_not_a_mapping_is_the_plugins_error(tmp_path: Path, engine: str) -> None:
    host = _host(tmp_path, lambda code, *rest: [code])
    if engine == "durable":
        from syncdoctor.engines.durable import durable_available

        if not durable_available()[0]:
            pytest.skip("durable_rules unavailable")
    chosen = host.make_engine(engine)
    entity = host.parse_entity({"kind": "journal_entry", "reference": "ab1"})
    (finding,) = chosen.validate(entity, 0, {}, BatchState())
    assert finding.problem == "core.plugin_error"
    assert finding.params == {"plugin": "facts", "error": "PluginCallError", "rule": "facts.long_code"}
    assert "facts.measure" in finding.message and "not a mapping" in finding.message
    chosen.close()
