"""The "Qonto → ACD" section of ``syncdoctor demo``: the whole loop over loopback sandboxes.

Entries come from the qonto plugin when it is loaded (its sandbox, fetch and mapping tools,
reached through the host), plus the Accounting Hub entries of the seed's rejection cases. Each
entry is checked before sending, pushed to the ACD sandbox, its rejection classified, the
automatic fixes applied and the entry resent; what needs a person is reported with the
system where it happens. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from importlib.resources import files
from typing import Any

from pydantic import SecretStr

from syncdoctor import DemoSection, Diagnosis, EntityBase, ErrorReport, Host, RemediationPlan, SandboxServer

from .api import AcdSession
from .sandbox import AcdSandbox

__all__ = ["run_demo"]

log = logging.getLogger("syncdoctor.acd")

QONTO_LIMIT = 6
"""Qonto transactions taken into the demo: enough to show the flow, few enough to read."""

MAPPING_SETTINGS = {"target": "acd", "bank_journal": "BQ2", "treasury_account": "51210000"}

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "no_qonto": "qonto plugin not loaded: bundled bank entries stand in for the Qonto sandbox",
        "qonto_failed": "Qonto side unavailable ({error}): bundled bank entries stand in for it",
        "fetched": "{count} Qonto entities fetched from the Qonto sandbox, {mapped} entries mapped for ACD",
        "payment": "supplier payment {reference} mapped to a settlement entry",
        "payment_bundled": "supplier payment {reference}: bundled settlement entry",
        "clean": "no problem found before sending",
        "accepted": "accepted by ACD",
        "resent": "resent after the automatic fix: accepted by ACD",
        "fixed": "{path}: {old} -> {new}",
        "unknown": "ACD's message is not in the catalog yet: {message}",
        "alternatives": "either: {titles}",
        "summary": "{accepted} of {total} entries accepted by ACD, {fixed} fixed automatically, {person} problems need a person",
    },
    "fr": {
        "no_qonto": "plugin qonto absent : des écritures bancaires fournies remplacent le bac à sable Qonto",
        "qonto_failed": "côté Qonto indisponible ({error}) : des écritures bancaires fournies le remplacent",
        "fetched": "{count} éléments Qonto récupérés du bac à sable Qonto, {mapped} écritures préparées pour ACD",
        "payment": "paiement fournisseur {reference} transformé en écriture de règlement",
        "payment_bundled": "paiement fournisseur {reference} : écriture de règlement fournie",
        "clean": "aucun problème trouvé avant l'envoi",
        "accepted": "acceptée par ACD",
        "resent": "renvoyée après la correction automatique : acceptée par ACD",
        "fixed": "{path} : {old} -> {new}",
        "unknown": "le message d'ACD n'est pas encore au catalogue : {message}",
        "alternatives": "au choix : {titles}",
        "summary": "{accepted} écritures sur {total} acceptées par ACD, {fixed} corrigées automatiquement, "
        "{person} problèmes demandent une intervention",
    },
}


def _bundled() -> dict[str, Any]:
    return json.loads((files(__package__) / "demo_data.json").read_text(encoding="utf-8"))


def _as_entities(host: Host, items: Any) -> list[EntityBase]:
    if isinstance(items, (EntityBase, Mapping)):
        items = [items]
    out = []
    for item in items or []:
        entity = host.parse_entity(item)
        if entity.kind == "journal_entry":
            out.append(entity)
    return out


def _from_qonto(host: Host, data: dict[str, Any], section: DemoSection, t: dict[str, str]) -> list[EntityBase]:
    """Bank and payment entries from the qonto plugin, or the bundled ones standing in for them."""
    factory = host.sandboxes().get("qonto")
    to_entries = host.tool("qonto.to_entries")
    payment_entry = host.tool("qonto.payment_entry")
    bundled_bank = [host.parse_entity(e) for e in data["bank_entries"]]
    bundled_payment = host.parse_entity(data["payment_entry"])
    reference = data["payment"]["reference"]
    if "qonto" not in host.plugins or factory is None or to_entries is None:
        section.add("fetch", "skipped", t["no_qonto"], system="qonto")
        section.add("fetch", "info", t["payment_bundled"].format(reference=reference), system="qonto")
        return [*bundled_bank, bundled_payment]
    # The qonto plugin is developed on its own: whatever goes wrong on its side, the ACD part runs.
    try:
        with factory() as server:
            fetched = list(host.fetch("qonto", {
                "base_url": server.url, "login": "sandbox", "secret_key": SecretStr("sandbox"),
            }))
        entries = _as_entities(host, to_entries(fetched, dict(MAPPING_SETTINGS)))[:QONTO_LIMIT]
        section.add("fetch", "ok", t["fetched"].format(count=len(fetched), mapped=len(entries)), system="qonto")
    except Exception as exc:  # noqa: BLE001 - see above
        log.warning("qonto side of the demo failed: %s", exc)
        section.add("fetch", "skipped", t["qonto_failed"].format(error=type(exc).__name__), system="qonto")
        entries = bundled_bank
    payment: list[EntityBase] = []
    if payment_entry is not None:
        try:
            payment = _as_entities(host, payment_entry(dict(data["payment"]), dict(MAPPING_SETTINGS)))
        except Exception as exc:  # noqa: BLE001 - the qonto tool's contract may differ: fall back
            log.warning("qonto.payment_entry failed in the demo: %s", exc)
    key = "payment" if payment else "payment_bundled"
    section.add("fetch", "info", t[key].format(reference=reference), system="qonto")
    return [*entries, *(payment or [bundled_payment])]


def _person_step(plan: RemediationPlan, t: dict[str, str]) -> tuple[str, str]:
    """Where a person acts first, and what they do (or which alternatives they choose from)."""
    manual = [s for s in plan.steps if not s.automatic or s.confirm]
    if manual:
        text = manual[0].instructions
        if plan.alternatives:
            text += " " + t["alternatives"].format(titles=" / ".join(a.title for a in plan.alternatives))
        return manual[0].system, text
    if plan.alternatives:
        first = plan.alternatives[0].steps[0].system if plan.alternatives[0].steps else "acd"
        return first, t["alternatives"].format(titles=" / ".join(a.title for a in plan.alternatives))
    return "qonto", plan.title


def _pointer_value(doc: Any, pointer: str) -> Any:
    node = doc
    for token in [p for p in pointer.split("/") if p]:
        if isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        elif isinstance(node, dict):
            node = node.get(token)
        else:
            return None
    return node


class _Run:
    """One pass of the loop over the entries, reporting into a section."""

    def __init__(self, host: Host, section: DemoSection, session: AcdSession, context: dict[str, Any],
                 lang: str) -> None:
        self.host, self.section, self.session, self.context, self.lang = host, section, session, context, lang
        self.t = TEXT["fr" if lang == "fr" else "en"]
        self.counts = {"accepted": 0, "fixed": 0, "person": 0}

    def entry(self, entity: EntityBase) -> None:
        ref = entity.id or "?"
        findings = self.host.validate(entity, self.context, lang=self.lang)
        for f in findings:
            self.section.add("validate", "flagged", f.message, entity=ref, problem=f.problem)
        if not findings:
            self.section.add("validate", "ok", self.t["clean"], entity=ref)
        report = self.session.push(entity, self.context["acd"].get("folder"))
        if report is None:
            self.accepted(ref, self.t["accepted"], "push")
            return
        diagnoses = self.rejected(ref, report, "push")
        fixed, applied = self.host.apply_fixes(entity, self.context)
        before = entity.model_dump(mode="json", exclude_none=True)
        for item in applied:
            for op in item["patch"]:
                detail = self.t["fixed"].format(path=item["path"], old=_pointer_value(before, op["path"]),
                                                new=op.get("value"))
                self.section.add("fix", "fixed", detail, entity=ref, problem=item["problem"], automatic=True,
                                 system="qonto")
        if applied:
            self.counts["fixed"] += 1
            report = self.session.push(fixed, self.context["acd"].get("folder"))
            if report is None:
                self.accepted(ref, self.t["resent"], "resend")
                return
            diagnoses = self.rejected(ref, report, "resend")
        for diagnosis in diagnoses:
            self.needs_person(ref, diagnosis, fixed)

    def accepted(self, ref: str, detail: str, stage: str) -> None:
        self.counts["accepted"] += 1
        self.section.add(stage, "accepted", detail, entity=ref, system="acd")

    def rejected(self, ref: str, report: ErrorReport, stage: str) -> list[Diagnosis]:
        self.section.add(stage, "rejected", report.message, entity=ref, system="acd")
        diagnoses = self.host.classify(report, vendor="acd", lang=self.lang)
        for d in diagnoses:
            self.section.add("classify", "info", d.title or d.problem, entity=ref, problem=d.problem)
        return diagnoses

    def needs_person(self, ref: str, diagnosis: Diagnosis, entity: EntityBase) -> None:
        self.counts["person"] += 1
        if diagnosis.problem not in self.host.catalog.problems:
            message = "; ".join(diagnosis.causes[:1]) or diagnosis.problem
            self.section.add("diagnose", "needs_person", self.t["unknown"].format(message=message), entity=ref,
                             problem=diagnosis.problem, automatic=False, system="vendor_support")
            return
        plans = self.host.remediate(diagnosis.problem, diagnosis.params, entity, self.context, lang=self.lang)
        system, text = _person_step(plans[0], self.t)
        self.section.add("diagnose", "needs_person", text, entity=ref, problem=diagnosis.problem, automatic=False,
                         system=system)


def run_demo(host: Host, lang: str = "en") -> DemoSection:
    """Run the Qonto → ACD loop over loopback sandboxes (about a second) and report it."""
    section = DemoSection("qonto_acd", "Qonto → ACD")
    data = _bundled()
    entries = _from_qonto(host, data, section, TEXT["fr" if lang == "fr" else "en"])
    entries += [host.parse_entity(e) for e in data["hub_entries"]]
    # the same folder as `syncdoctor sandbox acd`, answering in French in a French demo (ACD's API wording)
    app = AcdSandbox(lang=lang)
    # Qonto's sandbox dates its transactions relative to today: keep them inside the open period
    start, end = app.folder.open_period
    app.folder.open_period = (start, max(end, dt.date(dt.date.today().year, 12, 31)))
    with SandboxServer(app, name="acd") as server:
        # what a host reads from the ACD folder, plus the journal codes the Accounting Hub uses
        context = {"acd": {**app.folder.context(), "journal_code_mapping": data["journal_code_mapping"]}}
        with AcdSession(server.url) as session:
            run = _Run(host, section, session, context, lang)
            for entity in entries:
                run.entry(entity)
    section.notes.append(run.t["summary"].format(total=len(entries), accepted=run.counts["accepted"],
                                                 fixed=run.counts["fixed"], person=run.counts["person"]))
    return section
