"""Hypothesis strategies for fuzzing rule packs and plugins.

Entities (JSON documents with ``kind``; money is always :class:`~decimal.Decimal`)::

    from hypothesis import given
    from syncdoctor.testing import strategies as sds

    @given(sds.invalid_entities("invoice", defect="total_off_by_a_cent"))
    def test_total_checked(syncdoctor_host, doc): ...

* :func:`valid_entities`, :func:`invalid_entities` (one defect from :data:`DEFECTS`),
  :func:`entities`, :func:`malformed_entities`;
* building blocks: :func:`money`, :func:`auxiliary_codes`, :func:`wrong_prefix_codes`,
  :func:`strings_within_limit`, :func:`strings_past_limit` (:data:`LIMITS`);
* plugin-aware: :func:`example_entities` and :func:`mutated_examples` (a plugin's own
  example entities, with one value changed), :func:`plugin_entities` (all of these).

Error reports: :func:`error_reports`, :func:`vendor_messages` (the packs' example messages
with their values varied), :func:`fault_payloads` / :func:`fault_reports` (QuickBooks-like
Faults), :func:`adversarial_text`, :func:`non_utf8_text`.

Contexts: :func:`contexts` (instances of a context model), :func:`plugin_contexts`
(``{plugin: ...}`` documents, from the examples and from the model).
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from ._contexts import contexts, example_contexts, plugin_contexts
from ._defects import DEFECTS, entities, invalid_entities, malformed_entities, valid_entities
from ._entities import (
    ACCOUNT_KEYS,
    CENT,
    KINDS,
    LIMITS,
    auxiliary_codes,
    money,
    strings_past_limit,
    strings_within_limit,
    wrong_prefix_codes,
)
from ._reports import (
    adversarial_text,
    error_reports,
    example_reports,
    fault_payloads,
    fault_reports,
    non_utf8_text,
    vendor_messages,
)

if TYPE_CHECKING:
    from syncdoctor import Host

__all__ = [
    "ACCOUNT_KEYS",
    "adversarial_text",
    "auxiliary_codes",
    "CENT",
    "contexts",
    "DEFECTS",
    "entities",
    "error_reports",
    "example_contexts",
    "example_entities",
    "example_reports",
    "fault_payloads",
    "fault_reports",
    "invalid_entities",
    "KINDS",
    "LIMITS",
    "malformed_entities",
    "money",
    "mutated_examples",
    "non_utf8_text",
    "plugin_contexts",
    "plugin_entities",
    "plugin_kinds",
    "strings_past_limit",
    "strings_within_limit",
    "valid_entities",
    "vendor_messages",
    "wrong_prefix_codes",
]


def example_entities(host: Host, plugin: str) -> list[dict[str, Any]]:
    """Every entity written in a plugin's examples (flagged, clean and their batches)."""
    out: list[dict[str, Any]] = []
    for cp in host.catalog.problems.values():
        if cp.plugin != plugin:
            continue
        ex = cp.problem.examples
        for example in [*ex.flagged, *ex.clean]:
            for doc in [*example.batch, example.entity]:
                if doc not in out:
                    out.append(doc)
    return out


def plugin_kinds(host: Host, plugin: str) -> list[str]:
    """The entity kinds a plugin's rules look at (all kinds when a rule says ``*``)."""
    kinds: set[str] = set()
    for cp in host.catalog.problems.values():
        if cp.plugin == plugin and cp.problem.detect is not None:
            kinds.update(cp.problem.detect.kinds)
    if "*" in kinds:
        return sorted(set(host.entity_models))
    return sorted(kinds)


def _leaves(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(doc, dict):
        out = [path] if path else []
        for key, value in doc.items():
            if key != "kind":
                out.extend(_leaves(value, (*path, key)))
        return out
    if isinstance(doc, list):
        out = [path] if path else []
        for i, value in enumerate(doc):
            out.extend(_leaves(value, (*path, i)))
        return out
    return [path]


def _mutations(value: Any) -> st.SearchStrategy[Any]:
    """Values near ``value``: one cent off, one character more, the other prefix, missing."""
    options: list[st.SearchStrategy[Any]] = [st.none()]
    if isinstance(value, bool):
        options.append(st.just(not value))
    elif isinstance(value, (int, Decimal)) or _is_number(value):
        number = Decimal(str(value))
        if number.is_finite() and (not number or abs(number.adjusted()) <= 15):
            options += [st.sampled_from([number + CENT, number - CENT, -number, Decimal("0"), number * 10])]
        else:  # text such as "1e999999" parses as a number no amount can be: keep it as it is
            options.append(st.just(value))
    elif isinstance(value, str):
        options += [
            st.just(value + "X"),
            st.just(value[1:]),
            st.just(""),
            wrong_prefix_codes().map(lambda c: c[0] + value[1:] if value else c),
            st.just(value.upper() if value != value.upper() else value.lower()),
            adversarial_text(surrogates=False, huge=False),
        ]
    elif isinstance(value, list):
        options += [st.just([]), st.just(value + value[-1:]), st.just(value[1:])]
    elif isinstance(value, dict):
        options += [st.just({})]
    return st.one_of(options)


def _is_number(value: Any) -> bool:
    if not isinstance(value, str) or not value or len(value) > 30:
        return False
    try:
        return Decimal(value).is_finite()
    except ArithmeticError:
        return False


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(doc)
    node = out
    for key in path[:-1]:
        node = node[key]
    if value is None and isinstance(node, dict):
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    return out


@st.composite
def _mutate(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any]:
    paths = _leaves(doc)
    if not paths:
        return doc
    for _ in range(draw(st.integers(1, 2))):
        path = draw(st.sampled_from(paths))
        node: Any = doc
        try:
            for key in path:
                node = node[key]
            doc = _set(doc, path, draw(_mutations(node)))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this place
        paths = _leaves(doc) or paths
    return doc


def mutated_examples(host: Host, plugin: str) -> st.SearchStrategy[dict[str, Any]]:
    """A plugin's example entities with one or two values changed: the closest fuzzing to
    what its rules actually read."""
    written = example_entities(host, plugin)
    if not written:
        return st.nothing()
    return st.sampled_from(written).flatmap(_mutate)


def plugin_entities(host: Host, plugin: str) -> st.SearchStrategy[Any]:
    """Entities to fuzz one plugin with: its examples (as written and mutated), generated
    entities of the kinds its rules read (valid and subtly invalid) and malformed input."""
    options: list[st.SearchStrategy[Any]] = []
    written = example_entities(host, plugin)
    if written:
        options += [st.sampled_from(written), mutated_examples(host, plugin), mutated_examples(host, plugin)]
    core_kinds = [k for k in plugin_kinds(host, plugin) if k in KINDS] or list(KINDS)
    options += [entities(k) for k in core_kinds]
    options.append(malformed_entities(tuple(core_kinds)))
    return st.one_of(options)
