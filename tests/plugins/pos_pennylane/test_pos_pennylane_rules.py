"""The rule pack: examples on both engines, the public ids, the seed's steps, classification."""

from __future__ import annotations

from typing import Any

import pytest

from syncdoctor import EngineUnavailable, Host
from syncdoctor.host.examples import run_examples

PUBLIC_IDS = {
    "pos_pennylane.sync_not_enabled",
    "pos_pennylane.connection_rejected",
    "pos_pennylane.lines_total_mismatch",
    "pos_pennylane.day_not_imported",
    "pos_pennylane.amount_discrepancy",
    "pos_pennylane.sync_never_executed",
    "pos_pennylane.data_missing_after_execution",
}
OWN_IDS = {
    "pos_pennylane.daily_entry_unbalanced",
    "pos_pennylane.unmapped_account",
    "pos_pennylane.unmapped_payment_method",
    "pos_pennylane.daily_entry_gap",
    "pos_pennylane.reimport_requested",
    "pos_pennylane.pennylane_rate_limited",
    "pos_pennylane.pennylane_validation_rejected",
}


def _ours(host: Host) -> dict[str, Any]:
    return {pid: cp for pid, cp in host.catalog.problems.items() if cp.plugin == "pos_pennylane"}


def test_catalog_holds_the_public_ids_and_ours(host: Host) -> None:
    assert set(_ours(host)) == PUBLIC_IDS | OWN_IDS


def test_examples_pass_on_the_native_engine(host: Host) -> None:
    assert run_examples(host, "pos_pennylane", host.engine) == []


def test_examples_pass_on_the_durable_engine(host: Host) -> None:
    try:
        engine = host.make_engine("durable")
    except EngineUnavailable as exc:  # pragma: no cover - CPython 3.13+
        pytest.skip(str(exc))
    try:
        assert run_examples(host, "pos_pennylane", engine) == []
    finally:
        engine.close()


def test_every_problem_carries_examples_of_both_kinds(host: Host) -> None:
    for pid, cp in _ours(host).items():
        ex = cp.problem.examples
        assert ex.match and ex.no_match, pid
        if cp.problem.detect is not None:
            assert ex.flagged and ex.clean, pid


def test_a_broken_example_is_reported(host: Host) -> None:
    """The examples are real tests: a wrong expectation fails."""
    cp = host.catalog.problems["pos_pennylane.day_not_imported"]
    flagged = cp.problem.examples.flagged[0]
    wrong = flagged.model_copy(update={"params": {"reason": "day_open"}})
    examples = cp.problem.examples.model_copy(update={"flagged": [wrong], "clean": [], "match": [], "no_match": []})
    original = cp.problem
    cp.problem = original.model_copy(update={"examples": examples})
    try:
        failures = run_examples(host, "pos_pennylane")
    finally:
        cp.problem = original
    assert [f.problem for f in failures] == ["pos_pennylane.day_not_imported"]
    assert "reason" in failures[0].reason


@pytest.mark.parametrize("vendor", ["pos_pennylane", "pennylane", "chift", "lightspeed", "pos"])
def test_vendor_aliases_reach_the_pack(host: Host, vendor: str) -> None:
    diagnosis = host.classify("The sum of all lines does not match", vendor=vendor)[0]
    assert diagnosis.problem == "pos_pennylane.lines_total_mismatch"
    assert diagnosis.vendor == "pos_pennylane"


@pytest.mark.parametrize(
    ("report", "problem"),
    [
        ({"message": "Request failed", "http_status": 401}, "pos_pennylane.connection_rejected"),
        ({"message": "", "http_status": 403}, "pos_pennylane.connection_rejected"),
        ({"message": "The sum of all lines does not match"}, "pos_pennylane.lines_total_mismatch"),
        ({"message": "The sync has never been executed"}, "pos_pennylane.sync_never_executed"),
        ({"message": "", "code": "ERROR_CONFIGURATION_SYNC"}, "pos_pennylane.sync_not_enabled"),
        ({"message": "Le client veut réimporter le 2 septembre"}, "pos_pennylane.reimport_requested"),
        ({"message": "Request failed with 401"}, "pos_pennylane.connection_rejected"),
        ({"message": "HTTP 403"}, "pos_pennylane.connection_rejected"),
        ({"message": "403 Forbidden"}, "pos_pennylane.connection_rejected"),
        ({"message": "erreur 401"}, "pos_pennylane.connection_rejected"),
        ({"message": "executed but some data are missing"}, "pos_pennylane.data_missing_after_execution"),
        ({"message": "sync ran but data is missing"}, "pos_pennylane.data_missing_after_execution"),
        ({"message": "des données manquent après la synchronisation"}, "pos_pennylane.data_missing_after_execution"),
    ],
)
def test_classification(host: Host, report: dict[str, Any], problem: str) -> None:
    assert host.classify({**report, "vendor": "pos"})[0].problem == problem


@pytest.mark.parametrize("message", ["Amount 401.50 paid by card", "Total 403,20 EUR", "Account 401000 is not mapped",
                                     "Error on supplier account 401000", "Order 4013 paid by card",
                                     "Erreur de 403 € sur la journée"])
def test_amounts_and_accounts_are_not_statuses(host: Host, message: str) -> None:
    problems = [d.problem for d in host.classify({"message": message, "vendor": "pos"})]
    assert "pos_pennylane.connection_rejected" not in problems


@pytest.mark.parametrize(("message", "status"), [("Request failed with 401", "401"), ("HTTP/1.1 403 Forbidden", "403"),
                                                 ("Erreur HTTP 403 : accès refusé", "403"),
                                                 ("Requests show a 401 or 403 status", "401")])
def test_the_rejected_status_is_read_from_the_text(host: Host, message: str, status: str) -> None:
    (diagnosis,) = host.classify({"message": message, "vendor": "pos"})
    assert diagnosis.problem == "pos_pennylane.connection_rejected"
    assert diagnosis.params["http_status"] == status


def test_a_chift_error_payload_is_read(host: Host) -> None:
    payload = {"status": "error", "message": "Connector credentials are wrong or expired",
               "error_code": "ERROR_CONNECTOR_AUTHENTICATION", "detail": "Lightspeed refused the token"}
    diagnosis = host.classify({"message": "", "payload": payload})[0]
    assert diagnosis.problem == "pos_pennylane.connection_rejected"


def test_an_execution_log_is_split_into_one_diagnosis_per_error(host: Host) -> None:
    payload = {"errors": [
        {"message": "The sum of all lines does not match for order A1301"},
        {"message": "Unauthorized", "http_status": 401},
    ]}
    diagnoses = host.classify({"vendor": "chift", "message": "", "payload": payload})
    assert [d.problem for d in diagnoses] == ["pos_pennylane.lines_total_mismatch", "pos_pennylane.connection_rejected"]
    assert diagnoses[0].params["order"] == "A1301"


def test_a_payload_of_another_vendor_is_left_alone(host: Host) -> None:
    payload = {"errors": [{"code": "not_found", "detail": "The sum of all lines does not match"}]}
    diagnoses = host.classify({"message": "Qonto said no", "payload": payload})
    assert [d.problem for d in diagnoses] == ["unknown"]


def _steps(host: Host, pid: str, lang: str = "en", **params: Any) -> Any:
    return host.remediate(pid, params, lang=lang)[0]


def test_remediation_uses_the_actions_and_systems_of_the_seed(host: Host) -> None:
    actions: set[str] = set()
    systems: set[str] = set()
    for pid in _ours(host):
        plan = _steps(host, pid)
        for step in [*plan.steps, *(s for alt in plan.alternatives for s in alt.steps)]:
            actions.add(step.action)
            systems.add(step.system)
    assert {"reconnect", "reimport", "wait", "lower_tolerance", "contact_support"} <= actions
    assert {"pos", "pennylane", "sync_platform", "vendor_support"} <= systems


def test_connection_rejected_verifies_prerequisites_then_reconnects(host: Host) -> None:
    plan = _steps(host, "pos_pennylane.connection_rejected")
    assert [s.action for s in plan.steps][:2] == ["verify", "reconnect"]
    causes = host.classify({"vendor": "pos", "message": "", "http_status": 401})[0].causes
    assert [c.split()[1] for c in causes] == ["user", "connection", "prerequisites"]


def test_lines_total_mismatch_follows_the_seed_in_order(host: Host) -> None:
    plan = _steps(host, "pos_pennylane.lines_total_mismatch", order="A1", consumer_id="c-1")
    assert [s.action for s in plan.steps] == ["fix_entity", "verify", "contact_support", "reimport"]
    assert "tip" in plan.steps[0].instructions and "discount" in plan.steps[1].instructions
    assert "c-1" in plan.steps[2].instructions


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_data_missing_after_execution_follows_the_seed_in_order(host: Host, lang: str) -> None:
    plan = _steps(host, "pos_pennylane.data_missing_after_execution", lang, consumer_id="c-1", execution="ex-42",
                  execution_status="error", days="2026-09-02", error="Unauthorized",
                  error_problem="pos_pennylane.connection_rejected")
    assert [s.action for s in plan.steps] == ["verify"] * 5 + ["reimport"]
    assert {s.system for s in plan.steps} == {"sync_platform"}
    consumer, config, executions, logs, classify, reimport = (s.instructions for s in plan.steps)
    words = {
        "en": [("name the client used", "email address"), ("Get sync link", "not to modify connections or mappings"),
               ("Executions tab",), ("latest completed execution", "Success or Error", "ex-42", "every related error"),
               ("pos_pennylane.connection_rejected", "401 or 403", "lines_total_mismatch", "day_not_imported"),
               ("2026-09-02",)],
        "fr": [("nom utilisé par le client", "adresse e-mail"), ("Get sync link", "ne pas y modifier les connexions"),
               ("onglet Executions",), ("dernière exécution terminée", "Success ou Error", "ex-42", "messages d'erreur"),
               ("pos_pennylane.connection_rejected", "401 ou 403", "lines_total_mismatch", "day_not_imported"),
               ("2026-09-02",)],
    }[lang]
    for text, expected in zip((consumer, config, executions, logs, classify, reimport), words, strict=True):
        for word in expected:
            assert word in text, (word, text)


def test_data_missing_after_execution_shows_and_classifies_the_latest_error(host: Host) -> None:
    context = {"pos_pennylane": {"consumer_id": "c-1", "executions": [
        {"id": "ex-41", "status": "error", "started_at": "2026-09-02T06:00:00+02:00",
         "days": [{"date": "2026-09-01", "result": "error", "errors": [{"message": "Unauthorized", "http_status": 401}]}]},
        {"id": "ex-42", "status": "error", "started_at": "2026-09-03T06:00:00+02:00",
         "days": [{"date": "2026-09-01", "result": "success"},
                  {"date": "2026-09-02", "result": "error",
                   "errors": [{"message": "The sum of all lines does not match for order A1301"}]}]},
        {"id": "ex-43", "status": "running", "started_at": "2026-09-04T06:00:00+02:00"},
    ]}}
    (finding,) = host.validate({"kind": "pos_sync"}, context)
    assert finding.problem == "pos_pennylane.data_missing_after_execution"
    assert finding.params["execution"] == "ex-42" and finding.params["days"] == "2026-09-02"
    assert finding.params["error_problem"] == "pos_pennylane.lines_total_mismatch"
    assert "ex-42" in finding.message and "c-1" in finding.message


def test_a_rejected_latest_execution_is_reported_once(host: Host) -> None:
    context = {"pos_pennylane": {"executions": [
        {"id": "ex-9", "status": "error",
         "days": [{"date": "2026-09-02", "result": "error", "errors": [{"message": "Unauthorized", "http_status": 401}]}]},
    ]}}
    assert [f.problem for f in host.validate({"kind": "pos_sync"}, context)] == ["pos_pennylane.connection_rejected"]


def test_day_not_imported_checks_the_three_reasons_in_order(host: Host) -> None:
    plan = _steps(host, "pos_pennylane.day_not_imported", date="2026-08-30", start_date="2026-09-01")
    texts = [s.instructions for s in plan.steps]
    assert "date range" in texts[0] and "1 September does not import 30 August" in texts[0]
    assert "still open" in texts[1] and "error" in texts[2]
    assert [a.steps[0].action for a in plan.alternatives] == ["change_setting", "wait", "verify"]
    assert all(a.steps[-1].action == "reimport" for a in plan.alternatives)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_amount_discrepancy_support_request_lists_exactly_the_facts(host: Host, lang: str) -> None:
    plan = _steps(host, "pos_pennylane.amount_discrepancy", lang, consumer_id="c-1", tolerance="50",
                  tolerance_changed_on="2026-08-15", date="2026-09-01", pos_amount="1250.40",
                  accounting_amount="1212.90")
    assert "50" in plan.steps[0].instructions
    lower, support = plan.alternatives
    assert [s.action for s in lower.steps] == ["lower_tolerance", "wait"]
    (request,) = support.steps
    assert request.action == "contact_support" and request.system == "vendor_support"
    text = request.instructions
    for fact in ("c-1", "2026-08-15", "2026-09-01", "1250.40", "1212.90"):
        assert fact in text
    words = {
        "en": ["order number", "order items", "quantity sold", "including VAT", "VAT amounts", "only shows the total"],
        "fr": ["numéro de commande", "articles commandés", "quantité vendue", "TTC", "montants de TVA",
               "ne montre que le montant total"],
    }[lang]
    for word in words:
        assert word in text


def test_sync_not_enabled_says_which_condition_fails(host: Host) -> None:
    context = {"pos_pennylane": {"accounting_connection": {"tool": "pennylane", "status": "active"},
                                 "pos_connection": {"tool": "lightspeed", "status": "pending"},
                                 "mappings_complete": False}}
    (finding,) = host.validate({"kind": "pos_sync"}, context)
    assert finding.problem == "pos_pennylane.sync_not_enabled"
    assert finding.params["failed"] == "pos_connection, mappings"
    assert "pos_connection, mappings" in finding.message


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_text_exists_in_both_languages(host: Host, lang: str) -> None:
    for pid in _ours(host):
        plan = _steps(host, pid, lang)
        assert plan.title and all(s.instructions for s in plan.steps)
    en = _steps(host, "pos_pennylane.day_not_imported", "en").steps[0].instructions
    fr = _steps(host, "pos_pennylane.day_not_imported", "fr").steps[0].instructions
    assert en != fr


def test_pennylane_answers_are_told_apart(host: Host) -> None:
    """Issue 14: a 429 is the rate limit (with its retry-after), a 422 naming a field is data
    refused (with the field), a 401 stays the connection."""
    from syncdoctor import ErrorReport

    [d] = host.classify(ErrorReport(vendor="pennylane", message="Rate limit exceeded. Please retry in 2 seconds.",
                                    http_status=429))
    assert (d.problem, d.params.get("retry_after")) == ("pos_pennylane.pennylane_rate_limited", "2")
    [d] = host.classify(ErrorReport(vendor="pennylane", message="", http_status=422, payload={
        "error": "unprocessable_entity", "message": "Missing required field: customer_id",
        "details": {"field": "customer_id", "issue": "is required"}}))
    assert d.problem == "pos_pennylane.pennylane_validation_rejected"
    assert d.params["detail_field"] == "customer_id" and "customer_id" in d.title
    [d] = host.classify(ErrorReport(vendor="pennylane", message="Access token is missing or invalid", http_status=401))
    assert d.problem == "pos_pennylane.connection_rejected"
