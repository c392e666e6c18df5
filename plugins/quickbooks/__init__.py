"""syncdoctor plugin for QuickBooks Online, as fed by TaxDome's QuickBooks sync.

It knows TaxDome's QuickBooks sync errors (Client, Invoices, Payments, Refunds, Expenses,
Services) and the QuickBooks Online API's own faults; reads Fault documents (JSON or XML,
batch or not, in an HTTP 200 or a 4xx); checks invoices, payments and services before
they are sent; fetches the company's invoices, payments and customers through the query
endpoint; and ships a loopback fake of that API (``syncdoctor sandbox quickbooks``).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from importlib.resources import files
from typing import Any

from syncdoctor import (
    EntityBase,
    ErrorReport,
    FetchOption,
    FetchResult,
    RemediationPlan,
    RulePackPlugin,
    deferred,
    hookimpl,
)

from .checks import FUNCTIONS
from .context import QuickBooksContext
from .entities import SyncFailure
from .faults import split_faults
from .fetch import fetch

__all__ = ["QuickBooks", "QuickBooksContext", "plugin"]

__version__ = "0.1.0"

# Problems whose fix is either automatic (nothing can collide) or needs a person's
# confirmation (it could): the pack lists both steps, the plan keeps the one that applies.
_EITHER_OR = {"quickbooks.string_too_long", "quickbooks.invalid_characters"}


class QuickBooks(RulePackPlugin):
    """TaxDome → QuickBooks Online sync errors, from text and from Fault payloads."""

    name = "quickbooks"
    version = __version__
    rules = files(__package__) / "rules"
    context_model = QuickBooksContext
    vendors = ("quickbooks", "qbo", "intuit", "taxdome")
    description = "QuickBooks Online target (TaxDome sync): Fault payloads, pre-flight checks, query fetch, sandbox"

    def functions(self) -> Mapping[str, Callable[..., Any]]:
        return FUNCTIONS

    def entity_models(self) -> Mapping[str, type[EntityBase]]:
        return {"sync_failure": SyncFailure}

    def normalize_report(self, report: ErrorReport) -> list[ErrorReport]:
        """One report per QuickBooks error: a Fault may hold several, a batch one per item."""
        return split_faults(report)

    def extra_spec(self) -> dict[str, Any]:
        return {
            "fetch_options": {
                "quickbooks": (
                    FetchOption(flag="--realm-id", help="QuickBooks company id (realmId)", env="QBO_REALM_ID"),
                    FetchOption(flag="--token", help="OAuth 2.0 access token (Bearer)", env="QBO_TOKEN", secret=True),
                    FetchOption(
                        flag="--entities",
                        help="comma-separated: invoice,payment,customer,item",
                        default="invoice,payment,customer",
                    ),
                ),
            },
            # imported on first use: the sandbox and demo load the HTTP server (syncdoctor.deferred)
            "sandboxes": {"quickbooks": deferred(f"{__package__}.sandbox:make_sandbox")},
            "demo": deferred(f"{__package__}.demo:demo"),
            "tools": {"quickbooks.push": deferred(f"{__package__}.push:push"),
                      "quickbooks.push_batch": deferred(f"{__package__}.push:push_batch")},
        }

    @hookimpl
    def fetch_transactions(self, source: str, options: Mapping[str, Any]) -> FetchResult | None:
        if source != "quickbooks":
            return None
        return fetch(options)

    @hookimpl(wrapper=True)
    def remediate(
        self, problem: str, params: Mapping[str, Any], entity: Any, lang: str
    ) -> Generator[None, RemediationPlan | None, RemediationPlan | None]:
        plan = yield
        if plan is None or problem not in _EITHER_OR:
            return plan
        return _keep_applicable_fix(plan)


def _keep_applicable_fix(plan: RemediationPlan) -> RemediationPlan:
    """Of the automatic fix and the confirmed fix, keep the one whose patch could be made.

    With no entity (a classified rejection) neither has a patch: both stay, as advice.
    """
    fixes = [s for s in plan.steps if s.action == "fix_entity"]
    automatic = next((s for s in fixes if s.automatic and s.patch), None)
    confirmed = next((s for s in fixes if s.confirm and s.patch), None)
    if automatic is None and confirmed is None:
        return plan
    keep = automatic or confirmed
    steps = [s for s in plan.steps if s.action != "fix_entity" or s is keep]
    return plan.model_copy(update={"steps": steps})


plugin = QuickBooks()
