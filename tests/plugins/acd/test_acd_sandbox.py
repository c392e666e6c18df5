"""The ACD sandbox over real loopback HTTP: auth, reference data, and each rejection with its message."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from syncdoctor import Faults, RetryPolicy, SandboxServer
from syncdoctor_acd.api import AcdSession, to_body
from syncdoctor_acd.sandbox import AcdSandbox, sandbox

GOOD: dict[str, Any] = {
    "kind": "journal_entry", "id": "ok", "journal": "AC", "date": "2026-03-26", "reference": "FS9289482",
    "label": "AARO", "party": {"type": "supplier", "name": "AARO"},
    "lines": [{"account": "40100000", "auxiliary": "FAARO", "credit": "189.99"},
              {"account": "60640000", "debit": "158.33"},
              {"account": "44566000", "debit": "31.66"}],
}


@pytest.fixture(scope="module")
def shared() -> Iterator[SandboxServer]:
    # one server for the module: stopping one takes up to half a second
    with SandboxServer(AcdSandbox(), name="acd") as running:
        yield running


@pytest.fixture
def server(shared: SandboxServer) -> SandboxServer:
    assert isinstance(shared.app, AcdSandbox)
    shared.app.reset()
    return shared


@pytest.fixture
def app(server: SandboxServer) -> AcdSandbox:
    assert isinstance(server.app, AcdSandbox)
    return server.app


@pytest.fixture
def client(server: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=5) as c:
        token = c.post("/v1/authentification", json={"CNX": "CNX", "Identifiant": "sandbox",
                                                     "MotDePasse": "sandbox"}).json()["UUID"]
        c.headers.update({"UUID": token, "CNX": "CNX"})
        yield c


def _post(client: httpx.Client, entry: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/compta/ecriture", json=to_body(entry))
    assert response.status_code == 200
    return dict(response.json())


def test_login_gives_a_token_and_calls_without_it_are_refused(server: SandboxServer) -> None:
    with httpx.Client(base_url=server.url) as c:
        bad = c.post("/v1/authentification", json={"Identifiant": "sandbox", "MotDePasse": "nope"})
        assert bad.status_code == 401 and bad.json()["codeRetour"] == 0
        anonymous = c.post("/v1/compta/ecriture", json=to_body(GOOD))
        assert anonymous.status_code == 401
        assert anonymous.json()["listeErreurs"][0]["erreur"] == "jetonNonRecu"
        ok = c.post("/v1/authentification", json={"cnx": "CNX", "identifiant": "sandbox", "motDePasse": "sandbox"})
        assert ok.status_code == 200 and len(ok.json()["UUID"]) == 32


def test_reference_data(client: httpx.Client) -> None:
    journals = {j["Code"]: j["Nature"] for j in client.get("/v1/compta/journal").json()}
    assert journals == {"AC": "Achat", "VT": "Vente", "BQ2": "Tresorerie", "OD": "OperationDiverse"}
    [period] = client.get("/v1/compta/exercices").json()
    assert (period["DateDebut"], period["DateFin"]) == ("2026-01-01", "2026-12-31")
    accounts = {a["Code"]: a["ActivationAnalytique"] for a in client.get("/v1/compta/comptes/generaux").json()}
    assert accounts["60610000"] is True and accounts["51210000"] is False
    assert [a["Code"] for a in client.get("/v1/compta/comptes/fournisseurs").json()] == ["FAARO"]
    assert [a["Code"] for a in client.get("/v1/compta/comptes/clients").json()] == ["CDUPONT"]
    assert client.get("/v1/nothing").status_code == 404
    assert client.get("/v1/compta/ecriture").status_code == 405


def test_a_correct_entry_is_accepted_and_kept(client: httpx.Client, app: AcdSandbox) -> None:
    assert _post(client, GOOD) == {"codeRetour": 1, "description": "OK", "listeErreurs": []}
    assert len(app.entries) == 1 and app.entries[0]["LignesEcriture"][0]["Compte"] == "FAARO"


def _with(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def apply(entry: dict[str, Any]) -> None:
        entry.update(changes)
    return apply


def _line(index: int, **changes: Any) -> Callable[[dict[str, Any]], None]:
    def apply(entry: dict[str, Any]) -> None:
        entry["lines"][index].update(changes)
    return apply


REJECTIONS = [
    (_line(0, auxiliary="XAARO"), "compteInexistant", "The account XAARO does not exist"),
    (_with(invoice_number="F-2026-044"), "numeroFactureNonGere", "The invoice number is not enabled on journal AC"),
    (_line(1, account="60610000"), "analytiqueCleRepartitionInexistante",
     "Analytics is enabled, no allocation, and the automatic allocation key is missing on account 60610000"),
    (_line(1, debit="150.00"), "ecritureDesequilibree", "The entry is not balanced (debit 181.66, credit 189.99)"),
    (_line(1, account="6064"), "compteInexistant", "The account 6064 does not exist"),
    (_with(journal=None), "journalObligatoire", "Journal is required"),
    (_with(journal="ACH"), "journalInexistant", "The journal ACH does not exist"),
    (_with(date=None), "dateObligatoire", "Entry date is required"),
    (_with(date="2025-12-31"), "periodeCloturee",
     "The entry date 31/12/2025 is outside the open period (01/01/2026 - 31/12/2026)"),
]


@pytest.mark.parametrize(("change", "code", "message"), REJECTIONS)
def test_each_rejection_answers_acd_envelope_with_the_message(client: httpx.Client, app: AcdSandbox,
                                                              change: Callable[[dict[str, Any]], None],
                                                              code: str, message: str) -> None:
    entry = copy.deepcopy(GOOD)
    change(entry)
    answer = _post(client, entry)
    assert answer["codeRetour"] == 0 and answer["description"] == "KO"
    assert answer["listeErreurs"] == [{"erreur": code, "description": message}]
    assert app.entries == [] and len(app.rejections) == 1


def test_every_error_of_an_entry_is_listed(client: httpx.Client) -> None:
    entry = copy.deepcopy(GOOD)
    entry["lines"][0]["auxiliary"] = "XAARO"
    entry["lines"][1]["account"] = "60610000"
    entry["invoice_number"] = "F-1"
    codes = [e["erreur"] for e in _post(client, entry)["listeErreurs"]]
    assert codes == ["numeroFactureNonGere", "compteInexistant", "analytiqueCleRepartitionInexistante"]


def test_an_allocation_or_a_key_lets_analytics_accounts_through(client: httpx.Client) -> None:
    entry = copy.deepcopy(GOOD)
    entry["lines"][1].update(account="60610000", analytics=[{"section": "1", "debit": "158.33"}])
    assert _post(client, entry)["codeRetour"] == 1


def test_invoice_numbers_go_through_on_a_managed_journal(client: httpx.Client) -> None:
    sale = {"kind": "journal_entry", "journal": "VT", "date": "2026-05-22", "invoice_number": "F-2026-012",
            "lines": [{"account": "41100000", "auxiliary": "CDUPONT", "debit": "120"},
                      {"account": "70600000", "credit": "100"}, {"account": "44571000", "credit": "20"}]}
    assert _post(client, sale)["codeRetour"] == 1


def test_new_f_and_c_third_parties_are_created_like_the_hub_does(client: httpx.Client, app: AcdSandbox) -> None:
    entry = copy.deepcopy(GOOD)
    entry["lines"][0]["auxiliary"] = "FNEWCO"
    assert _post(client, entry)["codeRetour"] == 1
    assert app.folder.auxiliaries["FNEWCO"]["CptCptCol"] == "40100000"


def test_french_wording() -> None:
    app = AcdSandbox(lang="fr")
    with SandboxServer(app) as fr, AcdSession(fr.url) as session:
        entry = copy.deepcopy(GOOD)
        entry["lines"][0]["auxiliary"] = "XAARO"
        entry["lines"][1]["account"] = "60610000"
        report = session.push(entry)
    assert report is not None
    assert [e["description"] for e in report.payload["listeErreurs"]] == [
        "Le compte XAARO n'existe pas",
        "La clé de répartition automatique est absente sur le compte 60610000 : l'analytique est activée "
        "et la ligne n'a pas de ventilation"]


def test_dms_upload(client: httpx.Client, app: AcdSandbox) -> None:
    doc = {"CodeDossier": "DEMO", "Journal": "BQ2", "NomFichier": "f.pdf", "TypeContenu": "application/pdf"}
    ok = client.post("/v1/ged/documents", json=doc).json()
    assert ok["codeRetour"] == 1 and ok["Reference"].startswith("GED-")
    denied = client.post("/v1/ged/documents", json={**doc, "Journal": "BQ"}).json()
    assert denied["listeErreurs"] == [{
        "erreur": "droitsGedInsuffisants",
        "description": "You do not have permission to send documents to the DMS. Attachment upload failed."}]
    app.folder.dms_denied_journals.add("BQ2")  # same code on both sides: the rights case
    assert client.post("/v1/ged/documents", json=doc).json()["codeRetour"] == 0
    assert len(app.documents) == 1


def test_factory_signature_and_faults() -> None:
    server = sandbox(faults="429,500")
    assert isinstance(server, SandboxServer) and server.faults.names == ["429", "500"]
    assert isinstance(server.app, AcdSandbox)
    server._server.server_close()  # never started
    with pytest.raises(ValueError):
        sandbox(faults="flood")


def test_transport_faults_lose_nothing_and_duplicate_nothing() -> None:
    app = AcdSandbox()
    faults = Faults("429,500,drop,slow", every=2, retry_after=0, slow_seconds=0.01)
    with SandboxServer(app, faults=faults) as server, \
            AcdSession(server.url, retry=RetryPolicy(attempts=5, backoff=0.001, sleep=lambda s: None)) as session:
        for i in range(8):
            entry = copy.deepcopy(GOOD)
            entry["id"] = entry["reference"] = f"P{i}"
            assert session.push(entry) is None
    assert [e["LignesEcriture"][0]["NumeroPiece"] for e in app.entries] == [f"P{i}" for i in range(8)]
    assert sum(faults.injected.values()) >= 3
