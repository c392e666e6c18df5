"""The ACD rule pack: its examples on both engines, its plans, classification and pre-flight checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import syncdoctor_acd
from syncdoctor import ErrorReport, Host, loads
from syncdoctor.host.examples import run_examples

PUBLIC = {
    "acd.auxiliary_code_invalid",
    "acd.invoice_number_disabled",
    "acd.analytics_allocation_missing",
    "acd.dms_permission_denied",
    "acd.attachments_not_visible",
}
OWN = {
    "acd.unbalanced_entry",
    "acd.auxiliary_on_general_account",
    "acd.general_account_invalid",
    "acd.journal_missing",
    "acd.date_missing",
    "acd.date_outside_open_period",
    "acd.authentication_failed",
    "acd.third_party_account_missing",
    "acd.server_unreachable",
    "acd.database_unreachable",
    "acd.connection_reference_invalid",
    "acd.folder_not_found",
    "acd.folder_not_shared",
    "acd.dms_filing_plan_missing",
    "acd.currency_not_allowed",
    "acd.account_not_postable",
    "acd.account_already_exists",
}


def _acd_problems(host: Host) -> dict[str, Any]:
    return {pid: cp.problem for pid, cp in host.catalog.problems.items() if cp.plugin == "acd"}


def test_examples_pass_on_native_and_durable_engines(native_host: Host) -> None:
    from syncdoctor.engines.durable import durable_available

    assert run_examples(native_host, "acd", native_host.engine) == []
    if durable_available()[0]:
        durable = native_host.make_engine("durable")
        try:
            assert run_examples(native_host, "acd", durable) == []
        finally:
            durable.close()


def test_examples_pass_on_each_engine(host: Host) -> None:
    assert run_examples(host, "acd") == []


def test_catalog_has_the_public_ids_and_every_problem_has_examples(native_host: Host) -> None:
    problems = _acd_problems(native_host)
    assert set(problems) == PUBLIC | OWN
    for pid, problem in problems.items():
        ex = problem.examples
        if problem.match:
            assert ex.match and ex.no_match, pid
        if problem.detect:
            assert ex.flagged and ex.clean, pid
        assert problem.source, pid


INFRASTRUCTURE = {
    "acd.server_unreachable", "acd.database_unreachable", "acd.connection_reference_invalid",
    "acd.folder_not_found", "acd.folder_not_shared", "acd.dms_filing_plan_missing",
    "acd.currency_not_allowed", "acd.account_not_postable", "acd.account_already_exists",
}


def _steps(problem: Any) -> list[Any]:
    return list(problem.remediation.steps)


def test_rejection_plans_end_with_the_hub_tail(native_host: Host) -> None:
    problems = _acd_problems(native_host)
    # ACD's infrastructure (server, database, CNX, folder, sharing, filing plan) and the refusals
    # a sync platform relays are not Qonto Hub rejections: their plans end at ACD or the platform
    hub = {pid: p for pid, p in problems.items() if pid not in INFRASTRUCTURE}
    plans = [_steps(p) for pid, p in hub.items() if p.remediation.steps and pid not in (
        "acd.attachments_not_visible", "acd.dms_permission_denied", "acd.authentication_failed")]
    plans += [alt.steps for p in hub.values() for alt in p.remediation.alternatives]
    for steps in plans:
        assert steps[-1].action == "resync" and steps[-1].system == "qonto"
        assert "following night" in steps[-1].instructions.en and "nuit suivante" in steps[-1].instructions.fr
    for steps in plans:
        # every plan but the DMS ones (requeue to "To be uploaded") marks the entry verified before the resend
        assert steps[-2].action in ("mark_verified", "requeue")


def test_auxiliary_plan_is_an_automatic_patch_then_mark_verified(native_host: Host) -> None:
    steps = _steps(_acd_problems(native_host)["acd.auxiliary_code_invalid"])
    assert [(s.action, s.system, s.automatic) for s in steps] == [
        ("fix_entity", "qonto", True), ("mark_verified", "qonto", False), ("resync", "qonto", False)]
    assert steps[0].patch is not None and steps[0].patch[0].path == "{pointer}/auxiliary"


def test_invoice_number_plan_follows_the_seed_in_order(native_host: Host) -> None:
    steps = _steps(_acd_problems(native_host)["acd.invoice_number_disabled"])
    assert [(s.action, s.system) for s in steps] == [
        ("change_setting", "acd"), ("change_setting", "acd"), ("change_setting", "acd"),
        ("mark_verified", "qonto"), ("resync", "qonto")]
    text = " ".join(s.instructions.en for s in steps)
    for words in ("Accounting Settings", "Folder menu", "Invoice Number Management", "Yes", "Save", "verified"):
        assert words in text


def test_analytics_has_two_alternatives(native_host: Host) -> None:
    problem = _acd_problems(native_host)["acd.analytics_allocation_missing"]
    alts = problem.remediation.alternatives
    assert len(alts) == 2
    assert "automatic allocation key" in alts[0].steps[0].instructions.en
    assert "Analytical / Budgetary tab" in alts[1].steps[0].instructions.en
    assert "Analytique / Budgétaire" in alts[1].steps[0].instructions.fr


def test_dms_plan_compares_codes_then_branches(native_host: Host) -> None:
    problem = _acd_problems(native_host)["acd.dms_permission_denied"]
    assert [s.action for s in problem.remediation.steps] == ["verify"]
    alts = problem.remediation.alternatives
    assert [a.steps[0].system for a in alts] == ["qonto", "acd", "vendor_support"]
    assert alts[0].steps[1].action == "requeue" and "To be uploaded" in alts[0].steps[1].instructions.en
    assert "who alone" in alts[2].steps[0].instructions.en
    assert alts[0].steps[0].confirm is True  # changing a journal code is a person's call


def test_attachments_plan_lists_acd_causes_warning_and_support(native_host: Host) -> None:
    problem = _acd_problems(native_host)["acd.attachments_not_visible"]
    assert problem.severity == "warning" and problem.detect is None
    causes = " ".join(c.en for c in problem.causes)
    for words in ("GED-Expert", "case 1", "case 2", "Purchase Invoices", "clients cannot upload"):
        assert words in causes
    steps = _steps(problem)
    assert "filing plan" in steps[-2].instructions.en
    assert (steps[-1].action, steps[-1].system) == ("contact_support", "vendor_support")


@pytest.mark.parametrize(("message", "problem", "params"), [
    # a code that already starts with F or C follows the prefix rule: the account is missing (issue 14)
    ("The account FOO does not exist", "acd.third_party_account_missing", {"account": "FOO"}),
    ("The account ABCDEF does not exist", "acd.auxiliary_code_invalid", {"account": "ABCDEF"}),
    ("The invoice number is not enabled on journal XX", "acd.invoice_number_disabled", {"journal": "XX"}),
    ("Analytics is enabled, no allocation, and the automatic allocation key is missing on account 60610000",
     "acd.analytics_allocation_missing", {"account": "60610000"}),
    ("You do not have permission to send documents to the DMS. Attachment upload failed.",
     "acd.dms_permission_denied", {}),
    ("pièces jointes absentes dans ACD", "acd.attachments_not_visible", {}),
    ("Les pièces jointes n'apparaissent pas dans ACD", "acd.attachments_not_visible", {}),
    ("The account 40100 does not exist", "acd.general_account_invalid", {"account": "40100"}),
])
def test_classify_seed_messages(host: Host, message: str, problem: str, params: dict[str, str]) -> None:
    [diagnosis] = host.classify(message, vendor="acd")
    assert diagnosis.problem == problem
    assert params.items() <= diagnosis.params.items()
    assert diagnosis.vendor == "acd" and diagnosis.causes and diagnosis.remediation


def test_classify_api_codes(host: Host) -> None:
    [aux] = host.classify({"message": "Le compte n'existe pas", "code": "compteInexistant"}, vendor="acd")
    assert aux.problem == "acd.auxiliary_code_invalid"
    [analytics] = host.classify(ErrorReport(code="analytiqueCleRepartitionInexistante",
                                            message="Analytique obligatoire sur le compte 60102000"), vendor="acd")
    assert analytics.problem == "acd.analytics_allocation_missing"
    assert analytics.params["account"] == "60102000"


def test_an_envelope_with_two_errors_gives_two_diagnoses(host: Host) -> None:
    envelope = {"codeRetour": 0, "description": "KO", "listeErreurs": [
        {"erreur": "compteInexistant", "description": "Le compte XAARO n'existe pas"},
        {"erreur": "analytiqueCleRepartitionInexistante",
         "description": "La clé de répartition automatique est absente sur le compte 60610000"}]}
    diagnoses = host.classify({"vendor": "acd", "payload": envelope})
    assert [(d.problem, d.params.get("account")) for d in diagnoses] == [
        ("acd.auxiliary_code_invalid", "XAARO"), ("acd.analytics_allocation_missing", "60610000")]
    pasted = host.classify(json.dumps(envelope), vendor="acd")
    assert [d.problem for d in pasted] == [d.problem for d in diagnoses]


def test_classification_in_french(native_host: Host) -> None:
    [d] = native_host.classify("The account XAARO does not exist", vendor="acd", lang="fr")
    assert d.title == "Le code auxiliaire XAARO ne respecte pas les règles d'ACD"
    assert d.causes[0].startswith("Non-respect des règles")
    assert d.remediation.steps[-1].instructions.startswith("Qonto renvoie l'écriture")


def test_the_seed_entry_is_flagged_before_sending(host: Host, seed_entry: dict[str, Any],
                                                  context: dict[str, Any]) -> None:
    context["acd"]["journal_code_mapping"] = {"AC": "ACH"}
    findings = {f.problem: f for f in host.validate(seed_entry, context)}
    assert set(findings) == {"acd.auxiliary_code_invalid", "acd.analytics_allocation_missing",
                             "acd.dms_permission_denied"}
    aux = findings["acd.auxiliary_code_invalid"]
    assert aux.path == "lines[0].auxiliary"
    assert aux.params["fixed"] == "FAARO" and aux.params["pointer"] == "/lines/0"
    assert findings["acd.analytics_allocation_missing"].params["account"] == "60610000"
    assert findings["acd.dms_permission_denied"].params == {"pointer": "", "journal": "AC", "acd_journal": "ACH"}


def test_automatic_patch_fixes_the_auxiliary_and_is_idempotent(host: Host, seed_entry: dict[str, Any],
                                                              context: dict[str, Any]) -> None:
    fixed, applied = host.apply_fixes(seed_entry, context)
    assert [a["problem"] for a in applied] == ["acd.auxiliary_code_invalid"]
    assert applied[0]["patch"] == [{"op": "replace", "path": "/lines/0/auxiliary", "value": "FAARO"}]
    assert fixed.lines[0].auxiliary == "FAARO"
    again, more = host.apply_fixes(fixed, context)
    assert more == [] and again == fixed
    remaining = {f.problem for f in host.validate(fixed, context)}
    assert remaining == {"acd.analytics_allocation_missing"}


def test_contradicting_letter_is_flagged_and_fixed(native_host: Host) -> None:
    entry = {"kind": "journal_entry", "party": {"type": "supplier", "name": "AARO"},
             "lines": [{"account": "40100000", "auxiliary": "CAARO", "credit": "1"},
                       {"account": "60700000", "debit": "1"}]}
    fixed, _ = native_host.apply_fixes(entry)
    assert fixed.lines[0].auxiliary == "FAARO"


def test_unknown_party_type_leaves_the_fix_to_a_person(native_host: Host) -> None:
    entry = {"kind": "journal_entry", "lines": [{"account": "40100000", "auxiliary": "XAARO", "credit": "1"},
                                                {"account": "60700000", "debit": "1"}]}
    [finding] = [f for f in native_host.validate(entry) if f.problem == "acd.auxiliary_code_invalid"]
    assert "fixed" not in finding.params
    [plan] = native_host.remediate("acd.auxiliary_code_invalid", finding.params, entry)
    assert plan.steps[0].automatic is False and plan.steps[0].patch is None
    assert native_host.apply_fixes(entry)[1] == []


def test_remediate_a_diagnosis_against_the_entity_gives_the_patch(native_host: Host, seed_entry: dict[str, Any],
                                                                  context: dict[str, Any]) -> None:
    [diagnosis] = native_host.classify("The account XAARO does not exist", vendor="acd")
    [plan] = native_host.remediate(diagnosis.problem, diagnosis.params, seed_entry, context)
    assert plan.steps[0].automatic and plan.steps[0].patch == [
        {"op": "replace", "path": "/lines/0/auxiliary", "value": "FAARO"}]
    fr = native_host.remediate(diagnosis.problem, diagnosis.params, seed_entry, context, lang="fr")[0]
    assert "FAARO" in fr.steps[0].instructions and fr.steps[1].instructions.startswith("Dans le Qonto Accounting Hub")


def test_short_general_account_is_padded_automatically(native_host: Host, context: dict[str, Any]) -> None:
    entry = {"kind": "journal_entry", "journal": "OD", "date": "2026-02-01",
             "lines": [{"account": "401", "auxiliary": "FAARO", "credit": "5"}, {"account": "6061", "debit": "5"}]}
    fixed, applied = native_host.apply_fixes(entry, context)
    assert [line.account for line in fixed.lines] == ["40100000", "60610000"]
    assert {a["problem"] for a in applied} == {"acd.general_account_invalid"}
    # once padded, 60610000 is an analytics account without key: the next check speaks up
    assert {f.problem for f in native_host.validate(fixed, context)} == {"acd.analytics_allocation_missing"}


@pytest.mark.parametrize("partial", [
    {}, {"journals": {}}, {"accounts": {"60610000": {}}}, {"journals": {"AC": {}}}, {"open_period": {}},
    {"journal_code_mapping": {}}, {"open_period": {"start": "2026-01-01"}},
])
def test_missing_settings_do_not_fire_and_do_not_crash(host: Host, partial: dict[str, Any]) -> None:
    entry = {"kind": "journal_entry", "id": "x", "journal": "AC", "date": "2026-03-26", "invoice_number": "F-1",
             "attachments": [{"filename": "a.pdf"}], "party": {"type": "supplier"},
             "lines": [{"account": "40100000", "auxiliary": "FAARO", "credit": "10"},
                       {"account": "60610000", "debit": "10"}]}
    assert host.validate(entry, {"acd": partial}) == []


def test_a_balanced_clean_entry_gives_no_finding(host: Host, context: dict[str, Any]) -> None:
    entry = {"kind": "journal_entry", "journal": "BQ2", "date": "2026-06-09", "reference": "FS9289482",
             "party": {"type": "supplier", "name": "AARO"},
             "lines": [{"account": "40100000", "auxiliary": "FAARO", "debit": "189.99"},
                       {"account": "51210000", "credit": "189.99"}]}
    assert host.validate(entry, context) == []


def test_entries_for_another_target_are_left_alone(native_host: Host) -> None:
    entry = {"kind": "journal_entry", "target": "pennylane", "lines": [{"account": "abc", "debit": "1"}]}
    assert native_host.validate(entry) == []


EXAMPLES = Path(syncdoctor_acd.__file__).parent / "examples"


def test_the_example_files_of_the_docs_say_what_the_docs_say(native_host: Host) -> None:
    context = loads((EXAMPLES / "context.json").read_text(encoding="utf-8"))
    records = [loads(line) for line in (EXAMPLES / "entries.jsonl").read_text(encoding="utf-8").splitlines()]
    found = {r.entity: {f.problem for f in r.findings} for r in native_host.validate_many(records, context)}
    assert found == {
        "e1": {"acd.auxiliary_code_invalid", "acd.analytics_allocation_missing"},
        "e2": {"acd.invoice_number_disabled"},
        "e3": {"acd.dms_permission_denied"},
        "e4": {"acd.unbalanced_entry", "acd.auxiliary_on_general_account", "acd.general_account_invalid",
               "acd.date_outside_open_period"},
        "e5": set(),
    }
    reports = [loads(line) for line in (EXAMPLES / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    problems = [[d.problem for d in diagnoses] for diagnoses in native_host.classify_many(reports)]
    assert problems == [["acd.auxiliary_code_invalid"], ["acd.invoice_number_disabled"],
                        ["acd.analytics_allocation_missing"], ["acd.dms_permission_denied"],
                        ["acd.attachments_not_visible"], ["acd.auxiliary_code_invalid"]]
    envelope = loads((EXAMPLES / "envelope.json").read_text(encoding="utf-8"))
    assert [d.problem for d in native_host.classify({"vendor": "acd", "message": "KO", "payload": envelope})] == [
        "acd.auxiliary_code_invalid", "acd.analytics_allocation_missing"]


@pytest.mark.parametrize(("message", "problem"), [
    ("Le compte FDUPONT n'existe pas", "acd.third_party_account_missing"),
    ("Le compte CDUPONT n'existe pas", "acd.third_party_account_missing"),
    ("The account FDUPONT does not exist", "acd.third_party_account_missing"),
    ("Le compte XDUPONT n'existe pas", "acd.auxiliary_code_invalid"),
    ("Le compte DUPONT n'existe pas", "acd.auxiliary_code_invalid"),
    ("Le compte 40100 n'existe pas", "acd.general_account_invalid"),
])
def test_the_code_decides_missing_account_or_bad_prefix(host: Host, message: str, problem: str) -> None:
    """Issue 14: the F/C prefix of the account the message names decides; with the code
    compteInexistant as ACD sends it, the text still decides."""
    [d] = host.classify({"message": message, "code": "compteInexistant"}, vendor="acd")
    assert d.problem == problem
    if problem == "acd.third_party_account_missing":
        assert d.params["account"] in d.title and "F or C" not in d.causes[0][:20]
        assert d.remediation.steps[0].action == "create"
