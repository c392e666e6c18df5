"""Sending a journal entry to ACD's i-Suite Expert API, as community integrations do it.

The API is not publicly documented (vendor-apis.md §5.2, UNCONFIRMED against official docs):
``POST /v1/authentification`` gives a ``UUID`` token that later calls send in a ``UUID``
header with ``CNX``; ``POST /v1/compta/ecriture`` writes an entry whose lines are
``LignesEcriture``; documents go to the DMS through ``POST /v1/ged/documents``. Every answer
is the ``codeRetour`` / ``listeErreurs`` envelope (see :mod:`.envelope`).

Never twice: every write carries an ``Idempotency-Key`` derived from what it writes (folder,
journal, lines; :func:`idempotency_key`), so a POST retried after a lost answer, or an entry
pushed again by a batch that was restarted, is recognised and answered from the first write.
ACD's own support for the header is not documented (vendor-apis.md §5.2); the sandbox honours
it, and docs/reliability.md says what to check on a real server.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from syncdoctor import (
    EntityBase,
    ErrorReport,
    JournalEntry,
    VendorAuthError,
    VendorError,
)

from .envelope import is_accepted, report_from_envelope

if TYPE_CHECKING:  # httpx and the client load when a session opens, not with the plugin (start-up time)
    import httpx

    from syncdoctor import RetryPolicy

__all__ = ["DEFAULT_FOLDER", "AcdSession", "idempotency_key", "push", "to_body"]

DEFAULT_FOLDER = "DEMO"
"""The folder code of the loopback sandbox, used when no folder is given."""


def _journal_entry(entry: Any) -> JournalEntry:
    if isinstance(entry, JournalEntry):
        return entry
    if isinstance(entry, EntityBase):
        return JournalEntry.model_validate(entry.model_dump())
    if isinstance(entry, Mapping):
        return JournalEntry.model_validate(dict(entry))
    raise TypeError(f"expected a journal_entry, got {type(entry).__name__}")


def _amount(value: Decimal | None) -> str:
    # Exact decimal strings: httpx's JSON encoder has no Decimal, and a float would lose cents.
    return str(value if value is not None else Decimal(0))


def _allocation(item: Mapping[str, Any]) -> dict[str, Any]:
    if any(k[:1].isupper() for k in item):  # already in ACD's shape
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in item.items()}
    return {
        "Section1": str(item.get("section") or item.get("section1") or ""),
        "Debit": _amount(item.get("debit")),
        "Credit": _amount(item.get("credit")),
    }


def to_body(entry: Any, folder: str | None = None) -> dict[str, Any]:
    """The ``POST /v1/compta/ecriture`` body of a journal entry.

    A third-party line carries its auxiliary code in ``Compte``: ACD books it on that
    auxiliary's collective account (401/411), which is why an auxiliary on any other line is
    caught before sending. Month and year are the entry's; every line carries the day.
    """
    je = _journal_entry(entry)
    date = je.date
    lines = []
    for line in je.lines:
        aux = (line.auxiliary or "").strip()
        lines.append({
            "Jour": date.day if date else None,
            "NumeroPiece": je.reference,
            "NumeroFacture": je.invoice_number,
            "Compte": aux or line.account,
            "Libelle": line.label or je.label or "",
            "Debit": _amount(line.debit),
            "Credit": _amount(line.credit),
            "Analytiques": [_allocation(a) for a in (line.analytics or []) if isinstance(a, Mapping)],
        })
    return {
        "CodeDossier": folder or DEFAULT_FOLDER,
        "Journal": je.journal,
        "Mois": date.month if date else None,
        "Annee": date.year if date else None,
        "LignesEcriture": lines,
    }


def idempotency_key(path: str, body: Any) -> str:
    """A stable key for one write: the same entry (same folder, journal, lines) gives the same
    key in every run, so that the vendor can tell a repeat from a new write."""
    canonical = json.dumps([path, body], sort_keys=True, default=str, separators=(",", ":"))
    return "sd-" + hashlib.sha256(canonical.encode()).hexdigest()[:40]


class AcdSession:
    """One authenticated i-Suite Expert session; the token never leaves the headers callable."""

    def __init__(
        self,
        base_url: str,
        login: str = "sandbox",
        password: SecretStr | str = "sandbox",
        *,
        cnx: str = "CNX",
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.login_name = login
        self._password = password if isinstance(password, SecretStr) else SecretStr(password)
        self.cnx = cnx
        self._token: SecretStr | None = None
        from syncdoctor.vendors.client import RetryPolicy, VendorClient

        self.client = VendorClient("acd", base_url, headers=self._headers, transport=transport,
                                   retry=retry or RetryPolicy(attempts=4, backoff=0.05, max_wait=2.0))

    def __repr__(self) -> str:
        return f"AcdSession(base_url={self.client.base_url!r}, login={self.login_name!r}, password=***)"

    def _headers(self) -> dict[str, str]:
        headers = {"CNX": self.cnx}
        if self._token is not None:
            headers["UUID"] = self._token.get_secret_value()
        return headers

    def __enter__(self) -> AcdSession:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def authenticate(self) -> None:
        """Get a token; raises :class:`syncdoctor.VendorAuthError` when ACD refuses the login."""
        response = self.client.request("POST", "/v1/authentification", json={
            "CNX": self.cnx, "Identifiant": self.login_name, "MotDePasse": self._password.get_secret_value(),
        }, repeatable=True)  # a second login only makes a second token
        answer = self.client.json_of(response, "/v1/authentification")
        token = answer.get("UUID") if isinstance(answer, Mapping) else None
        if not token:
            raise VendorError("acd", "the authentication answer carries no UUID token")
        self._token = SecretStr(str(token))

    def post(self, path: str, body: Any) -> tuple[int, Any]:
        """POST and return (HTTP status, envelope); a 4xx with an envelope is returned, not raised."""
        if self._token is None:
            self.authenticate()
        key = idempotency_key(path, body)
        try:
            response = self.client.request("POST", path, json=body, idempotency_key=key)
        except VendorAuthError:
            # the token lasts about an hour: log in again once, then let a second refusal through
            self.authenticate()
            response = self.client.request("POST", path, json=body, idempotency_key=key)
        return response.status_code, self.client.json_of(response, path)

    def push(self, entry: Any, folder: str | None = None) -> ErrorReport | None:
        """Send an entry (its attachments first, to the DMS); ``None`` when ACD accepted it."""
        je = _journal_entry(entry)
        body = to_body(je, folder)
        try:
            for attachment in je.attachments:
                status, answer = self.post("/v1/ged/documents", {
                    "CodeDossier": body["CodeDossier"], "Journal": je.journal, "NumeroPiece": je.reference,
                    "NomFichier": attachment.filename, "TypeContenu": attachment.content_type,
                    "Taille": attachment.size,
                })
                if not is_accepted(answer):
                    return report_from_envelope(answer, http_status=status, record=je.id)
                if isinstance(answer, Mapping) and answer.get("Reference"):
                    body.setdefault("ReferenceGed", answer["Reference"])
            status, answer = self.post("/v1/compta/ecriture", body)
        except VendorError as exc:
            if exc.status is None or exc.status in (401, 403):
                raise  # not a rejection of this entry: the connection itself failed
            return ErrorReport(vendor="acd", message=str(exc), http_status=exc.status, code=exc.code, record=je.id)
        if is_accepted(answer):
            return None
        return report_from_envelope(answer, http_status=status, record=je.id)


def push(
    base_url: str,
    entry: Any,
    *,
    login: str = "sandbox",
    password: SecretStr | str = "sandbox",
    folder: str | None = None,
    transport: httpx.BaseTransport | None = None,
    retry: RetryPolicy | None = None,
) -> ErrorReport | None:
    """Send one journal entry to ACD; ``None`` when accepted, else the rejection as a report.

    Shared with other plugins as the host tool ``acd.push``. Raises
    :class:`syncdoctor.VendorAuthError` when the credentials are refused, and
    :class:`syncdoctor.VendorError` when ACD cannot be reached after the retries.
    """
    with AcdSession(base_url, login, password, transport=transport, retry=retry) as session:
        return session.push(entry, folder)
