"""Properties: classify and validate never raise, whatever the input."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncdoctor import Host

from .sample_plugin import Sample

HOST = Host([Sample()])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=50) | st.decimals(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)
kinds = st.sampled_from(["journal_entry", "invoice", "payment", "pos_order", "bank_transaction", "service", "x", None])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.text(max_size=10), json_values, max_size=6), kinds)
def test_validate_never_raises(record: dict[str, Any], kind: str | None) -> None:
    if kind is not None:
        record["kind"] = kind
    results = list(HOST.validate_many([record, {"kind": "journal_entry"}]))
    assert len(results) == 2
    for finding in results[0].findings:
        assert finding.problem


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=2000), st.one_of(st.none(), st.text(max_size=10)), st.one_of(st.none(), st.integers()))
def test_classify_never_raises(message: str, code: str | None, status: int | None) -> None:
    diags = HOST.classify({"message": message, "code": code, "http_status": status, "vendor": None})
    assert diags and all(d.problem for d in diags)


@settings(max_examples=60, deadline=None)
@given(json_values)
def test_classify_accepts_any_json_record(record: Any) -> None:
    diags = next(HOST.classify_many([record]))
    assert diags[0].problem in {"unknown", "core.invalid_input", "sample.bad_prefix"}


def test_classify_a_megabyte_of_adversarial_text() -> None:
    text = ("a" * 50 + "(" * 10 + "The account ") * 17_000 + "X does not exist"
    assert len(text) > 1_000_000
    assert HOST.classify(text)[0].problem == "sample.bad_prefix"
