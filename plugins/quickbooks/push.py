"""The tools ``quickbooks.push`` and ``quickbooks.push_batch``: send entities as TaxDome would.

Like TaxDome, the push first resolves what an entity refers to: the customer by exact
DisplayName (or the QuickBooks id the account was synced with, ``customer.qbo_id``), items
and accounts by name, and the payment method, creating a CREDIT_CARD method when the name
looks like a card (which is how a NON_CREDIT_CARD "Credit Card" method ends in TaxDome's
"Duplicate Name Exists Error"). A customer with no exact match gets TaxDome's own message,
"Can't find an exact match for … in your QuickBooks account", without a request.

The answer is a list of :class:`~syncdoctor.ErrorReport`, one per QuickBooks error (read
from the Fault, whatever the HTTP status); ``[]`` means QuickBooks accepted the entity.
Writes carry a ``requestid`` so that a retried request cannot create the entity twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from syncdoctor import Customer, EntityBase, ErrorReport, Expense, Invoice, Payment, Service

from .checks import is_credit_card_method
from .client import MINOR_VERSION, answer, jsonable, make_client, quote
from .faults import split_faults
from .mapping import ENTITY_OF_KIND, Refs, to_qbo

if TYPE_CHECKING:  # httpx and the vendor client load when a push starts, not with the plugin
    import httpx

    from syncdoctor import RetryPolicy, VendorClient

__all__ = ["BATCH_SIZE", "push", "push_batch"]

BATCH_SIZE = 30  # Intuit's recommended maximum per batch request


_MODELS: dict[str, type[EntityBase]] = {
    "invoice": Invoice, "payment": Payment, "service": Service, "customer": Customer, "expense": Expense,
}


def _entity(value: EntityBase | Mapping[str, Any]) -> EntityBase:
    if isinstance(value, EntityBase):
        return value
    model = _MODELS.get(str(value.get("kind")))
    if model is None:
        raise ValueError(f"QuickBooks takes {', '.join(_MODELS)} entities, not {value.get('kind')!r}")
    return model.model_validate(dict(value))


class _Company:
    """Look-ups against the company, through one client."""

    def __init__(self, client: VendorClient, realm_id: str) -> None:
        self.client = client
        self.realm_id = realm_id

    def query(self, resource: str, where: str) -> list[dict[str, Any]]:
        _, body = answer(
            self.client, "GET", f"/v3/company/{self.realm_id}/query",
            params={"query": f"select * from {resource} where {where}", "minorversion": MINOR_VERSION},
        )
        if not isinstance(body, dict):
            return []
        return list((body.get("QueryResponse") or {}).get(resource) or [])

    def first(self, resource: str, field: str, name: str, *, inactive: bool = False) -> dict[str, Any] | None:
        where = f"{field} = {quote(name)}" + (" and Active IN (true, false)" if inactive else "")
        rows = self.query(resource, where)
        return rows[0] if rows else None

    def post(self, segment: str, body: Any) -> tuple[int, Any]:
        return answer(
            self.client, "POST", f"/v3/company/{self.realm_id}/{segment}",
            params={"minorversion": MINOR_VERSION, "requestid": uuid.uuid4().hex}, json=jsonable(body),
            repeatable=True,  # the requestid makes a retry safe: QuickBooks answers it from the first write
        )


def _refs(company: _Company, entity: EntityBase) -> tuple[Refs, list[ErrorReport]]:
    """Resolve names to QuickBooks ids as TaxDome does; TaxDome-side failures as reports."""
    refs = Refs()
    party = getattr(entity, "customer", None)
    if party is not None and entity.kind in ("invoice", "payment", "refund"):
        synced = (party.model_extra or {}).get("qbo_id")
        if synced:
            refs.customer = str(synced)
        elif party.name:
            row = company.first("Customer", "DisplayName", party.name)
            if row is None or row.get("DisplayName") != party.name:  # TaxDome needs the exact name
                message = f"Can't find an exact match for {party.name} in your QuickBooks account"
                return refs, [ErrorReport(vendor="taxdome", message=message, record=entity.id)]
            refs.customer = str(row["Id"])
    for line in getattr(entity, "lines", None) or []:
        name = getattr(line, "item", None)
        if name and name not in refs.items:
            row = company.first("Item", "Name", name)
            if row is not None:
                refs.items[name] = str(row["Id"])
    for account in (getattr(entity, "income_account", None), getattr(entity, "account", None)):
        if account is not None and account.name and not account.id:
            row = company.first("Account", "Name", account.name)
            if row is not None:
                refs.accounts[account.name] = str(row["Id"])
    if entity.kind == "expense":
        bank = str((entity.model_extra or {}).get("paid_from") or "Checking")
        row = company.first("Account", "Name", bank)
        if row is not None:
            refs.accounts[bank] = str(row["Id"])
    method = getattr(entity, "method", None)
    if entity.kind == "payment" and method:
        row = company.first("PaymentMethod", "Name", method)
        card = bool(is_credit_card_method(method))
        if row is None or (card and row.get("Type") != "CREDIT_CARD"):
            # TaxDome creates its own method of the right type; a same-named one of the
            # other type makes QuickBooks answer 6240 Duplicate Name Exists Error.
            status, body = company.post("paymentmethod", {"Name": method, "Type": "CREDIT_CARD" if card else "NON_CREDIT_CARD"})
            created = (body or {}).get("PaymentMethod") if isinstance(body, dict) else None
            if created is None:
                return refs, _reports(entity, status, body)
            row = created
        refs.payment_method = str(row["Id"])
    return refs, []


def _reports(entity: EntityBase, status: int, body: Any, record: str | None = None) -> list[ErrorReport]:
    report = ErrorReport(vendor="quickbooks", http_status=status, payload=body, record=record or entity.id)
    parts = split_faults(report)
    if parts != [report]:
        return parts
    if status >= 400:  # refused without a readable Fault
        return [report.model_copy(update={"message": str(body)[:300] if body else f"HTTP {status}"})]
    return []


def push(
    base_url: str,
    realm_id: str,
    token: Any,
    entity: EntityBase | Mapping[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
    retry: RetryPolicy | None = None,
) -> list[ErrorReport]:
    """Create (or update, with ``qbo_id`` + ``sync_token``) one entity in QuickBooks."""
    parsed = _entity(entity)
    with make_client(base_url, token, transport=transport, retry=retry) as client:
        company = _Company(client, realm_id)
        refs, refused = _refs(company, parsed)
        if refused:
            return refused
        segment = ENTITY_OF_KIND[parsed.kind].lower() if parsed.kind in ENTITY_OF_KIND else parsed.kind
        body = to_qbo(parsed, refs)
        status, answer = company.post(segment, body)
        return _reports(parsed, status, answer)


def push_batch(
    base_url: str,
    realm_id: str,
    token: Any,
    entities: Iterable[EntityBase | Mapping[str, Any]],
    *,
    transport: httpx.BaseTransport | None = None,
    retry: RetryPolicy | None = None,
) -> dict[str, list[ErrorReport]]:
    """Send entities in batch requests of 30; returns each entity id's reports (``[]`` = accepted).

    An entity without an id is keyed by its position in ``entities``.
    """
    out: dict[str, list[ErrorReport]] = {}
    with make_client(base_url, token, transport=transport, retry=retry) as client:
        company = _Company(client, realm_id)
        pending: list[tuple[str, EntityBase, dict[str, Any]]] = []
        for index, raw in enumerate(entities):
            entity = _entity(raw)
            key = entity.id or str(index)
            refs, refused = _refs(company, entity)
            if refused:
                out[key] = refused
                continue
            resource = ENTITY_OF_KIND.get(entity.kind)
            if resource is None:
                raise ValueError(f"QuickBooks takes {', '.join(ENTITY_OF_KIND)} entities, not {entity.kind!r}")
            out[key] = []
            operation = "update" if (entity.model_extra or {}).get("qbo_id") else "create"
            pending.append((key, entity, {"bId": key, "operation": operation, resource: to_qbo(entity, refs)}))
        for start in range(0, len(pending), BATCH_SIZE):
            chunk = pending[start:start + BATCH_SIZE]
            status, answer = company.post("batch", {"BatchItemRequest": [item for _, _, item in chunk]})
            for report in _reports(chunk[0][1], status, answer, record="batch"):
                key = str(report.params.get("batch_id") or "")
                owner = next((k for k, _, _ in chunk if k == key), None)
                if owner is not None:
                    out[owner].append(report.model_copy(update={"record": owner}))
                else:  # the whole batch was refused: every item shares the answer
                    for k, _, _ in chunk:
                        out[k].append(report.model_copy(update={"record": k}))
    return out
