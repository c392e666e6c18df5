"""The sandbox's organization: four months of realistic, deterministic Qonto data.

Dates are relative to an *anchor* day (today in Paris by default) so that ``syncdoctor fetch
qonto`` against ``syncdoctor sandbox qonto`` finds data in its default window; the same anchor
always gives the same data. What is in it, on purpose:

* transactions of every side and operation type (card, transfer, direct_debit, income,
  qonto_fee, cheque, swift_income), mostly completed, a few pending or declined;
* about one in eight already booked (``#Comptabilise`` in the note), including the seed's
  AARO +0.30;
* attachments: PDFs and JPEGs, plus a 35 MB scan, a HEIC photo and a Word file in the last
  month (source-side findings);
* two transactions at the edge of the default window: yesterday 23:59:30 (in) and today
  00:00:10 (out), Paris time; a pending and a declined one (never fetched: not completed);
* client invoices in every status (draft, unpaid, paid, canceled), with the seed's
  F-2026-012 for ACD GROUPE (23,500.00 HT, 28,200.00 TTC).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .window import PARIS, UTC

__all__ = ["ACCOUNT_IBAN", "SandboxData", "build_data"]

ACCOUNT_IBAN = "FR7616958000016886912594701"  # the seed's debtor account
ACCOUNT_ID = "018f2a5e-5b1c-7cc0-9b5e-6a1d2f3c4b5a"
DAYS = 120
CENT = Decimal("0.01")

# (operation_type, side, counterparties, min, max, vat_rate)
KINDS: tuple[tuple[str, str, tuple[str, ...], int, int, str | None], ...] = (
    ("card", "debit", ("Amazon", "SNCF", "Total Energies", "Boulangerie Martin", "Uber"), 5, 300, "20.0"),
    ("transfer", "debit", ("AARO", "OVH", "SCI Rivoli (loyer)"), 50, 2500, "20.0"),
    ("transfer", "credit", ("ACD GROUPE", "Dupont SARL"), 100, 9000, None),
    ("direct_debit", "debit", ("EDF", "Orange", "URSSAF", "Alan"), 30, 900, "20.0"),
    ("income", "credit", ("Stripe Payments",), 50, 1500, None),
    ("cheque", "credit", ("Remise de chèque",), 80, 1200, None),
    ("swift_income", "credit", ("Globex Ltd",), 500, 4000, None),
    ("card", "credit", ("Amazon (remboursement)",), 5, 120, None),
)


@dataclass
class SandboxData:
    anchor: dt.date
    organization: dict[str, Any]
    transactions: list[dict[str, Any]] = field(default_factory=list)
    attachments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    client_invoices: list[dict[str, Any]] = field(default_factory=list)


def _iso(instant: dt.datetime) -> str:
    utc = instant.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _paris(day: dt.date, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=PARIS)


class _Builder:
    def __init__(self, anchor: dt.date) -> None:
        self.anchor = anchor
        self.rng = random.Random(20260609)  # fixed: the same anchor always gives the same data
        self.data = SandboxData(anchor=anchor, organization={
            "slug": "aaro-sandbox", "legal_name": "AARO SAS",
            "bank_accounts": [{"id": ACCOUNT_ID, "slug": "aaro-sandbox-bank-account-1", "iban": ACCOUNT_IBAN,
                               "bic": "QNTOFRP1XXX", "currency": "EUR", "name": "Compte principal", "status": "active"}],
        })

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def amount(self, low: int, high: int) -> Decimal:
        return (Decimal(self.rng.randint(low * 100, high * 100)) * CENT).quantize(CENT)

    def transaction(self, when: dt.datetime, kind: tuple[str, str, tuple[str, ...], int, int, str | None],
                    counterparty: str | None = None, amount: Decimal | None = None, note: str | None = None,
                    status: str = "completed") -> dict[str, Any]:
        operation, side, names, low, high, vat = kind
        value = amount if amount is not None else self.amount(low, high)
        n = len(self.data.transactions) + 1
        label = counterparty or self.rng.choice(names)
        tx: dict[str, Any] = {
            "id": self.uid(), "transaction_id": f"aaro-sandbox-transaction-{n}",
            "amount": value, "amount_cents": int(value * 100), "local_amount": value, "local_amount_cents": int(value * 100),
            "side": side, "operation_type": operation, "currency": "EUR", "local_currency": "EUR",
            "label": label, "clean_counterparty_name": label,
            "settled_at": _iso(when) if status == "completed" else None,
            "emitted_at": _iso(when - dt.timedelta(hours=self.rng.randint(0, 30))),
            "updated_at": _iso(when + dt.timedelta(minutes=5)),
            "status": status, "note": note, "reference": None,
            "vat_amount": None, "vat_amount_cents": None, "vat_rate": vat,
            "label_ids": [], "attachment_ids": [], "attachment_lost": False, "attachment_required": side == "debit",
            "card_last_digits": "4242" if operation == "card" else None,
            "category": "other_expense" if side == "debit" else "other_income",
            "bank_account_id": ACCOUNT_ID,
        }
        if operation in ("transfer", "swift_income"):
            tx["reference"] = f"VIR-{n:05d}"
            tx["transfer"] = {"counterparty_account_number": "FR7610011000201234567890188",
                              "counterparty_account_number_format": "IBAN",
                              "counterparty_bank_identifier": "PSSTFRPPPAR", "counterparty_bank_identifier_format": "SWIFT_BIC"}
        if vat is not None:
            vat_amount = (value * Decimal(vat) / (100 + Decimal(vat))).quantize(CENT)
            tx["vat_amount"], tx["vat_amount_cents"] = vat_amount, int(vat_amount * 100)
        self.data.transactions.append(tx)
        return tx

    def attach(self, tx: dict[str, Any], file_name: str, content_type: str, size: int) -> None:
        ident = self.uid()
        tx["attachment_ids"].append(ident)
        self.data.attachments.setdefault(tx["id"], []).append({
            "id": ident, "created_at": tx["updated_at"], "file_name": file_name, "file_size": str(size),
            "file_content_type": content_type, "url": f"https://sandbox.qonto.invalid/attachments/{ident}",
            "probative_attachment": {"status": "available"},
        })

    def transactions(self) -> None:
        rng, first = self.rng, self.anchor - dt.timedelta(days=DAYS)
        for offset in range(DAYS):
            day = first + dt.timedelta(days=offset)
            if day.day == 1:  # the monthly Qonto fee
                self.transaction(_paris(day, 6, 0), ("qonto_fee", "debit", ("Qonto",), 29, 29, "20.0"),
                                 amount=Decimal("29.00"), note=None)
            for _ in range(rng.choice((0, 1, 1, 2, 2))):
                kind = rng.choice(KINDS)
                status = "completed"
                if offset >= DAYS - 3 and rng.random() < 0.3:
                    status = "pending"
                elif rng.random() < 0.03:
                    status = "declined"
                roll = rng.random()
                note = "#Comptabilise" if roll < 0.125 else (f"Facture {rng.randint(100, 999)}" if roll < 0.3 else None)
                tx = self.transaction(_paris(day, rng.randint(7, 21), rng.randint(0, 59), rng.randint(0, 59)), kind,
                                      note=note, status=status)
                if tx["side"] == "debit" and rng.random() < 0.35:
                    pdf = rng.random() < 0.7
                    self.attach(tx, f"justificatif-{len(self.data.transactions)}.{'pdf' if pdf else 'jpg'}",
                                "application/pdf" if pdf else "image/jpeg", rng.randint(40_000, 4_000_000))
        self.specials()
        self.data.transactions.sort(key=lambda t: (t["settled_at"] or t["emitted_at"], t["id"]))

    def specials(self) -> None:
        """The cases the demo and the tests rely on, at fixed places."""
        a = self.anchor
        card, transfer_in = KINDS[0], KINDS[2]
        self.transaction(_paris(a - dt.timedelta(days=40), 10, 0), transfer_in, counterparty="AARO",
                         amount=Decimal("0.30"), note="#Comptabilise")  # the seed's line in ACD Banque
        big = self.transaction(_paris(a - dt.timedelta(days=10), 11, 15), card, counterparty="Boulangerie Martin",
                               amount=Decimal("84.20"))
        self.attach(big, "releve-scan-600dpi.pdf", "application/pdf", 35 * 1024 * 1024)
        photo = self.transaction(_paris(a - dt.timedelta(days=12), 9, 30), card, counterparty="Total Energies",
                                 amount=Decimal("72.45"))
        self.attach(photo, "ticket-carburant.heic", "image/heic", 1_800_000)
        word = self.transaction(_paris(a - dt.timedelta(days=14), 16, 5), KINDS[1], counterparty="OVH",
                                amount=Decimal("239.88"))
        self.attach(word, "facture-ovh.docx",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 52_000)
        self.transaction(_paris(a - dt.timedelta(days=1), 23, 59, 30), card, counterparty="Uber",
                         amount=Decimal("18.90"))  # yesterday 23:59:30 Paris: in the default window
        self.transaction(_paris(a, 0, 0, 10), card, counterparty="Uber", amount=Decimal("21.40"))  # today: out
        self.transaction(_paris(a - dt.timedelta(days=1), 18, 0), card, counterparty="Amazon", amount=Decimal("45.00"),
                         status="pending")  # not settled yet: never in a bank statement
        self.transaction(_paris(a - dt.timedelta(days=20), 13, 0), card, counterparty="Amazon", amount=Decimal("999.00"),
                         status="declined")

    def invoices(self) -> None:
        rng = self.rng
        clients = ("ACD GROUPE", "Dupont SARL", "Globex Ltd", "Boulangerie Martin")
        statuses = ("draft", "unpaid", "paid", "canceled")
        for n in range(16):
            status = statuses[n % 4]
            created = _paris(self.anchor - dt.timedelta(days=100 - n * 6), 9, 0)
            seed_invoice = n == 13
            client = "ACD GROUPE" if seed_invoice else clients[n % len(clients)]
            ht = Decimal("23500.00") if seed_invoice else self.amount(100, 5000)
            vat = (ht * Decimal("0.2")).quantize(CENT)
            total = ht + vat
            number = "F-2026-012" if seed_invoice else (None if status == "draft" else f"F-2026-{n + 101:03d}")
            updated = created + dt.timedelta(days=rng.randint(0, 5))
            self.data.client_invoices.append({
                "id": self.uid(), "organization_id": "aaro-sandbox", "number": number,
                "status": "unpaid" if seed_invoice else status, "currency": "EUR",
                "total_amount": {"value": str(total), "currency": "EUR"}, "total_amount_cents": int(total * 100),
                "vat_amount": {"value": str(vat), "currency": "EUR"}, "vat_amount_cents": int(vat * 100),
                "issue_date": created.date().isoformat(), "due_date": (created.date() + dt.timedelta(days=30)).isoformat(),
                "created_at": _iso(created), "updated_at": _iso(updated),
                "finalized_at": None if status == "draft" else _iso(created + dt.timedelta(hours=1)),
                "paid_at": _iso(updated) if status == "paid" else None,
                "client": {"id": self.uid(), "type": "company", "name": client},
                "items": [{"title": "Produit de test" if seed_invoice else "Prestation", "quantity": "1",
                           "unit_price": {"value": str(ht), "currency": "EUR"}, "vat_rate": "0.2",
                           "total_vat": {"value": str(vat), "currency": "EUR"},
                           "subtotal": {"value": str(ht), "currency": "EUR"},
                           "total_amount": {"value": str(total), "currency": "EUR"}}],
            })


def build_data(anchor: dt.date | None = None) -> SandboxData:
    """The sandbox's data for an anchor day (today in Paris by default)."""
    builder = _Builder(anchor or dt.datetime.now(PARIS).date())
    builder.transactions()
    builder.invoices()
    return builder.data
