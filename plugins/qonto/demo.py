"""The Qonto part of ``syncdoctor demo``: the whole loop over loopback sandboxes, in seconds.

1. fetch from the sandbox without faults, then with every fault switched on: the same
   transactions and invoices, nothing lost, nothing twice; ``#Comptabilise`` skipped and counted;
2. source-side findings on what was fetched (attachments, draft invoices, already booked);
3. wrong credentials: one request, stopped at once, diagnosed as ``qonto.connection_failed``;
4. mapping to entries (bank journal BQ2 / 51210000, sales journal) and the seed's payment,
   then through the target's plugin when one is loaded (ACD in the demo);
5. a "Synchronization Failed" message from the Accounting Hub, split and classified.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from syncdoctor import DemoSection, ErrorReport, Faults, Host, SyncdoctorError

from .fetch import QontoAuthError
from .sandbox import factory
from .window import UTC

__all__ = ["SEED_PAYMENT", "demo"]

ALL_FAULTS = "429,500,drop,duplicate-page,slow"
SEED_PAYMENT: dict[str, Any] = {
    "amount": "189.99", "reference": "FS9289482", "note": "", "execution_date": "09/06/2026",
    "supplier": "AARO", "debtor_account": "FR7616958000016886912594701", "creditor_iban": "FR7610011000201234567890188",
}
SETTINGS = {"target": "acd", "bank_journal": "BQ2", "treasury_account": "51210000", "sales_journal": "VT"}

TEXT = {
    "same": {"en": "{n} transactions and {i} invoices fetched; with faults {faults}: the same set ({retries} retries, "
                   "{dups} duplicates dropped)",
             "fr": "{n} transactions et {i} factures récupérées ; avec les pannes {faults} : le même ensemble "
                   "({retries} nouvelles tentatives, {dups} doublons écartés)"},
    "differ": {"en": "with faults the fetch differs: {missing} missing, {extra} extra",
               "fr": "avec pannes la récupération diffère : {missing} manquantes, {extra} en trop"},
    "skipped": {"en": "{k} transactions already booked (#Comptabilise) skipped and counted, in both runs",
                "fr": "{k} transactions déjà comptabilisées (#Comptabilise) ignorées et comptées, dans les deux cas"},
    "booked": {"en": "{k} transactions carry #Comptabilise (seen with --include-booked), e.g. {example}",
               "fr": "{k} transactions portent #Comptabilise (vues avec --include-booked), p. ex. {example}"},
    "sandbox": {"en": "sandbox: login sandbox, secret key sandbox; faults injected: {faults}",
                "fr": "bac à sable : identifiant sandbox, clé secrète sandbox ; pannes injectées : {faults}"},
    "auth": {"en": "wrong secret key: {requests} request, stopped at once: {message}",
             "fr": "clé secrète erronée : {requests} requête, arrêt immédiat : {message}"},
    "mapped": {"en": "{bank} bank-journal entries (BQ2, 51210000) and {sales} sales entries (VT) ready for {target}",
               "fr": "{bank} écritures de banque (BQ2, 51210000) et {sales} écritures de vente (VT) prêtes pour {target}"},
    "payment": {"en": "payment {ref}: {date} debit {aux} {amount} / credit {treasury} {amount}, label {label}",
                "fr": "paiement {ref} : {date} débit {aux} {amount} / crédit {treasury} {amount}, libellé {label}"},
    "target": {"en": "{n} entries checked by {plugins}: {findings}",
               "fr": "{n} écritures contrôlées par {plugins} : {findings}"},
    "no_target": {"en": "no target plugin loaded: entries not checked by a target",
                  "fr": "aucun plugin cible chargé : écritures non contrôlées par une cible"},
    "sync": {"en": "Accounting Hub message classified as {problems}",
             "fr": "message de l'Accounting Hub classé comme {problems}"},
}


def _t(lang: str, key: str, **params: Any) -> str:
    return TEXT[key]["fr" if lang == "fr" else "en"].format(**params)


def _retry() -> Any:
    # the vendor client (and httpx with it) loads when the demo runs, not with the plugin:
    # importing httpx is ~90 ms of every command's start-up (issue 19)
    from syncdoctor import RetryPolicy

    return RetryPolicy(backoff=0.01, max_wait=0.05)


def _fetch(host: Host, url: str, now: dt.datetime, **extra: Any) -> tuple[list[Any], dict[str, int]]:
    # 25 per page: several pages, so that the duplicated page shows
    options = {"base_url": url, "login": "sandbox", "secret_key": "sandbox", "now": now, "invoices": True, "per_page": 25,
               "invoice_statuses": "draft,unpaid,paid,canceled",
               "retry": _retry(), **extra}
    result = host.fetch("qonto", options)
    entities = list(result)
    return entities, dict(result.stats)


def demo(host: Host, lang: str = "en") -> DemoSection:
    """Runs the scenario and reports it; every event names its problem id when it has one."""
    section = DemoSection("qonto", "Qonto")
    now = dt.datetime.now(UTC)
    with factory() as clean:
        plain, stats = _fetch(host, clean.url, now)
        audit, _ = _fetch(host, clean.url, now, include_booked=True)
        before = len(clean.requests)
        try:
            list(host.fetch("qonto", {"base_url": clean.url, "login": "sandbox", "secret_key": "wrong", "now": now}))
            auth_error: SyncdoctorError | None = None
        except QontoAuthError as exc:
            auth_error = exc
        auth_requests = len(clean.requests) - before
    with factory(faults=Faults(ALL_FAULTS, retry_after=0, slow_seconds=0.05)) as faulty:
        rough, rough_stats = _fetch(host, faulty.url, now)

    ids = [e.id for e in plain]
    rough_ids = [e.id for e in rough]
    same = sorted(ids) == sorted(rough_ids) and len(set(rough_ids)) == len(rough_ids)
    if same:
        section.add("fetch", "ok", _t(lang, "same", n=stats["transactions"], i=stats["client_invoices"],
                                      faults=ALL_FAULTS, retries=rough_stats.get("retries", 0),
                                      dups=rough_stats.get("duplicates", 0)), system="qonto")
    else:
        section.add("fetch", "rejected", _t(lang, "differ", missing=len(set(ids) - set(rough_ids)),
                                            extra=len(rough_ids) - len(set(ids) & set(rough_ids))), system="qonto")
    section.add("fetch", "skipped", _t(lang, "skipped", k=stats["skipped_booked"]),
                problem="qonto.transaction_already_booked", automatic=True, system="qonto")

    for result in host.validate_many(plain, plugins=["qonto"], lang=lang):
        for finding in result.findings:
            section.add("validate", "flagged", finding.message, entity=str(result.entity), problem=finding.problem,
                        system="qonto")
    booked = [r for r in host.validate_many(audit, plugins=["qonto"], lang=lang)
              if any(f.problem == "qonto.transaction_already_booked" for f in r.findings)]
    if booked:
        first = next(f for f in booked[0].findings if f.problem == "qonto.transaction_already_booked")
        section.add("validate", "skipped", _t(lang, "booked", k=len(booked), example=first.message),
                    entity=str(booked[0].entity), problem="qonto.transaction_already_booked", automatic=True,
                    system="qonto")

    if auth_error is not None:
        diagnosis = host.classify(ErrorReport(vendor="qonto", message=str(auth_error), http_status=auth_error.status),
                                  lang=lang)[0]
        section.add("diagnose", "needs_person", _t(lang, "auth", requests=auth_requests, message=diagnosis.title),
                    problem=diagnosis.problem, system="qonto")

    _mapping(host, section, plain, lang)
    diags = host.classify(ErrorReport(vendor="qonto", message="Synchronization Failed: The account ABCDEF does not exist",
                                      payload={"target": "acd"}), lang=lang)
    section.add("classify", "needs_person", _t(lang, "sync", problems=", ".join(d.problem for d in diags)),
                problem="qonto.sync_failed", system="qonto")
    section.notes.append(_t(lang, "sandbox", faults=ALL_FAULTS.replace(",", ", ")))
    return section


def _mapping(host: Host, section: DemoSection, entities: list[Any], lang: str) -> None:
    to_entries = host.tool("qonto.to_entries")
    payment_entry = host.tool("qonto.payment_entry")
    assert to_entries is not None and payment_entry is not None
    entries = to_entries(entities, SETTINGS)
    bank = sum(1 for e in entries if e.journal == "BQ2")
    section.add("push", "ok", _t(lang, "mapped", bank=bank, sales=len(entries) - bank, target="acd"), system="qonto")
    payment = payment_entry(SEED_PAYMENT, SETTINGS)
    debit, credit = payment.lines
    section.add("push", "ok", _t(lang, "payment", ref=payment.reference, date=payment.date.strftime("%d/%m/%Y")
                                 if payment.date else "-", aux=f"{debit.account} {debit.auxiliary}",
                                 amount=debit.debit, treasury=credit.account, label=payment.label),
                entity=payment.id, system="acd")
    targets = sorted(p for p in host.plugins if p != "qonto")
    if not targets:
        section.add("validate", "info", _t(lang, "no_target"))
        return
    found: Counter[str] = Counter()
    checked = [*entries, payment]
    for result in host.validate_many(checked, plugins=targets, lang=lang):
        found.update(f.problem for f in result.findings)
    summary = ", ".join(f"{p} x{n}" for p, n in sorted(found.items())) or "ok"
    section.add("validate", "flagged" if found else "ok",
                _t(lang, "target", n=len(checked), plugins=", ".join(targets), findings=summary))
