"""The fingerprint: which params name an instance of a problem."""

from __future__ import annotations

from syncdoctor.ledger.fingerprint import fingerprint, identifying_params

PARAMS = {"doc_number": "1781", "txn_id": "3188", "trace_id": "abc", "supplied": "110", "nested": {"a": 1}}


def test_without_identity_scalar_params_but_per_attempt_ones_count() -> None:
    assert identifying_params(PARAMS) == {"doc_number": "1781", "supplied": "110", "txn_id": "3188"}


def test_identity_takes_exactly_the_named_params_absent_ones_as_null() -> None:
    assert identifying_params(PARAMS, ["txn_id", "element", "txn_id"]) == {"element": None, "txn_id": "3188"}
    assert identifying_params(PARAMS, []) == {}
    assert identifying_params(PARAMS, ["trace_id"]) == {"trace_id": "abc"}  # the pack's word wins


def test_fingerprints_follow_the_identity() -> None:
    def fp(params: dict, identity: list[str] | None = None) -> str:
        return fingerprint("t1", "firm-42", "quickbooks", "quickbooks.x", "i1", params, identity)

    assert fp({**PARAMS, "supplied": "104"}, ["doc_number"]) == fp(PARAMS, ["doc_number"])
    assert fp({**PARAMS, "supplied": "104"}) != fp(PARAMS)
    assert fp(PARAMS, []) == fp({}, [])
    # an identity naming every identifying param gives the fingerprint the default gives
    assert fp(PARAMS, ["doc_number", "supplied", "txn_id"]) == fp(PARAMS)
    # stable across releases: a ledger's open issues keep matching their retries
    assert fp({"doc_number": "1781", "trace_id": "x"}) == (
        "37bbdad4afa60efe8090d4f84e881f5ced91ad75853cb9efc3848371e17d34cd")


def test_a_ledger_without_a_host_refuses_rejections_even_with_their_diagnoses(db) -> None:  # type: ignore[no-untyped-def]
    """Its fingerprints would ignore the packs' identity: one failure, several issues."""
    import pytest

    from syncdoctor.ledger.ledger import Ledger

    event = {"client": "c", "vendor": "acd", "entity_id": "e1", "outcome": "rejected", "report": {"message": "x"}}
    with pytest.raises(RuntimeError, match="no Host"):
        Ledger(db).record_batch("t1", [event], diagnosed=[[{"problem": "acd.unbalanced_entry", "params": {}}]])
