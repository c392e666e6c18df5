"""POS → Pennylane: diagnose daily POS-to-accounting syncs, from connections to cents.

The entry point ``pos_pennylane`` is :data:`plugin`. What it offers:

* a rule pack (``rules/*.yaml``): the sync enabled and executed, data missing after a run,
  connections rejected, orders whose lines do not add up, missing days and why,
  POS/accounting differences, and the checks of the daily Pennylane entry;
* :class:`~.context.PosPennylaneContext`, its part of ``--context``;
* entity kinds ``pos_day`` and ``pos_sync`` (orders are the core's ``pos_order``);
* ``syncdoctor fetch pos`` (:mod:`.fetch`) and ``syncdoctor sandbox pos`` (:mod:`.sandbox`);
* tools ``pos_pennylane.daily_entry``, ``pos_pennylane.sales_export`` and
  ``pos_pennylane.support_request``;
* a demo section ``pos_pennylane``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from importlib.resources import files
from typing import Any

from syncdoctor import (
    EntityBase,
    ErrorReport,
    FetchOption,
    FetchResult,
    Host,
    RulePackPlugin,
    deferred,
    hookimpl,
)

from . import checks, reports
from .context import PosPennylaneContext
from .daily_entry import daily_entry
from .entities import PosDay, PosSync
from .fetch import fetch_orders
from .support import sales_export, support_request

__all__ = ["PosPennylane", "plugin"]


class PosPennylane(RulePackPlugin):
    name = "pos_pennylane"
    version = "0.1.0"
    rules = files(__package__) / "rules"
    context_model = PosPennylaneContext
    vendors = ("pos_pennylane", "pennylane", "chift", "lightspeed", "pos")
    description = "POS → Pennylane daily sync (Lightspeed K-Series via a sync platform): diagnoses and daily entries"

    def __init__(self) -> None:
        self._classifier: Host | None = None
        self._lock = threading.Lock()

    def functions(self) -> Mapping[str, Callable[..., Any]]:
        return checks.functions(self.classify_message)

    def entity_models(self) -> Mapping[str, type[EntityBase]]:
        return {"pos_day": PosDay, "pos_sync": PosSync}

    def normalize_report(self, report: ErrorReport) -> list[ErrorReport]:
        return reports.normalize(report)

    def extra_spec(self) -> dict[str, Any]:
        return {
            "fetch_options": {
                "pos": (
                    FetchOption(flag="--business-location-id", env="POS_BUSINESS_LOCATION_ID",
                                help="K-Series business location id (blId) whose closed days are fetched"),
                    FetchOption(flag="--token", env="POS_TOKEN", secret=True,
                                help="OAuth access token of the POS (scope financial-api)"),
                    FetchOption(flag="--start-date", env="POS_START_DATE",
                                help="start date configured in the sync: earlier days are not fetched"),
                    FetchOption(flag="--page-size", default="1000", help="sales per page, at most 1000"),
                ),
            },
            # imported on first use: the sandbox and demo load the HTTP server (syncdoctor.deferred)
            "sandboxes": {"pos": deferred(f"{__package__}.sandbox:factory")},
            "demo": deferred(f"{__package__}.demo:run"),
            "tools": {
                "pos_pennylane.daily_entry": daily_entry,
                "pos_pennylane.sales_export": sales_export,
                "pos_pennylane.support_request": support_request,
            },
        }

    @hookimpl
    def fetch_transactions(self, source: str, options: Mapping[str, Any]) -> FetchResult | None:
        return fetch_orders(options) if source == "pos" else None

    def classify_message(self, message: str, code: str | None, http_status: int | None) -> str:
        """The known problem of an execution's error (``unknown`` when none).

        A finding about a missing day must say what its execution's error *is*, and a
        parameter function has no host: a private host over this plugin alone classifies
        it with the same rules and engine semantics as any other report.
        """
        with self._lock:
            if self._classifier is None:
                self._classifier = Host([self], engine="native", strict=True)
            classifier = self._classifier
        report = ErrorReport(vendor=self.name, message=message or "", code=code, http_status=http_status)
        diagnoses = classifier.classify(report)
        return diagnoses[0].problem if diagnoses else "unknown"


plugin = PosPennylane()
