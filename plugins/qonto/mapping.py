"""Qonto data as accounting entries: the tools ``qonto.to_entries`` and ``qonto.payment_entry``.

Other plugins reach them through ``host.tool(name)`` (plugins never import each other). The
settings are the ``qonto`` context model (:class:`~syncdoctor_qonto.context.QontoContext`);
keys it does not know are ignored, so a target may pass its own settings object.

* A payment made from Qonto (seed 002, "Transaction de paiement") becomes a settlement entry
  in the bank journal: the amount on the debit (supplier 401 + auxiliary F…) and on the credit
  (the treasury account of the Qonto account); reference -> piece number; note -> label;
  execution date -> entry date; supplier -> label and third-party account.
* A bank transaction becomes a bank-journal entry: treasury account against the suspense
  account (or the third party's account). ``#Comptabilise`` ones are skipped (already booked).
* A client invoice becomes a sales entry: 411 + C… debit TTC, 706 credit HT, 44571 credit VAT.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from syncdoctor import (
    Attachment,
    BankTransaction,
    ClientInvoice,
    EntityBase,
    JournalEntry,
    JournalLine,
    Party,
)

from .checks import is_booked
from .context import QontoContext
from .entities import SupplierPayment, parse_french_date
from .window import PARIS

__all__ = ["auxiliary_code", "payment_entry", "settings_from", "to_entries"]

ZERO = Decimal("0")


def settings_from(settings: Mapping[str, Any] | QontoContext | None) -> QontoContext:
    """The mapping settings, from a dict (unknown keys ignored) or a parsed context."""
    if isinstance(settings, QontoContext):
        return settings
    known = QontoContext.model_fields
    return QontoContext.model_validate({k: v for k, v in (settings or {}).items() if k in known})


def auxiliary_code(prefix: str, name: str, max_length: int | None = None) -> str:
    """ACD's auxiliary code for a third party: F (suppliers) or C (customers) + the name in
    capitals, accents removed, letters and digits only: ``AARO`` -> ``FAARO``."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    code = prefix + re.sub(r"[^A-Z0-9]", "", plain.upper())
    return code[:max_length] if max_length else code


def _bank(settings: QontoContext, account: str | None) -> tuple[str, str]:
    """Journal and treasury account: those of this Qonto account if the folder maps it, else the defaults."""
    mapped = settings.bank_accounts.get((account or "").replace(" ", "")) if account else None
    journal = (mapped.bank_journal if mapped else None) or settings.bank_journal
    treasury = (mapped.treasury_account if mapped else None) or settings.treasury_account
    return journal, treasury


def _line(account: str, debit: Decimal = ZERO, credit: Decimal = ZERO, auxiliary: str | None = None,
          label: str | None = None, vat_code: str | None = None) -> JournalLine:
    return JournalLine(account=account, auxiliary=auxiliary, label=label, debit=debit, credit=credit, vat_code=vat_code)


def payment_entry(payment: Mapping[str, Any] | SupplierPayment, settings: Mapping[str, Any] | QontoContext | None = None
                  ) -> JournalEntry:
    """The settlement entry generated when a payment is made from Qonto (seed 002).

    ``payment``: ``amount``, ``reference``, ``note``, ``execution_date`` (``2026-06-09`` or
    ``09/06/2026``), ``supplier`` (a name, or ``{"name": ...}``), ``debtor_account`` (the
    Qonto account's IBAN, which selects the treasury account) and ``creditor_iban``.
    """
    raw = payment.model_dump() if isinstance(payment, SupplierPayment) else dict(payment)
    supplier = raw.get("supplier")
    if isinstance(supplier, Mapping):
        supplier = supplier.get("name")
    raw["supplier"] = supplier
    raw.setdefault("execution_date", raw.get("date"))
    raw["execution_date"] = parse_french_date(raw.get("execution_date"))
    parsed = SupplierPayment.model_validate({**raw, "kind": "supplier_payment"})
    missing = [name for name in ("amount", "execution_date", "supplier") if getattr(parsed, name) in (None, "")]
    if missing:
        raise ValueError(f"the payment lacks {', '.join(missing)} (problem qonto.missing_information)")
    assert parsed.amount is not None and parsed.supplier is not None
    conf = settings_from(settings)
    journal, treasury = _bank(conf, parsed.debtor_account)
    note = (parsed.note or "").strip()
    label = f"{parsed.supplier} - {note}" if note else parsed.supplier
    amount = abs(parsed.amount)
    aux = auxiliary_code("F", parsed.supplier, conf.auxiliary_max_length)
    return JournalEntry(
        id=parsed.id or (f"qonto-payment-{parsed.reference}" if parsed.reference else None),
        source="qonto",
        target=conf.target,
        journal=journal,
        date=parsed.execution_date,
        reference=parsed.reference,
        label=label,
        currency=parsed.currency,
        party=Party(type="supplier", name=parsed.supplier, iban=parsed.creditor_iban),
        lines=[
            _line(conf.supplier_account, debit=amount, auxiliary=aux, label=label),
            _line(treasury, credit=amount, label=label),
        ],
        attachments=parsed.attachments,
        debtor_account=parsed.debtor_account,
    )


def _transaction_entry(tx: BankTransaction, conf: QontoContext) -> JournalEntry:
    journal, treasury = _bank(conf, getattr(tx, "account", None))
    name = tx.counterparty or tx.label or "QONTO"
    label = tx.label or name
    amount = abs(tx.amount)
    money_out = tx.side == "debit"
    party_type = "supplier" if money_out else "customer"
    if conf.counterpart == "third_party":
        account = conf.supplier_account if money_out else conf.customer_account
        aux: str | None = auxiliary_code("F" if money_out else "C", name, conf.auxiliary_max_length)
    else:
        account, aux = conf.suspense_account, None
    when = tx.settled_at or tx.emitted_at
    counterpart = _line(account, debit=amount if money_out else ZERO, credit=ZERO if money_out else amount,
                        auxiliary=aux, label=label)
    bank = _line(treasury, debit=ZERO if money_out else amount, credit=amount if money_out else ZERO, label=label)
    return JournalEntry(
        id=tx.id,
        source="qonto",
        target=conf.target,
        journal=journal,
        date=when.astimezone(PARIS).date() if when else None,  # the bank statement's day is a Paris day
        reference=tx.reference,
        label=label,
        currency=tx.currency,
        party=Party(type=party_type, name=name),
        lines=[counterpart, bank] if money_out else [bank, counterpart],
        attachments=[Attachment.model_validate(a.model_dump()) for a in tx.attachments],
        note=tx.note,
        operation_type=tx.operation_type,
    )


def _invoice_entry(invoice: ClientInvoice, conf: QontoContext, reverse: bool) -> JournalEntry:
    name = invoice.client.name if invoice.client and invoice.client.name else "CLIENT"
    total = invoice.total
    vat = invoice.vat_amount or ZERO
    net = total - vat
    label = f"{name} {invoice.number}" if invoice.number else name
    aux = auxiliary_code("C", name, conf.auxiliary_max_length)
    lines = [
        _line(conf.customer_account, debit=total, auxiliary=aux, label=label),
        _line(conf.sales_account, credit=net, label=label),
    ]
    if vat:
        lines.append(_line(conf.vat_collected_account, credit=vat, label=label))
    if reverse:  # a credit note posts the same lines with debit and credit swapped
        lines = [ln.model_copy(update={"debit": ln.credit, "credit": ln.debit}) for ln in lines]
    return JournalEntry(
        id=f"{invoice.id}-canceled" if reverse and invoice.id else invoice.id,
        source="qonto",
        target=conf.target,
        journal=conf.sales_journal,
        date=invoice.issue_date,
        reference=invoice.number,
        invoice_number=invoice.number,
        label=label,
        currency=invoice.currency,
        party=Party(type="customer", name=name),
        lines=lines,
        attachments=[Attachment.model_validate(a.model_dump()) for a in invoice.attachments],
        due_date=invoice.due_date,
    )


def _as_entity(item: Any) -> EntityBase | None:
    if isinstance(item, EntityBase):
        return item
    if isinstance(item, Mapping):
        kind = item.get("kind")
        model = {"bank_transaction": BankTransaction, "client_invoice": ClientInvoice,
                 "supplier_payment": SupplierPayment}.get(str(kind))
        return model.model_validate(dict(item)) if model else None
    return None


def to_entries(entities: Iterable[Any], settings: Mapping[str, Any] | QontoContext | None = None) -> list[JournalEntry]:
    """Bank transactions -> bank-journal entries, client invoices -> sales entries, payments ->
    settlement entries; other kinds are left out. Order is kept.

    Left out on purpose: transactions marked ``#Comptabilise`` (unless ``include_booked``),
    transactions not completed (pending, declined), draft invoices (not importable), and
    canceled invoices unless ``canceled_invoices: reverse``.
    """
    conf = settings_from(settings)
    out: list[JournalEntry] = []
    for item in entities:
        entity = _as_entity(item)
        if isinstance(entity, BankTransaction):
            if entity.status not in (None, "completed"):
                continue
            if is_booked(entity.note, entity.tags) and not conf.include_booked:
                continue
            out.append(_transaction_entry(entity, conf))
        elif isinstance(entity, ClientInvoice):
            status = (entity.status or "").lower()
            if status in ("unpaid", "paid"):
                out.append(_invoice_entry(entity, conf, reverse=False))
            elif status == "canceled" and conf.canceled_invoices == "reverse":
                out.append(_invoice_entry(entity, conf, reverse=True))
        elif isinstance(entity, SupplierPayment):
            out.append(payment_entry(entity, conf))
    return out

