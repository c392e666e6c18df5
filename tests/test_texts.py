"""Advice that fits the message (issue 14, part 4), checked over every loaded problem.

Each problem's own examples are rendered as a user reads them, in English and in French: the
diagnosis of every `match` example (title, causes, steps, alternatives) and, for every
`flagged` example, the finding's message and the plan for its params. None may show a
placeholder left unfilled (the ellipsis the renderer puts for a missing param, a `{name}`, an
optional-segment bracket), and no text may refer to the documents the packs were written from
(their "seed", a "row", something done "by mistake"): users never saw them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest

from syncdoctor import ErrorReport, Host

LANGS = ("en", "fr")
UNFILLED = re.compile(r"…|\{[A-Za-z_][A-Za-z0-9_]*\}|\[\[|\]\]")
# words about where the knowledge came from, not about the user's problem
SOURCE_WORDS = re.compile(r"(?i)\bseeds?\b|\brows? \d+\b|\bby mistake\b|\bpar erreur\b|\bligne \d+ de la source\b")


@cache
def _host() -> Host:
    return Host.from_entry_points()


def _problems() -> list[Any]:
    return [cp for cp in _host().catalog.problems.values() if cp.plugin != "core"]


def _report(example: Any, plugin: str) -> ErrorReport:
    if isinstance(example, str):
        return ErrorReport(vendor=plugin, message=example)
    return ErrorReport(vendor=example.vendor or plugin, message=example.message, code=example.code,
                       http_status=example.http_status, payload=example.payload)


def _plan_texts(plan: Any) -> Iterator[tuple[str, str]]:
    plan = plan if isinstance(plan, dict) else plan.model_dump()
    for i, step in enumerate(plan.get("steps", [])):
        yield f"steps[{i}]", step["instructions"]
    for a, alt in enumerate(plan.get("alternatives", [])):
        yield f"alternatives[{a}].title", alt["title"]
        for i, step in enumerate(alt.get("steps", [])):
            yield f"alternatives[{a}].steps[{i}]", step["instructions"]


def _rendered(cp: Any, lang: str) -> Iterator[tuple[str, str]]:
    """Every text a user reads for this problem's examples, with where it comes from."""
    host = _host()
    for n, example in enumerate(cp.problem.examples.match):
        for diag in host.classify(_report(example, cp.plugin), vendor=cp.plugin, lang=lang):
            if diag.problem != cp.id:
                continue
            where = f"match #{n + 1}"
            yield f"{where} title", diag.title
            for i, cause in enumerate(diag.causes):
                yield f"{where} causes[{i}]", cause
            for name, text in _plan_texts(diag.remediation):
                yield f"{where} {name}", text
    for n, example in enumerate(cp.problem.examples.flagged):
        if example.batch:
            continue  # correlation examples need their batch; their texts are checked by the others
        context = {cp.plugin: example.context} if example.context is not None else None
        for finding in host.validate(example.entity, context, lang=lang):
            if finding.problem != cp.id:
                continue
            where = f"flagged #{n + 1}"
            yield f"{where} message", finding.message
            plans = host.remediate(cp.id, finding.params, example.entity, context, lang=lang)
            for plan in plans:
                for name, text in _plan_texts(plan):
                    yield f"{where} {name}", text


def _ids() -> list[str]:
    return [cp.id for cp in _problems()]


# QuickBooks texts still to put in optional segments (plugins/quickbooks belongs to the QuickBooks
# field helper; asked in TEAM.md Live notes). Not strict: the mark goes when a text is fixed.
PENDING: set[str] = set()


def _placeholder_cases() -> list[Any]:
    return [pytest.param(pid, marks=pytest.mark.xfail(reason="text not yet in optional segments", strict=False))
            if pid in PENDING else pid for pid in _ids()]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("pid", _placeholder_cases())
def test_no_placeholder_reaches_a_reader(pid: str, lang: str) -> None:
    cp = _host().catalog.problems[pid]
    bad = [f"{where}: {text!r}" for where, text in _rendered(cp, lang) if UNFILLED.search(text)]
    assert not bad, f"{pid} ({lang}) shows an unfilled placeholder:\n" + "\n".join(bad)


def _raw_texts(problem: Any) -> Iterator[tuple[str, str]]:
    texts = [("title", problem.title)] + [(f"causes[{i}]", c) for i, c in enumerate(problem.causes)]
    if problem.message is not None:
        texts.append(("message", problem.message))
    steps = [(f"steps[{i}]", s) for i, s in enumerate(problem.remediation.steps)]
    for a, alt in enumerate(problem.remediation.alternatives):
        texts.append((f"alternatives[{a}].title", alt.title))
        steps += [(f"alternatives[{a}].steps[{i}]", s) for i, s in enumerate(alt.steps)]
    texts += [(name, s.instructions) for name, s in steps]
    for name, text in texts:
        yield name, text.en
        yield name, text.fr


@pytest.mark.parametrize("pid", _ids())
def test_texts_do_not_refer_to_the_source_documents(pid: str) -> None:
    problem = _host().catalog.problems[pid].problem
    bad = [f"{name}: {text!r}" for name, text in _raw_texts(problem) if SOURCE_WORDS.search(text)]
    assert not bad, f"{pid} speaks of its source documents, which users never saw:\n" + "\n".join(bad)


def test_the_checks_can_fail() -> None:
    """The patterns above catch what they are for (and a text without them passes)."""
    assert UNFILLED.search("Contact support with the trace_id … and the time")
    assert UNFILLED.search("Open {folder} in ACD") and UNFILLED.search("call[[ ({trace_id})]]")
    assert not UNFILLED.search("Open the folder in ACD (journal AC)")
    assert SOURCE_WORDS.search("As the seed gives it") and SOURCE_WORDS.search("the fix for row 10")
    assert SOURCE_WORDS.search("The customer was deleted by mistake")
    assert not SOURCE_WORDS.search("The customer was deleted in QuickBooks")


def test_an_optional_segment_follows_the_params() -> None:
    """The renderer's contract the texts rely on: a segment shows only with all its params."""
    from syncdoctor import Text

    text = Text(en="Contact support[[ with the trace_id {trace_id}]][[ ({status})]].",
                fr="Contactez le support[[ avec le trace_id {trace_id}]][[ ({status})]].")
    assert text.render("en", {"trace_id": "T-1"}) == "Contact support with the trace_id T-1."
    assert text.render("fr", {}) == "Contactez le support."
    assert text.render("en", {"trace_id": "  ", "status": 500}) == "Contact support (500)."
    assert text.render("en", {"trace_id": None, "status": 0}) == "Contact support (0)."


def test_malformed_segments_are_reported_to_pack_authors() -> None:
    """The conformance suite (and so `rules lint` users' tests) names a segment left open or nested."""
    from syncdoctor.testing import _static  # the static checks of the kit, not a core module

    assert _static._segment_error("call[[ ({trace_id})]] again") is None
    assert _static._segment_error("call[[ ({trace_id}) again") == "a [[ left open"
    assert _static._segment_error("call]] again") == "a ]] without its [["
    assert _static._segment_error("[[a [[ {b}]] c]]") == "a segment inside another"


CATEGORY_PENDING: set[str] = set()


@pytest.mark.parametrize("plugin", sorted({cp.plugin for cp in _host().catalog.problems.values()}))
def test_every_category_has_a_french_label(plugin: str) -> None:
    """A French reader sees categories in French: each pack gives `category: {en, fr}`."""
    if plugin in CATEGORY_PENDING:
        pytest.xfail("QuickBooks categories are given in English only so far")
    missing = sorted({cp.problem.category for cp in _host().catalog.problems.values()
                      if cp.plugin == plugin and not cp.problem.category_fr})
    assert not missing, f"{plugin}: categories without a French label: {missing}"


def test_french_texts_write_amounts_with_a_decimal_comma() -> None:
    """Amounts (Decimal params) read 30,00 in French and 30.00 in English; codes and account
    numbers a message gave are shown as given, and params stay data."""
    from decimal import Decimal

    host = _host()
    order = {"kind": "pos_order", "id": "A2", "business_day": "2026-09-02", "total": "27.00",
             "lines": [{"amount": "30.00"}]}
    context = {"pos_pennylane": {"tolerance": "0.01"}}
    [fr] = [f for f in host.validate(order, context, lang="fr") if f.problem == "pos_pennylane.lines_total_mismatch"]
    [en] = [f for f in host.validate(order, context, lang="en") if f.problem == "pos_pennylane.lines_total_mismatch"]
    assert "lignes 30,00" in fr.message and "tolérance 0,01" in fr.message
    assert "lines 30.00" in en.message and "tolerance 0.01" in en.message
    assert fr.params["total"] == Decimal("27.00")
    [d] = host.classify({"message": "The account 40100 does not exist"}, vendor="acd", lang="fr")
    assert "40100" in d.title  # a code from the message is text: never re-punctuated
