"""``syncdoctor sandbox acd``: a fake i-Suite Expert API on loopback, with a realistic folder.

It answers like ACD as community integrations observed it (vendor-apis.md §5.2) and rejects
what ACD rejects, with the messages the Qonto Accounting Hub shows (seed 000) in English, or
ACD's API wording in French (``lang="fr"``). Codes ``compteInexistant``,
``analytiqueCleRepartitionInexistante`` and ``jetonNonRecu`` are ACD's; the other codes are
this sandbox's own (ACD's are not public) and no rule relies on them.

Business rejections come back as HTTP 200 with ``codeRetour: 0``: the envelope, not the
status, says whether ACD took the entry.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from syncdoctor import Faults, SandboxRequest, SandboxResponse, SandboxServer

__all__ = ["AcdSandbox", "SandboxFolder", "sandbox"]

LOGIN, PASSWORD = "sandbox", "sandbox"

# (English as the Accounting Hub shows it, French as ACD's API words it)
MESSAGES: dict[str, tuple[str, str]] = {
    "compteInexistant": ("The account {account} does not exist", "Le compte {account} n'existe pas"),
    "numeroFactureNonGere": ("The invoice number is not enabled on journal {journal}",
                             "Le numéro de facture n'est pas activé sur le journal {journal}"),
    "analytiqueCleRepartitionInexistante": (
        "Analytics is enabled, no allocation, and the automatic allocation key is missing on account {account}",
        "La clé de répartition automatique est absente sur le compte {account} : l'analytique est activée "
        "et la ligne n'a pas de ventilation"),
    "droitsGedInsuffisants": (
        "You do not have permission to send documents to the DMS. Attachment upload failed.",
        "Vous n'avez pas la permission d'envoyer des documents dans la GED. L'envoi de la pièce jointe a échoué."),
    "ecritureDesequilibree": ("The entry is not balanced (debit {debit}, credit {credit})",
                              "L'écriture n'est pas équilibrée (débit {debit}, crédit {credit})"),
    "journalObligatoire": ("Journal is required", "Le journal est obligatoire"),
    "journalInexistant": ("The journal {journal} does not exist", "Le journal {journal} n'existe pas"),
    "dateObligatoire": ("Entry date is required", "La date de l'écriture est obligatoire"),
    "periodeCloturee": ("The entry date {date} is outside the open period ({start} - {end})",
                        "La date du {date} est en dehors de la période ouverte ({start} - {end})"),
    "montantInvalide": ("Invalid amount {amount}", "Montant invalide {amount}"),
    "dossierInexistant": ("The folder {folder} does not exist", "Le dossier {folder} n'existe pas"),
    "corpsInvalide": ("The request body is not a valid entry", "Le corps de la requête n'est pas une écriture valide"),
    "jetonNonRecu": ("Token not received", "Jeton non reçu"),
    "identifiantsInvalides": ("Wrong login or password", "Identifiant ou mot de passe incorrect"),
}


def _general(lib: str, analytics: bool = False, key: str | None = None) -> dict[str, Any]:
    return {"Lib": lib, "ActivationAnalytique": analytics, "CleRepartition": key}


@dataclass
class SandboxFolder:
    """The folder the sandbox serves: a small company using Qonto, in an 8-digit chart."""

    code: str = "DEMO"
    journals: dict[str, dict[str, Any]] = field(default_factory=lambda: {
        # invoice-number management is off on the purchases journal: the seed's Error 2
        "AC": {"Libelle": "Achats", "Nature": "Achat", "GestionNumeroFacture": False},
        "VT": {"Libelle": "Ventes", "Nature": "Vente", "GestionNumeroFacture": True},
        "BQ2": {"Libelle": "Qonto", "Nature": "Tresorerie", "GestionNumeroFacture": False},
        "OD": {"Libelle": "Opérations diverses", "Nature": "OperationDiverse", "GestionNumeroFacture": True},
    })
    general_accounts: dict[str, dict[str, Any]] = field(default_factory=lambda: {
        "10100000": _general("Capital"),
        "40100000": _general("Fournisseurs"),
        "40400000": _general("Fournisseurs d'immobilisations"),
        "41100000": _general("Clients"),
        "42100000": _general("Personnel - rémunérations dues"),
        "44566000": _general("TVA déductible sur autres biens et services"),
        "44571000": _general("TVA collectée"),
        "47100000": _general("Compte d'attente"),
        "51210000": _general("Qonto"),
        "58000000": _general("Virements internes"),
        # analytics on and no automatic key: the seed's Error 3
        "60610000": _general("Fournitures non stockables", analytics=True),
        "60640000": _general("Fournitures administratives", analytics=True, key="ADM"),
        "60700000": _general("Achats de marchandises"),
        "61320000": _general("Locations immobilières"),
        "62260000": _general("Honoraires"),
        "62510000": _general("Voyages et déplacements"),
        "62600000": _general("Frais postaux et de télécommunications"),
        "62700000": _general("Services bancaires"),
        "64100000": _general("Rémunérations du personnel"),
        "70600000": _general("Prestations de services"),
        "70700000": _general("Ventes de marchandises"),
    })
    auxiliaries: dict[str, dict[str, Any]] = field(default_factory=lambda: {
        "FAARO": {"Categ": "F", "Lib": "AARO", "CptCptCol": "40100000"},
        "CDUPONT": {"Categ": "C", "Lib": "Dupont SARL", "CptCptCol": "41100000"},
    })
    open_period: tuple[dt.date, dt.date] = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    dms_denied_journals: set[str] = field(default_factory=set)
    """Journals whose DMS section the API user may not write to (the seed's "rights" case)."""

    def context(self) -> dict[str, Any]:
        """This folder's settings as the plugin's context (what a host reads from ACD)."""
        return {
            "folder": self.code,
            "journals": {code: {"nature": j["Nature"], "invoice_number_management": j["GestionNumeroFacture"]}
                         for code, j in self.journals.items()},
            "accounts": {number: {"analytics_enabled": a["ActivationAnalytique"],
                                  **({"automatic_allocation_key": a["CleRepartition"]} if a["CleRepartition"] else {})}
                         for number, a in self.general_accounts.items() if a["ActivationAnalytique"]},
            "open_period": {"start": self.open_period[0].isoformat(), "end": self.open_period[1].isoformat()},
            "general_account_length": 8,
        }


def _envelope(errors: list[dict[str, str]] | None = None, **extra: Any) -> dict[str, Any]:
    if errors:
        return {"codeRetour": 0, "description": "KO", "listeErreurs": errors, **extra}
    return {"codeRetour": 1, "description": "OK", "listeErreurs": [], **extra}


def _fr(date: dt.date) -> str:
    return date.strftime("%d/%m/%Y")


class AcdSandbox:
    """The app: ACD's behaviour over a :class:`SandboxFolder`. Accepted writes are kept."""

    def __init__(self, folder: SandboxFolder | None = None, *, lang: str = "en") -> None:
        self.folder = folder or SandboxFolder()
        self.lang = lang
        self.tokens: set[str] = set()
        self.entries: list[dict[str, Any]] = []
        self.documents: list[dict[str, Any]] = []
        self.rejections: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._replies_lock = threading.Lock()
        self.replies: dict[str, SandboxResponse] = {}
        """Answers to writes by ``Idempotency-Key``: a repeated key gets the first answer again."""

    def reset(self) -> None:
        """Back to the seeded folder, with no entry, document or rejection (tokens stay valid)."""
        with self._lock:
            self.folder = SandboxFolder()
            self.entries.clear()
            self.documents.clear()
            self.rejections.clear()
        with self._replies_lock:
            self.replies.clear()

    # -- helpers

    def error(self, code: str, **values: Any) -> dict[str, str]:
        en, fr = MESSAGES[code]
        return {"erreur": code, "description": (fr if self.lang == "fr" else en).format(**values)}

    def _refuse(self, status: int, code: str) -> SandboxResponse:
        return SandboxResponse(status, _envelope([self.error(code)]))

    # -- routing

    def __call__(self, request: SandboxRequest) -> SandboxResponse:
        path = request.path.rstrip("/")
        if request.method == "POST" and path == "/v1/authentification":
            return self.authenticate(request)
        if request.headers.get("uuid") not in self.tokens:
            return self._refuse(401, "jetonNonRecu")
        routes = {
            ("POST", "/v1/compta/ecriture"): self.write_entry,
            ("POST", "/v1/ged/documents"): self.upload_document,
            ("GET", "/v1/compta/journal"): self.list_journals,
            ("GET", "/v1/compta/exercices"): self.list_periods,
            ("GET", "/v1/compta/comptes/generaux"): self.list_general_accounts,
            ("GET", "/v1/compta/comptes/fournisseurs"): lambda r: self.list_auxiliaries("F"),
            ("GET", "/v1/compta/comptes/clients"): lambda r: self.list_auxiliaries("C"),
        }
        handler = routes.get((request.method, path))
        if handler is None:
            allowed = any(p == path for _, p in routes)
            return SandboxResponse(405 if allowed else 404, {"message": f"{request.method} {path} is not served here"})
        key = request.headers.get("idempotency-key") if request.method == "POST" else None
        if not key:
            return handler(request)
        with self._replies_lock:  # one write per key, even when two attempts arrive together
            if key not in self.replies:
                self.replies[key] = handler(request)
            return self.replies[key]

    def authenticate(self, request: SandboxRequest) -> SandboxResponse:
        try:
            body = request.json()
        except ValueError:
            body = None
        creds = {str(k).lower(): v for k, v in body.items()} if isinstance(body, dict) else {}
        if creds.get("identifiant") != LOGIN or creds.get("motdepasse") != PASSWORD:
            return self._refuse(401, "identifiantsInvalides")
        token = secrets.token_hex(16)
        self.tokens.add(token)
        return SandboxResponse(200, {"UUID": token})

    # -- reference data

    def list_journals(self, request: SandboxRequest) -> SandboxResponse:
        return SandboxResponse(200, [{"Code": c, "Libelle": j["Libelle"], "Nature": j["Nature"]}
                                     for c, j in self.folder.journals.items()])

    def list_periods(self, request: SandboxRequest) -> SandboxResponse:
        start, end = self.folder.open_period
        return SandboxResponse(200, [{"DateDebut": start.isoformat(), "DateFin": end.isoformat(), "Cloture": False}])

    def list_general_accounts(self, request: SandboxRequest) -> SandboxResponse:
        return SandboxResponse(200, [{"Code": n, "Lib": a["Lib"], "ActivationAnalytique": a["ActivationAnalytique"]}
                                     for n, a in self.folder.general_accounts.items()])

    def list_auxiliaries(self, categ: str) -> SandboxResponse:
        return SandboxResponse(200, [{"Code": c, **a} for c, a in self.folder.auxiliaries.items() if a["Categ"] == categ])

    # -- writes

    def upload_document(self, request: SandboxRequest) -> SandboxResponse:
        try:
            body = request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return SandboxResponse(200, _envelope([self.error("corpsInvalide")]))
        journal = body.get("Journal")
        # The DMS files documents by journal: an unknown journal code, or a journal whose DMS
        # section the user may not write to, both end in ACD's "permission" message.
        if journal not in self.folder.journals or journal in self.folder.dms_denied_journals:
            return self._reject(body, [self.error("droitsGedInsuffisants")])
        with self._lock:
            reference = f"GED-{next(self._ids):06d}"
            self.documents.append({**body, "Reference": reference})
        return SandboxResponse(200, _envelope(Reference=reference))

    def write_entry(self, request: SandboxRequest) -> SandboxResponse:
        try:
            body = request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("LignesEcriture"), list):
            return SandboxResponse(200, _envelope([self.error("corpsInvalide")]))
        errors = self.check_entry(body)
        if errors:
            return self._reject(body, errors)
        with self._lock:
            self.entries.append({**body, "Id": next(self._ids)})
        return SandboxResponse(200, _envelope())

    def _reject(self, body: dict[str, Any], errors: list[dict[str, str]]) -> SandboxResponse:
        with self._lock:
            self.rejections.append({"body": body, "errors": errors})
        return SandboxResponse(200, _envelope(errors))

    # -- ACD's checks

    def check_entry(self, body: dict[str, Any]) -> list[dict[str, str]]:
        folder = self.folder
        if body.get("CodeDossier") != folder.code:
            return [self.error("dossierInexistant", folder=body.get("CodeDossier"))]
        errors: list[dict[str, str]] = []
        journal = body.get("Journal")
        settings = folder.journals.get(journal) if isinstance(journal, str) else None
        if not journal or not str(journal).strip():
            errors.append(self.error("journalObligatoire"))
        elif settings is None:
            errors.append(self.error("journalInexistant", journal=journal))
        lines = [line for line in body["LignesEcriture"] if isinstance(line, dict)]
        errors.extend(self._check_date(body, lines))
        debit, credit, amount_errors = self._totals(lines)
        errors.extend(amount_errors)
        if not amount_errors and debit != credit:
            errors.append(self.error("ecritureDesequilibree", debit=debit, credit=credit))
        if settings is not None and not settings["GestionNumeroFacture"]:
            if any(str(line.get("NumeroFacture") or "").strip() for line in lines):
                errors.append(self.error("numeroFactureNonGere", journal=journal))
        seen: set[str] = set()
        for line in lines:
            for error in self._check_account(line):
                if error["description"] not in seen:
                    seen.add(error["description"])
                    errors.append(error)
        return errors

    def _check_date(self, body: dict[str, Any], lines: list[dict[str, Any]]) -> list[dict[str, str]]:
        days = [line.get("Jour") for line in lines] or [None]
        start, end = self.folder.open_period
        for day in days:
            try:
                date = dt.date(int(body["Annee"]), int(body["Mois"]), int(day))  # type: ignore[arg-type]
            except (KeyError, TypeError, ValueError):
                return [self.error("dateObligatoire")]
            if not start <= date <= end:
                return [self.error("periodeCloturee", date=_fr(date), start=_fr(start), end=_fr(end))]
        return []

    def _totals(self, lines: list[dict[str, Any]]) -> tuple[Decimal, Decimal, list[dict[str, str]]]:
        debit = credit = Decimal(0)
        for line in lines:
            for name in ("Debit", "Credit"):
                raw = line.get(name) if line.get(name) is not None else "0"
                try:
                    value = Decimal(str(raw))
                except InvalidOperation:
                    return debit, credit, [self.error("montantInvalide", amount=raw)]
                if not value.is_finite():
                    return debit, credit, [self.error("montantInvalide", amount=raw)]
                if name == "Debit":
                    debit += value
                else:
                    credit += value
        return debit, credit, []

    def _check_account(self, line: dict[str, Any]) -> list[dict[str, str]]:
        account = str(line.get("Compte") or "").strip()
        if account[:1].isdigit():
            settings = self.folder.general_accounts.get(account)
            if settings is None:
                return [self.error("compteInexistant", account=account)]
            if settings["ActivationAnalytique"] and not settings["CleRepartition"] and not line.get("Analytiques"):
                return [self.error("analytiqueCleRepartitionInexistante", account=account)]
            return []
        if account[:1] in ("F", "C"):
            # the Accounting Hub creates missing third parties before it writes the entry
            with self._lock:
                self.folder.auxiliaries.setdefault(account, {
                    "Categ": account[0], "Lib": line.get("Libelle") or account,
                    "CptCptCol": "40100000" if account[0] == "F" else "41100000"})
            return []
        return [self.error("compteInexistant", account=account or "?")]


def sandbox(port: int = 0, faults: str | None = None) -> SandboxServer:
    """The ACD sandbox server (not started); login ``sandbox``, password ``sandbox``."""
    return SandboxServer(AcdSandbox(), port=port, faults=Faults(faults) if faults else None, name="acd")
