"""Generated entities for the engines' agreement tests: the packs' own examples, mutated
(fields dropped, values changed, lists grown or shrunk), and the kit's close variants."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from syncdoctor import Host, InputError
from syncdoctor.testing import strategies as sds

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


def seeds(host: Host, plugin: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The plugin's example entities (as the kit collects them) and example contexts."""
    contexts: list[dict[str, Any]] = [{}]
    for cp in host.catalog.problems.values():
        if cp.plugin == plugin:
            contexts += [ex.context for ex in [*cp.problem.examples.flagged, *cp.problem.examples.clean] if ex.context]
    return sds.example_entities(host, plugin), contexts


def rule_plugins(host: Host) -> list[str]:
    """The plugins with at least one detect rule."""
    return sorted({cp.plugin for cp in host.catalog.problems.values() if cp.plugin != "core" and cp.root is not None})


@st.composite
def entity_batches(draw: st.DrawFn, host: Host, plugin: str | None = None) -> tuple[list[Any], dict[str, Any]]:
    """A few parsed entities built from one plugin's examples, and that plugin's context."""
    if plugin is None:
        plugin = draw(st.sampled_from(rule_plugins(host)))
    entities, contexts = seeds(host, plugin)
    entity = st.one_of(st.sampled_from(entities).flatmap(mutated), sds.plugin_entities(host, plugin))
    raw_batch = draw(st.lists(entity, min_size=1, max_size=3))
    raw_context = draw(st.sampled_from(contexts).flatmap(mutated))
    try:
        ctx = host.parse_context({plugin: raw_context}) if raw_context else {}
    except InputError:
        ctx = {}
    batch = []
    for raw in raw_batch:
        try:
            batch.append(host.parse_entity(raw))
        except InputError:
            continue
    return batch, ctx
