"""The fast paths of issue 19 answer exactly what the slow ones do: compiled optional segments,
the orjson lines of classify/validate, the shared Decimal decoder."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
from decimal import Decimal
from typing import Any

import pytest

from syncdoctor import Diagnosis, Finding, Host
from syncdoctor.model.jsonio import LineSink, diagnosis_json, diagnosis_line, entity_result_line, loads
from syncdoctor.model.text import FIELD, render
from syncdoctor.rules.remediation import CompiledPlan, compile_text
from syncdoctor.rules.schema import Problem


def _slow(plan: Any, params: dict[str, Any]) -> tuple[Any, ...]:
    return plan.render_title(params), plan.render_causes(params), plan.remediation(params)


def _fast(plan: Any, params: dict[str, Any]) -> tuple[Any, ...]:
    values = plan.diagnosis_values(params, 0, None)
    return values["title"], values["causes"], values["remediation"]


SEGMENTED = [
    "Call again[[ with trace {trace_id}]].",
    "[[{a} and {b}]][[ then {c}]] end",
    "amount[[ {amount} €]] for[[ {a}]]",
    "no field in [[a segment]] here",
    "[[ {a}:{b} ]]",
    "open [[ only {a}",
    "[[{a}]]{b}[[{c}]]",
    "escaped {{x}}[[ {a}]]",
    "spec [[{a:>5}]]",
]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_compiled_segments_render_as_render_does(lang: str) -> None:
    problem = Problem.model_validate({
        "id": "t.segments", "category": "data", "title": {"en": SEGMENTED[0], "fr": SEGMENTED[1]},
        "causes": [{"en": t, "fr": t} for t in SEGMENTED],
        "remediation": {"steps": [{"action": "contact_support", "system": "syncdoctor",
                                   "instructions": {"en": t, "fr": t}} for t in SEGMENTED]},
    })
    plan = CompiledPlan(problem, lang)
    values: list[Any] = [None, "", "  ", "x", Decimal("12.50"), 7, "{a}"]
    names = ["trace_id", "a", "b", "c", "amount"]
    for combo in itertools.product(values, repeat=3):
        for shift in range(len(names)):
            params = {n: v for n, v in zip(names[shift:] + names[:shift], combo, strict=False) if v is not None}
            assert _fast(plan, dict(params)) == _slow(plan, dict(params)), (lang, params)


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
def test_compiled_texts_render_as_render_does(lang: str) -> None:
    """Findings' messages are rendered by generated functions (compile_text): the same text as
    render for every shipped problem's message and the awkward templates, whatever the params."""
    host = Host.from_entry_points()
    templates = SEGMENTED + ["plain", "a } alone", "{0} positional", "{a.b} attribute", "{a!r} conversion"]
    templates += [cp.message[k] for cp in host.catalog.problems.values() for k in ("en", "fr")]
    values: list[Any] = [None, "", "x", Decimal("1234.5"), 7, "{a}", ["l"]]
    for template in templates:
        names = sorted(set(FIELD.findall(template)) | {"a", "b"})
        text = compile_text(template, lang)
        for value in values:
            for size in (0, 1, len(names)):
                params = {n: value for n in names[:size]}
                assert text(params) == render(template, params, lang), (template, params)


def _examples(host: Host) -> list[Diagnosis]:
    reports = []
    for cp in host.catalog.problems.values():
        for ex in cp.problem.examples.match:
            reports.append(ex if isinstance(ex, str) else ex.model_dump(exclude_none=True))
    return [d for lang in ("en", "fr") for ds in host.classify_many(reports, lang=lang) for d in ds]


def test_diagnosis_lines_are_the_models_json_for_every_shipped_example() -> None:
    host = Host.from_entry_points()
    diags = _examples(host)
    assert len(diags) > 100
    for diag in diags:
        line = diagnosis_line(diag)
        assert line.endswith(b"\n") and line.count(b"\n") == 1
        published = {"vendor": None, "category": None, **diag.model_dump(mode="json", exclude_none=True)}
        assert json.loads(line) == published  # design 7: vendor and category always, null when unknown
        assert json.loads(diagnosis_line(diag, {"vendor_guessed": True})) == {**published, "vendor_guessed": True}


AWKWARD: list[Any] = [
    Decimal("1E+2"), Decimal("-0.00"), dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), dt.date(2026, 1, 2),
    2**70, "lone \udc80 surrogate", "é ✓ \u2028", {"nested": [None, Decimal("3.10")]}, (1, 2), None, 1.5,
]


@pytest.mark.parametrize("value", AWKWARD, ids=repr)
def test_awkward_values_encode_as_before(value: Any) -> None:
    from syncdoctor.model.money import dumps

    diag = Diagnosis(problem="p", params={"v": value}, causes=["c"], input=3)
    old = (dumps(diagnosis_json(diag)) + "\n").encode("utf-8", "backslashreplace")
    line = diagnosis_line(diag)
    assert json.loads(line) == json.loads(old)
    if isinstance(value, str) and "\udc80" in value:
        assert line == old  # what stdout's backslashreplace wrote
    finding = Finding(problem="p", severity="error", entity="e", message="m", params={"v": value})
    old = (dumps({"entity": "e", "findings": [finding.model_dump(mode="json")]}) + "\n").encode("utf-8", "backslashreplace")
    assert json.loads(entity_result_line("e", [finding])) == json.loads(old)


@pytest.mark.parametrize("entity", ["e1", 'quote"d', "back\\slash", "tab\there", "é", 12, "", "\x7f"])
def test_entity_lines_without_findings(entity: Any) -> None:
    line = entity_result_line(entity, [])
    assert json.loads(line) == {"entity": entity, "findings": []}


def test_entity_result_lines_for_validation_results() -> None:
    host = Host.from_entry_points()
    raws = [{"kind": "journal_entry", "id": "j1", "lines": [{"account": "411", "debit": "1.00"}]},
            {"kind": "nope"}, "not an object"]
    for result in host.validate_many(raws):
        assert json.loads(entity_result_line(result.entity, result.findings)) == result.to_json()


def test_shared_decoder_keeps_decimals_and_reports_like_json_loads() -> None:
    assert loads('{"a": 1.10, "b": [2, 3e2]}') == {"a": Decimal("1.10"), "b": [2, Decimal("3e2")]}
    assert loads(b'{"a": 0.1}') == {"a": Decimal("0.1")}
    for bad in ["{", '\ufeff{"a": 1}', "[1,]"]:
        with pytest.raises(json.JSONDecodeError) as ours:
            loads(bad)
        with pytest.raises(json.JSONDecodeError) as theirs:
            json.loads(bad, parse_float=Decimal)
        assert str(ours.value) == str(theirs.value)


def test_line_sink_keeps_order_with_text_writes() -> None:
    raw = io.BytesIO()
    text = io.TextIOWrapper(raw, encoding="utf-8", write_through=False)
    text.write("before\n")
    sink = LineSink(text)
    sink.write(b"line\n")
    sink.flush()
    text.write("after\n")
    text.flush()
    assert raw.getvalue() == b"before\nline\nafter\n"
    plain = io.StringIO()
    sink = LineSink(plain)
    sink.write("é\n".encode())
    sink.flush()
    assert plain.getvalue() == "é\n"


def test_line_sink_writes_chunks_not_a_call_per_line() -> None:
    """With PYTHONUNBUFFERED, stdout's buffer is the raw file: a write per line was a system
    call per line. Lines are joined into chunks, none lost or reordered at the end."""

    class Raw(io.RawIOBase):
        def __init__(self) -> None:
            self.calls: list[bytes] = []

        def writable(self) -> bool:
            return True

        def write(self, data: Any) -> int:
            self.calls.append(bytes(data))
            return len(data)

    raw = Raw()
    text = io.TextIOWrapper(raw, encoding="utf-8", write_through=True)  # type: ignore[arg-type]
    sink = LineSink(text)
    lines = [f'{{"n": {i}, "pad": "{"x" * 100}"}}\n'.encode() for i in range(10_000)]
    for line in lines:
        sink.write(line)
    sink.flush()
    assert b"".join(raw.calls) == b"".join(lines)
    assert len(raw.calls) <= len(b"".join(lines)) // LineSink.CHUNK + 1 < 30
    assert all(len(c) < LineSink.CHUNK + 200 for c in raw.calls)
