"""The strongest test of the project: both engines give identical findings on generated
entities, for every installed pack and the core's sample pack."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncdoctor import BatchState, Host
from syncdoctor.engines.durable import durable_available
from syncdoctor.model.parsing import parse_report

from .generated import entity_batches, rule_plugins, seeds
from .sample_plugin import Sample

OK, WHY = durable_available()
pytestmark = pytest.mark.skipif(not OK, reason=f"durable_rules unavailable: {WHY}")


def _host() -> Host:
    host = Host.from_entry_points()
    host.add_plugin(Sample())
    return host


HOST = _host()
NATIVE = HOST.engine
DURABLE = HOST.make_engine("durable") if OK else None
PLUGINS = rule_plugins(HOST)


def _findings(engine: Any, entities: list[Any], contexts: dict[str, Any], plugin: str) -> list[Any]:
    state = BatchState()
    out = []
    for i, entity in enumerate(entities):
        found = engine.validate(entity, entity.id if entity.id is not None else i, contexts, state,
                                plugins=frozenset({plugin}))
        out.append(sorted(f.model_dump_json() for f in found))
    return out


@pytest.mark.parametrize("plugin", PLUGINS)
def test_engines_agree_on_generated_entities(plugin: str) -> None:
    assert seeds(HOST, plugin)[0], f"plugin {plugin} has no example entities to generate from"

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        # broad mutations (fields dropped, lists grown) and the kit's close ones (one value changed)
        batch, ctx = data.draw(entity_batches(HOST, plugin))
        assert _findings(NATIVE, batch, ctx, plugin) == _findings(DURABLE, batch, ctx, plugin)

    check()


def test_engines_agree_on_classification() -> None:
    messages = []
    for cp in HOST.catalog.problems.values():
        for ex in [*cp.problem.examples.match, *cp.problem.examples.no_match]:
            messages.append(ex if isinstance(ex, str) else ex.message)
    messages += ["", "totally unknown", "The account  does not exist"]
    for message in messages:
        for vendor in [None, *PLUGINS]:
            a = NATIVE.classify(parse_report({"message": message, "vendor": vendor}, 0), HOST._plugin_of(vendor))
            b = DURABLE.classify(parse_report({"message": message, "vendor": vendor}, 0), HOST._plugin_of(vendor))  # type: ignore[union-attr]
            assert a == b, message


def test_engines_agree_when_a_named_check_raises_in_a_branch_native_skips(tmp_path: Any) -> None:
    from syncdoctor import RulePackPlugin

    pack = tmp_path / "raising.yaml"
    pack.write_text("""
plugin: raising
problems:
  - id: raising.guarded
    title: {en: t, fr: t}
    category: c
    causes: [{en: c, fr: c}]
    detect:
      kinds: [journal_entry]
      when:
        all:
          - {path: reference, exists: true}
          - {call: raising.boom, args: [{ref: journal}]}
    remediation: {steps: [{action: verify, system: syncdoctor, instructions: {en: s, fr: s}}]}
  - id: raising.either
    title: {en: t, fr: t}
    category: c
    causes: [{en: c, fr: c}]
    detect:
      kinds: [journal_entry]
      when:
        any:
          - {path: journal, eq: AC}
          - {call: raising.boom, args: [{ref: journal}]}
    remediation: {steps: [{action: verify, system: syncdoctor, instructions: {en: s, fr: s}}]}
""")

    def boom(value: Any) -> bool:
        raise ValueError("no")

    class Raising(RulePackPlugin):
        name = "raising"
        rules = pack

        def functions(self) -> dict[str, Any]:
            return {"raising.boom": boom}

    host = Host([Raising()])
    durable = host.make_engine("durable")
    for entity in ({"kind": "journal_entry", "journal": "AC"},
                   {"kind": "journal_entry", "journal": "AC", "reference": "R"},
                   {"kind": "journal_entry", "journal": "VT"}):
        parsed = host.parse_entity(entity)
        native = sorted(f.model_dump_json() for f in host.engine.validate(parsed, 0, {}, BatchState()))
        other = sorted(f.model_dump_json() for f in durable.validate(parsed, 0, {}, BatchState()))
        assert native == other, entity
