"""The native engine's generated programs decide exactly as the shared route does.

``NativeEngine.fired`` runs one generated function per entity kind; ``Engine.fired`` builds
the subjects and decides each with the problem's own "fires" function. Both must give the
same problems, subjects and order, on values of every type (text, numbers, dates, booleans,
lists, mappings, nulls), with and without a context.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncdoctor import BatchState, Host, RulePackPlugin
from syncdoctor.engines.engine import Engine

from .generated import entity_batches

PACK = Path(__file__).parent / "packs" / "forms.yaml"


def longer(value: Any, limit: Any) -> bool | None:
    """A named check with every outcome: unknown for lists, raising for mappings."""
    if isinstance(value, list):
        return None
    if isinstance(value, dict):
        raise ValueError("a mapping has no length here")
    return len(str(value)) > int(limit)


class Forms(RulePackPlugin):
    name = "forms"
    rules = PACK

    def functions(self) -> dict[str, Any]:
        return {"forms.longer": longer}


FORMS = Host([Forms()])

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-20, 20),
    st.sampled_from(["", "a", "b", "1", "10", "F12", "4011", "VT", "R"]),
    st.decimals(min_value=-20, max_value=20, places=2, allow_nan=False, allow_infinity=False),
    st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 6, 1)),
    st.sampled_from(["2026-02-01", "2026-04-01", "not a date", Decimal("NaN"), Decimal("1E+40")]),
    st.lists(st.sampled_from(["a", 1, None]), max_size=3),
    st.dictionaries(st.sampled_from(["a", "1"]), st.integers(0, 2), max_size=2),
    st.text(max_size=4),
)


def _outline(fired: list[Any]) -> list[tuple[str, int | None, str]]:
    return [
        (cp.id, index, type(got).__name__ if isinstance(got, BaseException) else "fires")
        for cp, index, got in fired
    ]


def _same(host: Host, entity: Any, contexts: dict[str, Any]) -> None:
    engine = host.engine
    program = engine.fired(entity, contexts, BatchState())
    reference = Engine.fired(engine, entity, contexts, BatchState())
    assert _outline(program) == _outline(reference)
    for (_, _, got), (_, _, want) in zip(program, reference, strict=True):
        if not isinstance(got, BaseException):
            assert (got.subject, got.entity, got.context) == (want.subject, want.entity, want.context)  # type: ignore[union-attr]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    journal=VALUES,
    reference=st.one_of(st.none(), st.sampled_from(["R1", "X"])),
    x=VALUES,
    y=VALUES,
    date=st.one_of(st.none(), st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 6, 1))),
    party=st.one_of(st.none(), st.sampled_from(["supplier", "customer"])),
    lines=st.lists(
        st.fixed_dictionaries(
            {
                "account": st.sampled_from(["401", "512", "4"]),
                "tag": VALUES,
                "debit": st.sampled_from(["0", "1.5", "-2"]),
            }
        ),
        max_size=3,
    ),
    context=st.one_of(
        st.none(),
        st.fixed_dictionaries(
            {},
            optional={
                "limit": VALUES,
                "known": VALUES,
                "mode": st.sampled_from(["strict", "lax"]),
                "accounts": st.one_of(VALUES, st.dictionaries(st.sampled_from(["401", "512", "4", "VT", "a", "1"]),
                                                              st.fixed_dictionaries({}, optional={"enabled": VALUES}))),
            },
        ),
    ),
)
def test_every_inline_form_decides_as_the_shared_route(
    journal: Any, reference: Any, x: Any, y: Any, date: Any, party: Any, lines: list[Any], context: Any
) -> None:
    raw: dict[str, Any] = {
        "kind": "journal_entry",
        "reference": reference,
        "date": date,
        "lines": lines,
        "x": x,
        "y": y,
    }
    if isinstance(journal, str):
        raw["journal"] = journal
    if party:
        raw["party"] = {"type": party, "name": "P"}
    entity = FORMS.parse_entity(raw)
    _same(FORMS, entity, {"forms": context} if context is not None else {})


BUNDLED = Host.from_entry_points()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(data=st.data())
def test_bundled_packs_decide_as_the_shared_route(data: st.DataObject) -> None:
    batch, contexts = data.draw(entity_batches(BUNDLED))
    for entity in batch:
        _same(BUNDLED, entity, contexts)


def test_a_program_is_kept_per_kind_class_and_filter() -> None:
    engine = FORMS.engine
    entity = FORMS.parse_entity({"kind": "journal_entry", "journal": "VT"})
    assert [cp.id for cp, _, _ in engine.fired(entity, {}, BatchState())] == [
        "forms.eq_text",
        "forms.absent",
        "forms.empty",
        "forms.not_empty",
        "forms.sums",
        "forms.all_lines_raising",
    ]
    assert [cp.id for cp, _, _ in engine.fired(entity, {}, BatchState(), only="forms.eq_text")] == [
        "forms.eq_text"
    ]
    travelling = FORMS.parse_entity({"kind": "journal_entry", "journal": "VT", "target": "elsewhere"})
    assert (
        engine.fired(travelling, {}, BatchState()) == []
    )  # its rules belong to plugins it does not travel to


def test_values_of_an_unexpected_type_are_read_as_the_shared_route_reads_them() -> None:
    """A model built without validation may hold a dict where the class declares a model
    (a party, a line): generated reads check the class before reading its fields."""
    from syncdoctor import JournalEntry

    entity = JournalEntry.model_construct(
        journal="VT", party={"type": "supplier"}, lines=[{"account": "401", "debit": "2", "tag": "a"}, None]
    )
    _same(FORMS, entity, {})
    assert "forms.nested" in [cp.id for cp, _, _ in FORMS.engine.fired(entity, {}, BatchState())]


class _Touchy(str):
    """Text whose comparisons raise: the shared route meets them only with a list item."""

    def __lt__(self, other: object) -> bool:
        raise RuntimeError("compared")

    __gt__ = __eq__ = __ne__ = __lt__  # type: ignore[assignment]
    __hash__ = str.__hash__


def test_the_item_free_guard_runs_only_when_there_are_items() -> None:
    from syncdoctor import JournalEntry

    entity = JournalEntry.model_construct(journal=_Touchy("VT"), lines=[])
    only = "forms.item_entity"  # all: [$entity.journal eq VT, debit gt 0], for each line
    assert Engine.fired(FORMS.engine, entity, {}, BatchState(), only=only) == []
    assert FORMS.engine.fired(entity, {}, BatchState(), only=only) == []


def test_a_check_argument_is_absent_by_identity_not_equality() -> None:
    from unittest import mock

    entity = FORMS.parse_entity({"kind": "journal_entry", "x": mock.ANY, "y": 1})
    _same(FORMS, entity, {"forms": {"mode": "strict"}})


def test_a_program_compile_refuses_falls_back_to_the_shared_route(monkeypatch: pytest.MonkeyPatch) -> None:
    """A condition nested deeper than Python's parser goes cannot become a program: the
    engine then decides that kind through the shared route."""
    import syncdoctor.engines.native as engine_module
    from syncdoctor.engines.program import compile_program
    from syncdoctor.rules.conditions.tree import Leaf, Node

    deep = Node("leaf", leaf=Leaf("bool", "true", lambda s: True, "t"))
    for _ in range(5000):
        deep = Node("not", [Node("not", [deep])])
    problem = FORMS.catalog.problems["forms.eq_text"]
    with pytest.raises((SyntaxError, RecursionError, MemoryError)):
        compile_program(type(FORMS.parse_entity({"kind": "journal_entry"})), [(_Deep(problem, deep), "forms", None, [])], "t")

    def refuse(*args: Any) -> Any:
        raise RecursionError("too deep")

    monkeypatch.setattr(engine_module, "compile_program", refuse)
    engine = FORMS.make_engine("native")
    entity = FORMS.parse_entity({"kind": "journal_entry", "journal": "VT"})
    _same(FORMS, entity, {})
    assert _outline(engine.fired(entity, {}, BatchState())) == _outline(Engine.fired(engine, entity, {}, BatchState()))
    (program,) = engine._programs.values()  # type: ignore[attr-defined]
    assert program.__name__ == "shared"


class _Deep:
    def __init__(self, problem: Any, root: Any) -> None:
        self.id, self.root, self.fires, self.repeats = problem.id, root, problem.fires, []


def test_unknown_sources_share_one_program() -> None:
    engine = FORMS.make_engine("native")
    for i in range(50):
        entity = FORMS.parse_entity({"kind": "journal_entry", "journal": "VT", "source": f"vendor{i}"})
        engine.fired(entity, {}, BatchState())
    assert len(engine._programs) == 1  # type: ignore[attr-defined]
