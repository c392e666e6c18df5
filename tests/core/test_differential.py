"""The strongest test of the project: both engines give identical findings on generated
entities, for every installed pack and the core's sample pack."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from syncdoctor import BatchState, Host, InputError
from syncdoctor._durable import durable_available
from syncdoctor.testing import strategies as sds

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
PLUGINS = sorted({cp.plugin for cp in HOST.catalog.problems.values() if cp.plugin != "core" and cp.root is not None})


def seeds(plugin: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The plugin's example entities (as the kit collects them) and example contexts."""
    contexts: list[dict[str, Any]] = [{}]
    for cp in HOST.catalog.problems.values():
        if cp.plugin == plugin:
            contexts += [ex.context for ex in [*cp.problem.examples.flagged, *cp.problem.examples.clean] if ex.context]
    return sds.example_entities(HOST, plugin), contexts


_TEXT = st.one_of(
    st.sampled_from(["", "F", "C", "X", "FAARO", "XAARO", "401", "60610000", "AC", "VT", "BQ2", "2026-03-26",
                     "#Comptabilise", "application/pdf", "image/gif", "supplier", "customer", "a:b", "1781"]),
    st.text(max_size=30),
    st.text(alphabet="FCX0123456789", min_size=1, max_size=10),
)
_NUMBER = st.one_of(
    st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from([Decimal("0"), Decimal("0.01"), Decimal("-0.01"), Decimal("50"), Decimal("30000000")]),
)


@st.composite
def mutated(draw: st.DrawFn, value: Any, depth: int = 0) -> Any:
    if depth > 6:
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key != "kind" and draw(st.integers(0, 9)) == 0:
                continue  # drop the field
            out[key] = draw(mutated(item, depth + 1)) if key != "kind" else item
        return out
    if isinstance(value, list):
        items = [draw(mutated(v, depth + 1)) for v in value]
        if items and draw(st.booleans()):
            items.append(draw(mutated(value[draw(st.integers(0, len(value) - 1))], depth + 1)))
        if items and draw(st.integers(0, 4)) == 0:
            items.pop(draw(st.integers(0, len(items) - 1)))
        return items
    if isinstance(value, bool):
        return draw(st.booleans())
    if isinstance(value, (int, Decimal)):
        return draw(st.one_of(st.just(value), _NUMBER, st.integers(0, 40_000_000)))
    if isinstance(value, str):
        if _looks_numeric(value):
            return str(draw(st.one_of(st.just(Decimal(value)), _NUMBER)))
        return draw(st.one_of(st.just(value), _TEXT, st.just(value[1:]), st.just("X" + value[1:])))
    return value


def _looks_numeric(text: str) -> bool:
    try:
        Decimal(text)
    except Exception:
        return False
    return not text.strip().isdigit() or len(text) < 5


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
    entities, contexts = seeds(plugin)
    assert entities, f"plugin {plugin} has no example entities to generate from"

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        # broad mutations (fields dropped, lists grown) and the kit's close ones (one value changed)
        entity = st.one_of(st.sampled_from(entities).flatmap(mutated), sds.plugin_entities(HOST, plugin))
        batch_raw = data.draw(st.lists(entity, min_size=1, max_size=3))
        raw_context = data.draw(st.sampled_from(contexts).flatmap(mutated))
        try:
            ctx = HOST.parse_context({plugin: raw_context}) if raw_context else {}
        except InputError:
            ctx = {}
        batch = []
        for raw in batch_raw:
            try:
                batch.append(HOST.parse_entity(raw))
            except InputError:
                continue
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
            a = NATIVE.classify(HOST._report({"message": message, "vendor": vendor}, 0), HOST._plugin_of(vendor))
            b = DURABLE.classify(HOST._report({"message": message, "vendor": vendor}, 0), HOST._plugin_of(vendor))  # type: ignore[union-attr]
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
