"""The Qonto rule pack: examples on both engines, public ids, named checks, report splitting."""

from __future__ import annotations

import pytest
from qonto_support import host as make_host

from syncdoctor import ErrorReport
from syncdoctor.host.examples import run_examples
from syncdoctor_qonto.checks import is_booked, missing_fields, missing_prerequisites, siret_valid
from syncdoctor_qonto.reports import ANY_TARGET, normalize_report

PUBLIC_IDS = {
    "qonto.activation_prerequisites_missing",
    "qonto.attachment_unsupported_type",
    "qonto.attachment_too_large",
    "qonto.invoice_status_not_importable",
    "qonto.transaction_already_booked",
    "qonto.first_integration_history_limit",
    "qonto.bank_transactions_not_integrated",
    "qonto.connection_failed",
    "qonto.server_error",
    "qonto.sca_required",
    "qonto.sca_not_enrolled",
    "qonto.organization_not_validated",
    "qonto.invalid_request",
    "qonto.upload_failed",
    "qonto.missing_information",
    "qonto.sync_failed",
}


@pytest.fixture(scope="module")
def host():
    return make_host()


def test_the_pack_holds_exactly_the_public_problem_ids(host):
    ids = {pid for pid, cp in host.catalog.problems.items() if cp.plugin == "qonto"}
    assert ids == PUBLIC_IDS
    assert not host.broken


@pytest.mark.parametrize("engine", ["native", "durable"])
def test_every_example_passes(host, engine):
    assert run_examples(host, "qonto", host.make_engine(engine)) == []


def test_every_problem_has_examples_and_both_languages(host):
    for pid in PUBLIC_IDS:
        problem = host.catalog.problems[pid].problem
        ex = problem.examples
        assert ex.match or ex.flagged, pid
        if problem.detect is not None:
            assert ex.flagged and ex.clean, pid
        if problem.match:
            assert ex.match and ex.no_match, pid
        for step in problem.remediation.steps:
            assert step.instructions.en and step.instructions.fr and step.instructions.en != step.instructions.fr


@pytest.mark.parametrize("siret,valid", [
    ("73282932000074", True),
    ("732 829 320 00074", True),
    ("73282932000075", False),  # Luhn fails
    ("7328293200007", False),  # 13 digits
    ("7328293200007A", False),
    ("35600000049837", True),  # La Poste: not Luhn, digit sum 40 is a multiple of 5
    ("35600000010013", False),  # La Poste: Luhn passes but the digit sum 18 is not a multiple of 5
    ("35600000000048", True),  # La Poste's head office follows Luhn
    ("", False),
    (None, False),
    (73282932000074, False),  # a number, not a string: leading zeros would be lost
])
def test_siret_validity(siret, valid):
    assert siret_valid(siret) is valid


def test_missing_prerequisites_names_every_gap():
    assert missing_prerequisites({"manager": {"last_name": "Martin", "first_name": "Paul", "email": "p@aaro.fr"},
                                  "company": {"siret": "73282932000074"}}) is None
    assert missing_prerequisites({}) == "manager.last_name, manager.first_name, manager.email, company.siret"


def test_missing_fields_of_a_payment():
    assert missing_fields({"kind": "supplier_payment", "amount": None}) == (
        "amount, reference, execution_date, supplier, creditor_iban, debtor_account")


def test_booked_mark_in_note_or_tags():
    assert is_booked("#Comptabilise")
    assert is_booked("paid #comptabilisé")
    assert is_booked(None, ["#Comptabilise"])
    assert not is_booked("Comptabilise", ["#Client"])


def test_a_supplier_payment_with_the_seed_date_format_is_read(host):
    entity = host.parse_entity({"kind": "supplier_payment", "execution_date": "09/06/2026", "amount": "189.99"})
    assert str(entity.execution_date) == "2026-06-09"


def test_validate_reports_each_oversized_or_unsupported_attachment_in_french(host):
    entity = {"kind": "bank_transaction", "id": "t9", "amount": "1", "side": "debit", "attachments": [
        {"filename": "a.pdf", "content_type": "application/pdf", "size": 10},
        {"filename": "b.heic", "content_type": "image/heic", "size": 40 * 1024 * 1024},
    ]}
    findings = host.validate(entity, lang="fr")
    got = {(f.problem, f.path) for f in findings}
    assert got == {("qonto.attachment_unsupported_type", "attachments[1]"),
                   ("qonto.attachment_too_large", "attachments[1].size")}
    assert any("40.0 Mo" in f.message for f in findings)


def test_an_entity_for_another_source_is_not_checked_by_qonto(host):
    entity = {"kind": "journal_entry", "source": "pennylane", "attachments": [{"filename": "x.heic"}]}
    assert host.validate(entity) == []


def test_a_qonto_error_body_is_split_and_keeps_the_trace_id():
    report = ErrorReport(vendor="qonto", message="", http_status=422, payload={
        "errors": [{"code": "blank", "detail": "can't be blank", "source": {"pointer": "/amount"}},
                   {"code": "not_in_list", "detail": "is not in the list", "source": {"parameter": "status"}}],
        "trace_id": "T-42"})
    parts = normalize_report(report)
    assert [(p.code, p.message, p.params) for p in parts] == [
        ("blank", "can't be blank", {"trace_id": "T-42", "pointer": "/amount", "code": "blank",
                                     "detail": "can't be blank"}),
        ("not_in_list", "is not in the list", {"trace_id": "T-42", "parameter": "status", "code": "not_in_list",
                                               "detail": "is not in the list"}),
    ]


def test_a_flat_428_body_is_read_and_its_session_token_is_not_kept():
    """Qonto's strong-authentication answers are flat, not JSON:API (qontoctl's record of the API)."""
    report = ErrorReport(vendor="qonto", message="", http_status=428, payload={
        "code": "sca_required", "message": "SCA required", "sca_session_token": "SECRET-TOKEN",
        "action_type": "transfer.single.create", "trace_id": "T-428"})
    [part] = normalize_report(report)
    assert (part.code, part.message) == ("sca_required", "SCA required")
    assert part.params == {"code": "sca_required", "trace_id": "T-428", "action_type": "transfer.single.create"}
    assert "SECRET-TOKEN" not in repr(part)
    flat_without_trace = ErrorReport(vendor="qonto", message="x", payload={"code": "c", "message": "m"})
    assert normalize_report(flat_without_trace) == [flat_without_trace]


def test_sca_not_enrolled_is_not_the_challenge(host):
    report = ErrorReport(vendor="qonto", message="", http_status=428, payload={
        "code": "sca_not_enrolled", "message": "You must enable SCA to perform this action", "trace_id": "T"})
    [diag] = host.classify(report, vendor="qonto")
    assert diag.problem == "qonto.sca_not_enrolled"
    [diag] = host.classify(ErrorReport(vendor="qonto", message="SCA required", http_status=428))
    assert diag.problem == "qonto.sca_required"


def test_someone_elses_json_api_body_is_left_alone_when_no_vendor_is_given():
    report = ErrorReport(message="x", payload={"errors": [{"detail": "nope"}]})
    assert normalize_report(report) == [report]


def test_synchronization_failed_is_split_for_the_target_plugin(host):
    report = ErrorReport(vendor="qonto", message="Synchronization Failed: The account ABCDEF does not exist",
                         payload={"target": "acd"}, record="e1")
    parts = normalize_report(report)
    assert [(p.vendor, p.message) for p in parts] == [
        ("qonto", report.message), ("acd", "The account ABCDEF does not exist")]
    assert parts[1].record == "e1"
    diags = host.classify(report)
    assert diags[0].problem == "qonto.sync_failed"
    assert diags[0].params["target_message"] == "The account ABCDEF does not exist"
    assert len(diags) == 2  # the second is the target's (unknown here: the ACD plugin is not loaded)


def test_without_a_known_target_the_message_goes_to_every_plugin():
    parts = normalize_report(ErrorReport(vendor="qonto", message="Synchronization Failed - Upload failed",
                                         payload={"entry": "e1"}))
    assert parts[1].vendor == ANY_TARGET and parts[1].message == "Upload failed"


def test_plain_text_sync_failure_is_split_for_the_target(host):
    report = ErrorReport(vendor="qonto", message="Synchronization Failed: The account ABCDEF does not exist")
    status, target = normalize_report(report)
    assert status == report
    assert target.message == "The account ABCDEF does not exist" and target.vendor == "accounting_software"
    diags = host.classify(report)
    assert diags[0].problem == "qonto.sync_failed"
    assert diags[0].params["target_message"] == "The account ABCDEF does not exist"
    other = ErrorReport(vendor="qonto", message="Some other text")
    assert normalize_report(other) == [other]


def test_a_pasted_qonto_error_body_is_read_from_the_message(host):
    body = '{"errors": [{"code": "unauthorized", "detail": "Invalid authentication credentials"}], "trace_id": "T9"}'
    diag, = host.classify({"vendor": "qonto", "message": body, "http_status": 401})
    assert diag.problem == "qonto.connection_failed" and diag.params["trace_id"] == "T9"


def test_a_refused_fetch_is_diagnosed_as_connection_failed_in_both_languages(host):
    for lang in ("en", "fr"):
        diag = host.classify({"vendor": "qonto", "message": "qonto: credentials refused: Invalid authentication "
                              "credentials; stopped at once (HTTP 401)", "http_status": 401}, lang=lang)[0]
        assert diag.problem == "qonto.connection_failed"
        assert [s.action for s in diag.remediation.steps] == ["verify", "reconnect", "retry_later",
                                                                    "contact_support"]


def test_remediation_of_activation_follows_the_seed_order(host):
    plan = host.remediate("qonto.activation_prerequisites_missing", entity={
        "kind": "client_folder", "code": "AARO", "manager": {"last_name": "Martin", "first_name": "Paul"},
        "company": {"siret": "73282932000074"}}, lang="fr")[0]
    texts = [s.instructions for s in plan.steps]
    assert "manager.email" in texts[0] and "Gestion des accès" in texts[0]
    assert "Autres accès ACD" in texts[1] and "Enregistrer" in texts[1]
    assert "Modifier les accès" in texts[2]
    assert "Démarrer l'adhésion" in texts[3]


def test_sync_failed_plan_is_the_hub_workflow(host):
    plan = host.remediate("qonto.sync_failed", {"target_message": "x"})[0]
    assert [s.action for s in plan.steps] == ["verify", "verify", "fix_entity", "mark_verified", "resync"]
    assert "following night" in plan.steps[-1].instructions
