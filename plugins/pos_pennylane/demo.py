"""The ``pos_pennylane`` demo section: a week of a bistrot's POS, from the till to Pennylane.

Over the loopback POS sandbox (with 429, 500 and duplicated pages injected): the closed days
since the sync's start date are fetched, their orders validated (2 September has an order
whose tip was not recorded: ``lines_total_mismatch``, fixed once the client confirms), the
daily entries built and validated; then the days that are missing in Pennylane are
diagnosed, one per reason: before the start date, still open in the POS, an execution error
(shown and classified).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from syncdoctor import DemoSection, Faults, Host, PosOrder, SandboxServer, apply_patch

from .daily_entry import daily_entry
from .sandbox import SANDBOX_LOCATION, SANDBOX_TOKEN, TODAY, PosSandbox

__all__ = ["CONSUMER", "FIRST_DAY", "START_DATE", "demo_context", "run"]

CONSUMER = "3f0c1c9e-8a51-4d0e-9b7e-5c2f1a6d7e21"
START_DATE = dt.date(2026, 9, 1)
FIRST_DAY = dt.date(2026, 8, 30)
MAPPING = {
    "journal": "VT",
    "payment_methods": {"CASH": "530000", "CARD": "511200", "TR": "511300"},
    "vat_rates": {"5.5": "445711", "10": "445712", "20": "445710"},
    "sales": "706000",
    "tips": "428600",
}

TEXT = {
    "fetch": {
        "en": "{orders} orders of {closed} closed day(s) fetched from the POS; {open} day(s) still open and "
              "{before} before the start date not fetched; {retries} request(s) retried, {duplicates} duplicate(s) dropped",
        "fr": "{orders} commandes de {closed} journée(s) clôturée(s) récupérées de la caisse ; {open} journée(s) "
              "encore ouverte(s) et {before} antérieure(s) à la date de début non récupérées ; {retries} requête(s) "
              "relancée(s), {duplicates} doublon(s) écarté(s)",
    },
    "orders_ok": {"en": "{count} orders of {day} add up", "fr": "Les {count} commandes du {day} s'équilibrent"},
    "confirmed": {
        "en": "The client confirmed the unrecorded tip of order {order}: tip set to {tip} €",
        "fr": "Le client a confirmé le pourboire non enregistré de la commande {order} : pourboire fixé à {tip} €",
    },
    "entry_ok": {
        "en": "Ticket Z {day}: {lines} lines, debits = credits = {total} €, rounding remainder {remainder} €; ready for Pennylane",
        "fr": "Ticket Z du {day} : {lines} lignes, débits = crédits = {total} €, reliquat d'arrondi {remainder} € ; "
              "prêt pour Pennylane",
    },
    "notes": {
        "en": "consumer {consumer}; start date {start}; faults injected by the POS sandbox: 429, 500, duplicated pages",
        "fr": "consumer {consumer} ; date de début {start} ; pannes injectées par le bac à sable de caisse : 429, 500, "
              "pages dupliquées",
    },
    "classified": {
        "en": "Execution error of {day} \"{error}\" is {problem}: {step}",
        "fr": "L'erreur d'exécution du {day} « {error} » est {problem} : {step}",
    },
}


def _t(key: str, lang: str, **params: Any) -> str:
    return TEXT[key]["fr" if lang == "fr" else "en"].format(**params)


def demo_context(open_days: list[str]) -> dict[str, Any]:
    """The sync of the demo: enabled, 5 cents of tolerance, 2 September failed."""
    return {
        "consumer_id": CONSUMER,
        "accounting_connection": {"tool": "pennylane", "status": "active"},
        "pos_connection": {"tool": "lightspeed", "status": "active"},
        "mappings_complete": True,
        "sync_status": "enabled",
        "start_date": START_DATE.isoformat(),
        "tolerance": "0.05",
        "last_execution": "2026-09-03T06:00:00+02:00",
        "executions": [
            {"id": "ex-41", "status": "success", "started_at": "2026-09-02T06:00:00+02:00",
             "days": [{"date": "2026-09-01", "result": "success"}]},
            {"id": "ex-42", "status": "error", "started_at": "2026-09-03T06:00:00+02:00",
             "days": [{"date": "2026-09-02", "result": "error",
                       "errors": [{"message": "The sum of all lines does not match for order A1301"}]}]},
        ],
        "open_days": open_days,
        "account_mapping": MAPPING,
    }


def _retry() -> Any:
    # the vendor client (and httpx with it) loads when the demo runs, not with the plugin:
    # importing httpx is ~90 ms of every command's start-up (issue 19)
    from syncdoctor import RetryPolicy

    return RetryPolicy(backoff=0.01, max_wait=0.05)


def _fetch(host: Host) -> tuple[list[PosOrder], dict[str, Any], dict[str, int]]:
    faults = Faults("429,500,duplicate-page", retry_after=0)
    with SandboxServer(PosSandbox(faults), faults=faults, name="pos") as server:
        result = host.fetch("pos", {
            "base_url": server.url, "token": SANDBOX_TOKEN, "business_location_id": SANDBOX_LOCATION,
            "since": FIRST_DAY.isoformat(), "until": TODAY.isoformat(), "start_date": START_DATE.isoformat(),
            "page_size": 3, "retry": _retry(),
        })
        orders = [o for o in result if isinstance(o, PosOrder)]
    return orders, result.state, result.stats


def _fix_tip(host: Host, order: PosOrder, params: dict[str, Any], context: dict[str, Any]) -> PosOrder:
    """Apply the confirmed patch of the first step of the plan (a person said yes)."""
    plan = host.remediate("pos_pennylane.lines_total_mismatch", params, order, context)[0]
    step = plan.steps[0]
    if not step.patch:
        return order
    doc = order.model_dump(mode="json", exclude_none=True)
    return PosOrder.model_validate(apply_patch(doc, step.patch))


def run(host: Host, lang: str = "en") -> DemoSection:
    """Run the scenario and report every event with its problem id."""
    section = DemoSection("pos_pennylane", "POS → Pennylane")
    orders, state, stats = _fetch(host)
    section.add("fetch", "ok", _t(
        "fetch", lang, orders=len(orders), closed=stats.get("days_closed", 0), open=stats.get("days_open", 0),
        before=stats.get("days_before_start", 0), retries=stats.get("http_retries", 0),
        duplicates=stats.get("duplicates", 0)), system="pos")
    context = {"pos_pennylane": demo_context(list(state.get("open_days", [])))}
    by_day: dict[dt.date, list[PosOrder]] = defaultdict(list)
    for order in orders:
        if order.business_day is not None:
            by_day[order.business_day].append(order)

    for day in sorted(by_day):
        ready: list[PosOrder] = []
        flagged = False
        for result in host.validate_many(by_day[day], context, lang=lang, plugins=["pos_pennylane"]):
            order = result.parsed
            assert isinstance(order, PosOrder)
            for finding in result.findings:
                flagged = True
                section.add("validate", "flagged", finding.message, entity=order.id, problem=finding.problem)
                if finding.problem == "pos_pennylane.lines_total_mismatch" and "tip_should_be" in finding.params:
                    step = host.remediate(finding.problem, finding.params, order, context, lang=lang)[0].steps[0]
                    section.add("fix", "needs_person", step.instructions, entity=order.id, problem=finding.problem,
                                automatic=False, system=step.system)
                    order = _fix_tip(host, order, finding.params, context)
                    section.add("fix", "fixed", _t("confirmed", lang, order=order.id, tip=order.tip),
                                entity=order.id, problem=finding.problem, automatic=True, system="pos")
            ready.append(order)
        if not flagged:
            section.add("validate", "ok", _t("orders_ok", lang, count=len(ready), day=day), system="pos")
        entry = daily_entry(ready, day, context)
        findings = host.validate(entry, context, lang=lang, plugins=["pos_pennylane"])
        for finding in findings:
            section.add("validate", "flagged", finding.message, entity=entry.id, problem=finding.problem)
        if not [f for f in findings if f.severity == "error"]:
            total = sum((ln.debit for ln in entry.lines), Decimal(0))
            section.add("validate", "ok", _t("entry_ok", lang, day=day, lines=len(entry.lines), total=total,
                                             remainder=entry.remainder), entity=entry.id, system="pennylane")

    # the days Pennylane does not have, one per reason
    for day in (FIRST_DAY, dt.date(2026, 9, 2), TODAY):
        missing = {"kind": "pos_day", "id": f"day-{day}", "date": day.isoformat(), "imported": False,
                   "source": "pos_pennylane"}
        for finding in host.validate(missing, context, lang=lang):
            plans = host.remediate(finding.problem, finding.params, missing, context, lang=lang)
            reason = finding.params.get("reason")
            plan = plans[0]
            chosen = {"before_start_date": 0, "day_open": 1, "execution_error": 2}.get(str(reason))
            steps = plan.alternatives[chosen].steps if chosen is not None and plan.alternatives else plan.steps
            section.add("diagnose", "needs_person", f"{finding.message} → {steps[0].instructions}",
                        entity=f"day-{day}", problem=finding.problem, automatic=False, system=steps[0].system)
            error = finding.params.get("error")
            if reason == "execution_error" and error:
                diagnosis = host.classify(str(error), vendor="pos_pennylane", lang=lang)[0]
                first = diagnosis.remediation.steps[0].instructions if diagnosis.remediation.steps else ""
                section.add("classify", "needs_person", _t("classified", lang, day=day, error=error,
                                                             problem=diagnosis.problem, step=first),
                            entity=f"day-{day}", problem=diagnosis.problem, automatic=False, system="pos")
    section.notes.append(_t("notes", lang, consumer=CONSUMER, start=START_DATE))
    return section
