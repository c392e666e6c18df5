"""Subtle defects of entities and the public entity strategies.

A *subtly invalid* entity is a valid one (see ``_entities``) with exactly one defect a target
would reject: an amount off by a cent, an auxiliary code with the wrong prefix, a string one
character past a limit, a misspelt status... :data:`DEFECTS` lists them for each kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from ._entities import CENT, KINDS, LIMITS, VALID_KINDS, money, strings_past_limit, words, wrong_prefix_codes

__all__ = ["DEFECTS", "entities", "invalid_entities", "malformed_entities", "valid_entities"]

# ---------------------------------------------------------------- defects

Defect = Callable[[st.DrawFn, dict[str, Any]], dict[str, Any] | None]


def _off_by_a_cent(field: str) -> Defect:
    def apply(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any] | None:
        return {**doc, field: doc[field] + draw(st.sampled_from([CENT, -CENT]))}
    return apply


def _line_off_by_a_cent(field: str) -> Defect:
    def apply(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any] | None:
        lines = [dict(line) for line in doc["lines"]]
        i = draw(st.integers(0, len(lines) - 1))
        lines[i][field] = lines[i][field] + CENT
        return {**doc, "lines": lines}
    return apply


def _unbalanced(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any] | None:
    lines = [dict(line) for line in doc["lines"]]
    i = draw(st.integers(0, len(lines) - 1))
    side = "debit" if lines[i]["debit"] else "credit"
    lines[i][side] = lines[i][side] + draw(st.sampled_from([CENT, -CENT]))
    return {**doc, "lines": lines}


def _auxiliary_wrong_prefix(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any] | None:
    lines = [dict(line) for line in doc["lines"]]
    for line in lines:
        if "auxiliary" in line:
            line["auxiliary"] = draw(wrong_prefix_codes())
    return {**doc, "lines": lines}


def _past_limit(field: str, limit: str) -> Defect:
    def apply(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any] | None:
        return {**doc, field: draw(strings_past_limit(LIMITS[limit]))}
    return apply


def _with(field: str, values: list[Any]) -> Defect:
    def apply(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any] | None:
        return {**doc, field: draw(st.sampled_from(values))}
    return apply


def _without(field: str) -> Defect:
    def apply(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any] | None:
        return {k: v for k, v in doc.items() if k != field}
    return apply


def _overpaid(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any] | None:
    return {**doc, "amount": doc["open_balance"] - doc["credits_applied"] + CENT}


def _due_before_issue(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any] | None:
    issue = dt.date.fromisoformat(doc["issue_date"])
    return {**doc, "due_date": (issue - dt.timedelta(days=1)).isoformat()}


def _vat_above_total(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any] | None:
    return {**doc, "vat_amount": doc["total"] + CENT}


def _sub_cent(field: str) -> Defect:
    def apply(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any] | None:
        return {**doc, field: doc[field] + Decimal("0.001")}
    return apply


def _naive_settled_at(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any] | None:
    return {**doc, "settled_at": doc["settled_at"][:19]}


def _attachment_too_big(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any] | None:
    big = {"filename": "scan.pdf", "content_type": "application/pdf", "size": LIMITS["attachment_size"] + 1}
    return {**doc, "attachments": [*doc.get("attachments", []), big]}


DEFECTS: Mapping[str, Mapping[str, Defect]] = {
    "journal_entry": {
        "unbalanced_by_a_cent": _unbalanced,
        "auxiliary_wrong_prefix": _auxiliary_wrong_prefix,
        "reference_past_limit": _past_limit("reference", "doc_number"),
        "attachment_past_limit": _attachment_too_big,
    },
    "customer": {
        "display_name_with_colon": lambda draw, doc: {**doc, "display_name": doc["display_name"] + ":" + draw(words(1, 10))},
        "display_name_past_limit": _past_limit("display_name", "display_name"),
        "display_name_with_newline": lambda draw, doc: {**doc, "display_name": doc["display_name"] + "\n"},
    },
    "service": {
        "name_past_limit": _past_limit("name", "service_name"),
        "income_account_not_income": lambda draw, doc: {**doc, "income_account": {"name": "Fees", "type": "Expense"}},
        "no_income_account": _without("income_account"),
    },
    "invoice": {
        "doc_number_past_limit": _past_limit("doc_number", "doc_number"),
        "total_off_by_a_cent": _off_by_a_cent("total"),
        "line_amount_off_by_a_cent": _line_off_by_a_cent("amount"),
        "open_balance_above_total": lambda draw, doc: {**doc, "open_balance": doc["total"] + CENT},
    },
    "payment": {
        "overpaid_by_a_cent": _overpaid,
        "negative_amount": lambda draw, doc: {**doc, "amount": -doc["amount"]},
    },
    "refund": {
        "negative_amount": lambda draw, doc: {**doc, "amount": -doc["amount"]},
        "zero_amount": lambda draw, doc: {**doc, "amount": Decimal("0.00")},
        "no_payment": lambda draw, doc: {k: v for k, v in doc.items() if k not in ("payment_id", "invoice_id")},
    },
    "expense": {
        "no_account": _without("account"),
        "account_not_expense": lambda draw, doc: {**doc, "account": {"name": "Sales", "type": "Income"}},
        "negative_amount": lambda draw, doc: {**doc, "amount": -doc["amount"]},
    },
    "pos_order": {
        "total_off_by_a_cent": _off_by_a_cent("total"),
        "line_amount_off_by_a_cent": _line_off_by_a_cent("amount"),
        "no_business_day": _without("business_day"),
    },
    "client_invoice": {
        "status_misspelt": _with("status", ["cancelled", "pending", "Paid"]),
        "due_before_issue": _due_before_issue,
        "vat_above_total": _vat_above_total,
    },
    "bank_transaction": {
        "already_booked": lambda draw, doc: {**doc, "tags": [*doc["tags"], "#Comptabilise"]},
        "amount_below_a_cent": _sub_cent("amount"),
        "settled_at_without_zone": _naive_settled_at,
    },
}
"""For each kind, the named defects :func:`invalid_entities` injects (one at a time)."""


# ---------------------------------------------------------------- public strategies


def valid_entities(kind: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Entities a target accepts: balanced, in-limit, well-prefixed, correctly spelt."""
    if kind is None:
        return st.one_of([VALID_KINDS[k]() for k in KINDS])
    if kind not in VALID_KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    return VALID_KINDS[kind]()


def invalid_entities(kind: str | None = None, defect: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Valid entities with exactly one defect (see :data:`DEFECTS`), e.g. off by a cent."""
    kinds = KINDS if kind is None else (kind,)
    for k in kinds:
        if k not in DEFECTS:
            raise ValueError(f"unknown kind {k!r}; one of {', '.join(KINDS)}")
        if defect is not None and defect not in DEFECTS[k]:
            raise ValueError(f"kind {k} has no defect {defect!r}; one of {', '.join(DEFECTS[k])}")

    @st.composite
    def one(draw: st.DrawFn, k: str) -> dict[str, Any]:
        doc = draw(VALID_KINDS[k]())
        name = defect or draw(st.sampled_from(sorted(DEFECTS[k])))
        broken = DEFECTS[k][name](draw, doc)
        return broken if broken is not None else doc

    return st.one_of([one(k) for k in kinds])


def entities(kind: str | None = None, *, valid: bool | None = None,
             target: str | None = None, source: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Entities of one kind (or any): valid, subtly invalid, or both (``valid=None``).

    ``target``/``source`` set the plugins the entity travels between (only their rules look
    at it).
    """
    if valid is True:
        base = valid_entities(kind)
    elif valid is False:
        base = invalid_entities(kind)
    else:
        base = st.one_of(valid_entities(kind), invalid_entities(kind))
    extra = {k: v for k, v in (("target", target), ("source", source)) if v is not None}
    return base.map(lambda doc: {**doc, **extra}) if extra else base


def _json_values(max_leaves: int = 8) -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-(10**12), 10**12), money("-1000", "1000"),
                        st.text(max_size=20))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                        max_leaves=max_leaves)


def malformed_entities(kinds: tuple[str, ...] = KINDS) -> st.SearchStrategy[Any]:
    """Input a host must turn into ``core.invalid_input``, never into an exception:
    missing or unknown kinds, fields of the wrong type (a binary float for money among
    them: it is refused, never rounded), non-objects."""
    wrong_field = st.builds(lambda k, f, v: {"kind": k, f: v}, st.sampled_from(kinds),
                            st.sampled_from(["total", "amount", "lines", "date", "name", "side", "attachments"]),
                            _json_values(4))
    return st.one_of(
        wrong_field,
        st.dictionaries(st.sampled_from(["id", "total", "lines", "name"]), _json_values(4), max_size=3),
        st.builds(lambda k: {"kind": k}, st.text(max_size=12)),
        _json_values(6),
        st.sampled_from([{"kind": None}, {"kind": 3}, {"kind": ["invoice"]}, {"kind": "invoice", "total": 1.5},
                         {"kind": "invoice", "total": "NaN"}, {"kind": "invoice", "total": "1e999999"}]),
    )
