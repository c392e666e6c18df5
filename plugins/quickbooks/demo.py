"""The demo scenario "TaxDome → QuickBooks", over the loopback sandbox (about a second).

1. fetch the company's invoices, payments, customers and items (pages of 10, with a 429
   and a repeated page injected) and build the context from them;
2. validate a TaxDome batch before sending: a document number QuickBooks already holds, the
   same number twice in the batch, credits above an open balance, an over-long service
   name (shortened automatically: no other service can have that name), a service with no
   income account;
3. send what passed (one batch request) and classify QuickBooks' Faults for what only
   QuickBooks could tell: an income account of type Accounts Receivable, a "Credit Card"
   payment method of the wrong type;
4. for every problem, the plan, and who must act where (TaxDome or QuickBooks).
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from syncdoctor import DemoSection, EntityBase, Faults, Host

from .context import QuickBooksContext
from .push import push_batch
from .sandbox import SANDBOX_TOKEN, make_sandbox
from .sandbox_company import REALM_ID

__all__ = ["TAXDOME_BATCH", "demo"]

_LONG_NAME = ("Monthly bookkeeping, payroll processing, sales-tax filings and quarterly advisory "
              "meetings for small businesses")

TAXDOME_BATCH: list[dict[str, Any]] = [
    {"kind": "invoice", "id": "td-inv-1", "target": "quickbooks", "doc_number": "1781", "date": "2026-04-02",
     "customer": {"name": "Acme Corp"}, "total": "450.00", "lines": [{"item": "Bookkeeping", "amount": "450.00"}]},
    {"kind": "invoice", "id": "td-inv-2", "target": "quickbooks", "doc_number": "1790", "date": "2026-04-03",
     "customer": {"name": "Globex Corporation"}, "total": "800.00",
     "lines": [{"item": "Tax preparation", "amount": "800.00"}]},
    {"kind": "invoice", "id": "td-inv-3", "target": "quickbooks", "doc_number": "1790", "date": "2026-04-03",
     "customer": {"name": "Hooli"}, "total": "120.00", "lines": [{"item": "Payroll", "amount": "120.00"}]},
    {"kind": "payment", "id": "td-pay-1", "target": "quickbooks", "date": "2026-04-04", "customer": {"name": "Acme Corp"},
     "invoice_id": "3167", "amount": "0", "credits_applied": "150.00"},
    {"kind": "payment", "id": "td-pay-2", "target": "quickbooks", "date": "2026-04-04",
     "customer": {"name": "Umbrella Holdings"}, "invoice_id": "3169", "amount": "360.00", "method": "Credit Card"},
    {"kind": "service", "id": "td-svc-1", "target": "quickbooks", "name": _LONG_NAME, "income_account": {"name": "Sales"}},
    {"kind": "service", "id": "td-svc-2", "target": "quickbooks", "name": "Nonprofit bookkeeping"},
    {"kind": "service", "id": "td-svc-3", "target": "quickbooks", "name": "Advisory retainer",
     "income_account": {"name": "Accounts Receivable (A/R)"}},
]

_TEXT = {
    "en": {
        "fetched": "read {invoice} invoices, {payment} payments, {customer} customers and {item} services from "
                   "QuickBooks ({requests} requests; throttled, then retried: {throttled})",
        "clean": "nothing to fix before sending",
        "held": "held back: a person must act first",
        "accepted": "QuickBooks accepted it",
        "rejected": "QuickBooks refused it: {message}",
        "fixed": "fixed automatically: {instructions}",
        "note_faults": "sandbox faults injected: {faults}",
        "note_person": "{count} problems need a person: {where}",
        "note_person_1": "1 problem needs a person: {where}",
    },
    "fr": {
        "fetched": "{invoice} factures, {payment} paiements, {customer} clients et {item} services lus dans "
                   "QuickBooks ({requests} requêtes ; limitées puis relancées : {throttled})",
        "clean": "rien à corriger avant l'envoi",
        "held": "retenue : une personne doit d'abord intervenir",
        "accepted": "QuickBooks l'a acceptée",
        "rejected": "QuickBooks l'a refusée : {message}",
        "fixed": "corrigé automatiquement : {instructions}",
        "note_faults": "pannes injectées par le bac à sable : {faults}",
        "note_person": "{count} problèmes demandent une personne : {where}",
        "note_person_1": "1 problème demande une personne : {where}",
    },
}


def _who(plan: Any) -> tuple[str, str, bool]:
    """The first thing to do: (instructions, system, automatic)."""
    steps = plan.steps or (plan.alternatives[0].steps if plan.alternatives else [])
    if not steps:
        return "", "syncdoctor", False
    first = steps[0]
    return first.instructions, first.system, bool(first.automatic and first.patch and not first.confirm)


def demo(host: Host, lang: str = "en") -> DemoSection:
    text = _TEXT["fr" if lang == "fr" else "en"]
    section = DemoSection("taxdome_quickbooks", "TaxDome → QuickBooks")
    people: dict[str, int] = {}
    with make_sandbox(faults=Faults("429,duplicate-page", every=3, retry_after=0)) as sandbox:
        token = SecretStr(SANDBOX_TOKEN)
        fetched = host.fetch("quickbooks", {"base_url": sandbox.url, "realm_id": REALM_ID, "token": token,
                                            "entities": "invoice,payment,customer,item", "page_size": 10})
        entities = list(fetched)
        counts = {"invoice": 0, "payment": 0, "customer": 0, "item": 0, "requests": 0, "throttled": 0, **fetched.stats}
        section.add("fetch", "ok", text["fetched"].format(**counts), system="quickbooks")
        context = {"quickbooks": QuickBooksContext.from_entities(entities)}

        to_send: list[EntityBase] = []
        for result in host.validate_many(TAXDOME_BATCH, context, lang=lang, plugins=["quickbooks"]):
            entity = result.parsed
            assert entity is not None
            ref = str(result.entity)
            if not result.findings:
                section.add("validate", "ok", text["clean"], entity=ref)
                to_send.append(entity)
                continue
            held = False
            for finding in result.findings:
                section.add("validate", "flagged", finding.message, entity=ref, problem=finding.problem)
                plan = host.remediate(finding.problem, finding.params, entity, context, lang=lang)[0]
                instructions, system, automatic = _who(plan)
                if automatic:
                    entity, _ = host.apply_fixes(entity, context, problem=finding.problem)
                    section.add("fix", "fixed", text["fixed"].format(instructions=instructions), entity=ref,
                                problem=finding.problem, automatic=True, system=system)
                else:
                    held = True
                    people[system] = people.get(system, 0) + 1
                    section.add("diagnose", "needs_person", instructions, entity=ref, problem=finding.problem,
                                automatic=False, system=system)
            if held:
                section.add("push", "skipped", text["held"], entity=ref)
            else:
                to_send.append(entity)

        answers = push_batch(sandbox.url, REALM_ID, token, to_send)
        for entity in to_send:
            ref = str(entity.id)
            reports = answers.get(ref, [])
            if not reports:
                section.add("push", "accepted", text["accepted"], entity=ref, system="quickbooks")
                continue
            for report in reports:
                section.add("push", "rejected", text["rejected"].format(message=report.message[:160]), entity=ref,
                            system="quickbooks")
                for diagnosis in host.classify(report, lang=lang):
                    plan = host.remediate(diagnosis.problem, diagnosis.params, entity, context, lang=lang)[0] \
                        if diagnosis.problem != "unknown" else None
                    instructions, system, _ = _who(plan) if plan else ("", "vendor_support", False)
                    people[system] = people.get(system, 0) + 1
                    section.add("classify", "needs_person", f"{diagnosis.title} — {instructions}", entity=ref,
                                problem=diagnosis.problem, automatic=False, system=system)
        injected = ", ".join(f"{k} ×{v}" for k, v in sorted(sandbox.faults.injected.items())) or "-"
        section.notes.append(text["note_faults"].format(faults=injected + ", duplicate-page"))
        where = ", ".join(f"{k} ({v})" for k, v in sorted(people.items()))
        count = sum(people.values())
        section.notes.append(text["note_person_1" if count == 1 else "note_person"].format(count=count, where=where))
    return section
