"""syncdoctor's Qonto plugin: fetch bank transactions and client invoices reliably, map them to
accounting entries, and catch source-side problems (activation, documents, imports, the
Accounting Hub's "Synchronization Failed").

Knowledge: ACD's "Activation et utilisation de Qonto" (seeds/002), Qonto's Accounting Hub
workflow (seeds/000) and the Qonto Business API v2 (reference/vendor-apis.md §1).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib.resources import files
from typing import Any

from syncdoctor import EntityBase, ErrorReport, FetchOption, FetchResult, RulePackPlugin, deferred, hookimpl

from .checks import FUNCTIONS
from .context import QontoContext
from .entities import ClientFolder, SupplierPayment
from .reports import SYNC_FAILED_PATTERN, normalize_report

__all__ = ["Qonto", "plugin"]

SOURCE = "qonto"

FETCH_OPTIONS = (
    FetchOption("--login", "Qonto API login (the 'sign-in', e.g. pied-piper-7132)", env="QONTO_LOGIN"),
    FetchOption("--secret-key", "Qonto API secret key (sent as '<login>:<secret-key>')", env="QONTO_SECRET_KEY",
                secret=True),
    FetchOption("--token", "OAuth 2.0 access token, instead of login and secret key", env="QONTO_TOKEN", secret=True),
    FetchOption("--iban", "IBAN of the Qonto account to fetch (default: every account of the organization)",
                example="FR7616958000016218830371501"),
    FetchOption("--bank-account-id", "Qonto bank_account_id of the account to fetch, instead of --iban",
                example="018e5a4c-3b7d-7c2f-9a51-6f0d2e8b4c13"),
    FetchOption("--invoices", "also fetch client invoices (yes/no)", default="no"),
    FetchOption("--invoice-statuses", "client invoice statuses to fetch (importable ones by default)",
                default="unpaid,paid,canceled"),
    FetchOption("--include-booked", "also return transactions marked #Comptabilise (yes/no; counted either way)",
                default="no"),
    FetchOption("--per-page", "records per page, 1 to 100", default="100"),
)


class Qonto(RulePackPlugin):
    """The Qonto source: rule pack, fetch, sandbox, mapping tools and demo."""

    name = "qonto"
    version = "0.1.0"
    rules = files(__package__) / "rules"
    context_model = QontoContext
    description = "Qonto Business API v2 source: transactions, client invoices, activation in i-Suite Expert"
    normalize_pattern = SYNC_FAILED_PATTERN

    def functions(self) -> Mapping[str, Callable[..., Any]]:
        return FUNCTIONS

    def entity_models(self) -> Mapping[str, type[EntityBase]]:
        return {"client_folder": ClientFolder, "supplier_payment": SupplierPayment}

    def normalize_report(self, report: ErrorReport) -> list[ErrorReport]:
        return normalize_report(report)

    def extra_spec(self) -> dict[str, Any]:
        # imported on first use: the sandbox and demo load the HTTP server (syncdoctor.deferred)
        return {
            "fetch_options": {SOURCE: FETCH_OPTIONS},
            "sandboxes": {SOURCE: deferred(f"{__package__}.sandbox:factory")},
            "demo": deferred(f"{__package__}.demo:demo"),
            "tools": {"qonto.to_entries": deferred(f"{__package__}.mapping:to_entries"),
                      "qonto.payment_entry": deferred(f"{__package__}.mapping:payment_entry")},
        }

    @hookimpl
    def fetch_transactions(self, source: str, options: Mapping[str, Any]) -> FetchResult | None:
        if source != SOURCE:
            return None
        from .fetch import fetch

        return fetch(options)


plugin = Qonto()
