"""Mapping an entry to ACD's body, the answer envelope, and pushing through ``httpx.MockTransport``."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from syncdoctor import ErrorReport, Host, JournalEntry, RetryPolicy, VendorAuthError, VendorError
from syncdoctor_acd.api import AcdSession, push, to_body
from syncdoctor_acd.envelope import errors_of, is_accepted, report_from_envelope, split_report

ENTRY: dict[str, Any] = {
    "kind": "journal_entry", "id": "e1", "journal": "AC", "date": "2026-03-26", "reference": "FS9289482",
    "invoice_number": "F-77", "label": "AARO", "party": {"type": "supplier", "name": "AARO"},
    "lines": [{"account": "40100000", "auxiliary": "FAARO", "credit": "189.99"},
              {"account": "60610000", "debit": "158.33", "label": "Fournitures",
               "analytics": [{"section": "1", "debit": "158.33"}]},
              {"account": "44566000", "debit": "31.66"}],
    "attachments": [{"filename": "f.pdf", "content_type": "application/pdf", "size": 120334}],
}
OK = {"codeRetour": 1, "description": "OK", "listeErreurs": []}
NO_RETRY_WAIT = RetryPolicy(attempts=3, backoff=0.001, sleep=lambda s: None)


def test_to_body_maps_every_field() -> None:
    body = to_body(ENTRY, "DOSS1")
    assert {k: v for k, v in body.items() if k != "LignesEcriture"} == {
        "CodeDossier": "DOSS1", "Journal": "AC", "Mois": 3, "Annee": 2026}
    first, second, third = body["LignesEcriture"]
    assert first == {"Jour": 26, "NumeroPiece": "FS9289482", "NumeroFacture": "F-77", "Compte": "FAARO",
                     "Libelle": "AARO", "Debit": "0", "Credit": "189.99", "Analytiques": []}
    assert second["Compte"] == "60610000" and second["Libelle"] == "Fournitures"
    assert second["Analytiques"] == [{"Section1": "1", "Debit": "158.33", "Credit": "0"}]
    assert third["Debit"] == "31.66" and third["Credit"] == "0"
    json.dumps(body)  # plain JSON: exact decimal strings, never floats


def test_to_body_accepts_models_and_defaults_the_folder() -> None:
    body = to_body(JournalEntry.model_validate({"kind": "journal_entry", "lines": [{"account": "51210000"}]}))
    assert body["CodeDossier"] == "DEMO" and body["Journal"] is None and body["Mois"] is None
    assert body["LignesEcriture"][0]["Jour"] is None
    with pytest.raises(TypeError):
        to_body(42)


def test_envelope_helpers() -> None:
    ko = {"codeRetour": 0, "description": "KO", "listeErreurs": [
        {"erreur": "compteInexistant", "description": "Le compte XAARO n'existe pas"},
        {"erreur": "", "description": "Autre"}]}
    assert is_accepted(OK) and not is_accepted(ko) and not is_accepted({"UUID": "x"})
    assert errors_of(ko) == [("compteInexistant", "Le compte XAARO n'existe pas"), (None, "Autre")]
    report = report_from_envelope(ko, http_status=200, record="e1")
    assert report.message == "Le compte XAARO n'existe pas | Autre" and report.code == "compteInexistant"
    parts = split_report(report)
    assert [(p.message, p.code, p.record) for p in parts] == [
        ("Le compte XAARO n'existe pas", "compteInexistant", "e1"), ("Autre", None, "e1")]
    plain = ErrorReport(message="The account X does not exist")
    assert split_report(plain) == [plain]
    assert split_report(ErrorReport(message="{not json listeErreurs")) == [ErrorReport(message="{not json listeErreurs")]


class FakeAcd:
    """A scripted ACD for MockTransport: records requests, answers from a queue per path."""

    def __init__(self, answers: dict[str, list[tuple[int, Any]]]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        # the base URL may carry a prefix (https://host/iSuiteExpert/api): answer by the API path
        queue = self.answers["/v1/" + request.url.path.split("/v1/", 1)[1]]
        status, body = queue.pop(0) if len(queue) > 1 else queue[0]
        return httpx.Response(status, json=body)


def test_push_authenticates_uploads_documents_then_writes() -> None:
    fake = FakeAcd({"/v1/authentification": [(200, {"UUID": "tok-123"})],
                    "/v1/ged/documents": [(200, {**OK, "Reference": "GED-9"})],
                    "/v1/compta/ecriture": [(200, OK)]})
    assert push("https://acd.example/iSuiteExpert/api", ENTRY, transport=httpx.MockTransport(fake)) is None
    auth, doc, write = fake.requests
    assert auth.url.path == "/iSuiteExpert/api/v1/authentification"
    assert json.loads(auth.content) == {"CNX": "CNX", "Identifiant": "sandbox", "MotDePasse": "sandbox"}
    assert doc.headers["UUID"] == "tok-123" and doc.headers["CNX"] == "CNX"
    assert json.loads(doc.content)["NomFichier"] == "f.pdf"
    assert json.loads(write.content)["ReferenceGed"] == "GED-9"


def test_push_returns_the_rejection_as_a_report() -> None:
    ko = {"codeRetour": 0, "description": "KO",
          "listeErreurs": [{"erreur": "compteInexistant", "description": "The account XAARO does not exist"}]}
    fake = FakeAcd({"/v1/authentification": [(200, {"UUID": "t"})], "/v1/ged/documents": [(200, OK)],
                    "/v1/compta/ecriture": [(200, ko)]})
    report = push("http://acd", ENTRY, transport=httpx.MockTransport(fake))
    assert report is not None
    assert (report.vendor, report.code, report.record, report.http_status) == ("acd", "compteInexistant", "e1", 200)
    assert report.message == "The account XAARO does not exist" and report.payload == ko
    [diagnosis] = Host.from_entry_points(names=["acd"]).classify(report)
    assert diagnosis.problem == "acd.auxiliary_code_invalid" and diagnosis.record == "e1"


def test_a_dms_refusal_stops_before_the_entry_is_written() -> None:
    ko = {"codeRetour": 0, "description": "KO", "listeErreurs": [
        {"erreur": "x", "description": "You do not have permission to send documents to the DMS. "
                                       "Attachment upload failed."}]}
    fake = FakeAcd({"/v1/authentification": [(200, {"UUID": "t"})], "/v1/ged/documents": [(200, ko)]})
    report = push("http://acd", ENTRY, transport=httpx.MockTransport(fake))
    assert report is not None and "DMS" in report.message
    assert [r.url.path for r in fake.requests] == ["/v1/authentification", "/v1/ged/documents"]  # no write


def test_a_4xx_answer_is_still_a_rejection_of_the_entry() -> None:
    fake = FakeAcd({"/v1/authentification": [(200, {"UUID": "t"})],
                    "/v1/compta/ecriture": [(400, {"message": "Le journal XX n'existe pas"})]})
    entry = {**ENTRY, "attachments": []}
    report = push("http://acd", entry, transport=httpx.MockTransport(fake))
    assert report is not None and report.http_status == 400 and "journal XX" in report.message


def test_refused_credentials_raise_without_leaking_the_password() -> None:
    fake = FakeAcd({"/v1/authentification": [(401, {"codeRetour": 0, "listeErreurs": []})]})
    with pytest.raises(VendorAuthError) as info:
        push("http://acd", ENTRY, password=SecretStr("s3cr3t-pw"), transport=httpx.MockTransport(fake))
    assert "s3cr3t-pw" not in str(info.value)
    session = AcdSession("http://acd", "me", "s3cr3t-pw")
    assert "s3cr3t-pw" not in repr(session) and "s3cr3t-pw" not in repr(session.client)
    session.close()


def test_an_expired_token_is_renewed_once() -> None:
    tokens = iter(["old", "new"])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/authentification":
            return httpx.Response(200, json={"UUID": next(tokens)})
        if request.headers.get("UUID") == "old":
            return httpx.Response(401, json={"codeRetour": 0, "listeErreurs": [{"erreur": "jetonNonRecu"}]})
        return httpx.Response(200, json=OK)

    with AcdSession("http://acd", transport=httpx.MockTransport(handler), retry=NO_RETRY_WAIT) as session:
        assert session.push({**ENTRY, "attachments": []}) is None


def test_server_errors_are_retried_then_reported() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/authentification":
            return httpx.Response(200, json={"UUID": "t"})
        calls["n"] += 1
        return httpx.Response(503, json={})

    with pytest.raises(VendorError), \
            AcdSession("http://acd", transport=httpx.MockTransport(handler), retry=NO_RETRY_WAIT) as session:
        session.push({**ENTRY, "attachments": []})
    assert calls["n"] == 3


def test_tools_are_shared_through_the_host() -> None:
    host = Host.from_entry_points(names=["acd"])
    # compared by name: another test may have re-imported the plugin's modules
    for name, fn in (("acd.push", push), ("acd.to_body", to_body)):
        tool = host.tool(name)
        assert tool is not None and (tool.__module__, tool.__name__) == (fn.__module__, fn.__name__)
    assert "acd" in host.sandboxes()
