"""The rule pack: loads, carries the public ids, and every example passes on both engines."""

from __future__ import annotations

import pytest

import syncdoctor_quickbooks
from syncdoctor import EngineUnavailable, Host
from syncdoctor.host.examples import run_examples

# The public ids of the issue, with their category.
ISSUE_IDS = {
    "quickbooks.customer_not_found": "Client",
    "quickbooks.duplicate_name": "Client",
    "quickbooks.customer_deleted": "Client",
    "quickbooks.duplicate_document_number": "Invoices",
    "quickbooks.invalid_reference": "Invoices",
    "quickbooks.payment_exceeds_balance": "Payments",
    "quickbooks.refund_mismatch": "Refunds",
    "quickbooks.expense_account_type_invalid": "Expenses",
    "quickbooks.income_account_missing": "Services",
    "quickbooks.service_account_type_invalid": "Services",
    "quickbooks.string_too_long": "Services",
}
API_IDS = {
    "quickbooks.auth_failed", "quickbooks.throttled", "quickbooks.stale_object", "quickbooks.required_param_missing",
    "quickbooks.object_not_found", "quickbooks.unbalanced_transaction", "quickbooks.period_closed",
    "quickbooks.data_mismatch", "quickbooks.sync_disabled", "quickbooks.changed_in_quickbooks",
    "quickbooks.invalid_characters", "quickbooks.repeated_sync_failure",
}
# Issue 14: the classes the field corpus (tests/field/quickbooks.yaml) showed.
FIELD_IDS = {
    "quickbooks.service_error", "quickbooks.refresh_token_invalid", "quickbooks.subscription_inactive",
    "quickbooks.integration_error", "quickbooks.data_rejected", "quickbooks.tax_invalid", "quickbooks.currency_invalid",
    "quickbooks.amount_calculation", "quickbooks.deposited_transaction", "quickbooks.invalid_enumeration",
    "quickbooks.invalid_email", "quickbooks.name_in_use", "quickbooks.feature_unavailable",
}


def test_plugin_loads_with_every_problem(qbo_host: Host) -> None:
    loaded = qbo_host.plugins["quickbooks"]
    assert not qbo_host.broken
    assert loaded.version and syncdoctor_quickbooks.plugin.name == "quickbooks"
    ids = {pid for pid, cp in qbo_host.catalog.problems.items() if cp.plugin == "quickbooks"}
    assert ids == set(ISSUE_IDS) | API_IDS | FIELD_IDS
    assert loaded.problems == len(ids)


@pytest.mark.parametrize(("pid", "category"), sorted(ISSUE_IDS.items()))
def test_issue_ids_keep_their_category(qbo_host: Host, pid: str, category: str) -> None:
    assert qbo_host.catalog.problems[pid].problem.category == category


def test_categories_are_taxdome_issue_types_or_documented_extras(qbo_host: Host) -> None:
    allowed = {"Client", "Invoices", "Payments", "Refunds", "Expenses", "Services", "Connection", "General"}
    for cp in qbo_host.catalog.problems.values():
        if cp.plugin == "quickbooks":
            assert cp.problem.category in allowed, cp.id


@pytest.mark.parametrize("vendor", ["quickbooks", "qbo", "intuit", "taxdome", "QBO"])
def test_vendor_aliases(qbo_host: Host, vendor: str) -> None:
    assert qbo_host.catalog.plugin_for(vendor) == "quickbooks"


def test_every_problem_has_examples_and_a_source(qbo_host: Host) -> None:
    for cp in qbo_host.catalog.problems.values():
        if cp.plugin != "quickbooks":
            continue
        ex = cp.problem.examples
        assert ex.match or ex.flagged, cp.id
        if cp.problem.detect is not None:
            assert ex.flagged and ex.clean, cp.id
        if cp.problem.match:
            assert ex.match and ex.no_match, cp.id
        assert cp.problem.source, cp.id


def test_resync_and_skip_steps_are_for_the_firm_owner_in_taxdome(qbo_host: Host) -> None:
    for cp in qbo_host.catalog.problems.values():
        if cp.plugin != "quickbooks":
            continue
        rem = cp.problem.remediation
        for step in [*rem.steps, *(s for alt in rem.alternatives for s in alt.steps)]:
            if step.action in ("resync", "skip"):
                assert step.system == "taxdome" and step.role == "firm_owner", cp.id


def test_delete_is_offered_for_services_only(qbo_host: Host) -> None:
    for cp in qbo_host.catalog.problems.values():
        rem = cp.problem.remediation
        steps = [*rem.steps, *(s for alt in rem.alternatives for s in alt.steps)]
        if any(s.action == "delete" for s in steps):
            assert cp.problem.category == "Services", cp.id


def test_seed_row_10_mistake_is_recorded(qbo_host: Host) -> None:
    source = qbo_host.catalog.problems["quickbooks.string_too_long"].problem.source or ""
    assert "row 10" in source and "row 9" in source


def test_seed_row_10_text_is_kept_as_a_second_cause_and_an_alternative(qbo_host: Host) -> None:
    problem = qbo_host.catalog.problems["quickbooks.string_too_long"].problem
    main, seed_cause = problem.causes
    assert "longer than the field allows" in main.en
    assert "linked to an account of the wrong type" in seed_cause.en
    # users never saw the seed documents: the texts do not refer to them (issue 14, part 4)
    for text in (seed_cause.en, seed_cause.fr, problem.remediation.alternatives[0].title.en):
        assert "seed" not in text and "row" not in text and "ligne" not in text
    assert problem.remediation.steps[0].action == "fix_entity" and problem.remediation.steps[0].patch  # shorten first
    (alt,) = problem.remediation.alternatives
    fix = alt.steps[0].instructions
    assert fix is not None
    assert "edit the provided service to the correct account type" in fix.en
    assert "choose an Income account" in fix.en and "choose an Expense account" in fix.en
    assert [s.action for s in alt.steps] == ["fix_entity", "resync"]


RESYNC_OUTCOME = {
    "en": "If the sync is unsuccessful, the issue will still be visible in the list.",
    "fr": "Si la synchronisation échoue, le problème restera visible dans la liste.",
}


def test_every_resync_step_says_a_failed_sync_stays_in_the_list(qbo_host: Host) -> None:
    seen = 0
    for cp in qbo_host.catalog.problems.values():
        if cp.plugin != "quickbooks":
            continue
        rem = cp.problem.remediation
        for step in [*rem.steps, *(s for alt in rem.alternatives for s in alt.steps)]:
            if step.action == "resync":
                assert step.instructions is not None, cp.id
                assert RESYNC_OUTCOME["en"] in step.instructions.en, cp.id
                assert RESYNC_OUTCOME["fr"] in step.instructions.fr, cp.id
                seen += 1
    assert seen > 20


@pytest.mark.parametrize("pid", ["quickbooks.data_mismatch", "quickbooks.sync_disabled", "quickbooks.changed_in_quickbooks"])
def test_general_causes_start_by_reviewing_the_errors_list(qbo_host: Host, pid: str) -> None:
    first = qbo_host.catalog.problems[pid].problem.remediation.steps[0]
    assert first.action == "verify" and first.system == "taxdome" and first.instructions is not None
    en, fr = first.instructions.en, first.instructions.fr
    assert "orange banner" in en and "Settings → Integrations → QuickBooks → QuickBooks Errors" in en
    assert "firm owner and admins are notified" in en
    assert "bannière orange" in fr and "Paramètres → Intégrations → QuickBooks → Erreurs QuickBooks" in fr
    assert "administrateurs sont avertis" in fr


def test_every_taxdome_issue_type_has_a_problem(qbo_host: Host) -> None:
    categories = {cp.problem.category for cp in qbo_host.catalog.problems.values() if cp.plugin == "quickbooks"}
    assert {"Client", "Invoices", "Payments", "Refunds", "Expenses", "Services"} <= categories


def test_stripe_fee_mismatch_is_a_cause_of_data_mismatch(qbo_host: Host) -> None:
    causes = qbo_host.catalog.problems["quickbooks.data_mismatch"].problem.causes
    assert any("Stripe" in c.en and "expenses in QuickBooks" in c.en and "Stripe" in c.fr for c in causes)


@pytest.mark.parametrize(("token", "transactions", "word"), [
    ("1", {"3188": {"doc_number": "1781", "sync_token": "3"}}, "modifiée"),
    ("1", {"900": {"doc_number": "1700"}}, "supprimée"),
])
def test_changed_in_quickbooks_reads_fully_french(qbo_host: Host, token: str, transactions: dict, word: str) -> None:
    invoice = {"kind": "invoice", "id": "i6", "qbo_id": "3188", "sync_token": token, "doc_number": "1781",
               "total": "50", "customer": {"name": "Acme Corp"}}
    context = {"quickbooks": {"transactions": transactions}}
    (fr,) = [f for f in qbo_host.validate(invoice, context, lang="fr", plugins=["quickbooks"])
             if f.problem == "quickbooks.changed_in_quickbooks"]
    assert fr.message == f"La transaction QuickBooks 3188 a été {word} dans QuickBooks"
    assert "edited" not in fr.message and "deleted" not in fr.message
    (en,) = [f for f in qbo_host.validate(invoice, context, lang="en", plugins=["quickbooks"])
             if f.problem == "quickbooks.changed_in_quickbooks"]
    assert en.message.endswith(("was edited in QuickBooks", "was deleted in QuickBooks"))
    assert en.params["change"] in ("edited", "deleted")
    (diag,) = qbo_host.classify("A previously synced entry was edited in QuickBooks", lang="fr")
    assert not any(w in text for text in diag.causes for w in ("edited", "deleted", "…"))


def test_examples_pass_on_the_native_engine(qbo_host: Host) -> None:
    assert [str(f) for f in run_examples(qbo_host, "quickbooks")] == []


def test_examples_pass_on_the_durable_engine(qbo_host: Host) -> None:
    try:
        engine = qbo_host.make_engine("durable")
    except EngineUnavailable as exc:  # Python 3.13+: durable_rules does not import
        pytest.skip(str(exc))
    try:
        assert [str(f) for f in run_examples(qbo_host, "quickbooks", engine)] == []
    finally:
        engine.close()


def test_the_third_failed_sync_of_a_record_advises_skip(qbo_host: Host) -> None:
    attempts = [{"kind": "sync_failure", "id": f"f{i}", "record_id": rec} for i, rec in enumerate("AABAA")]
    results = list(qbo_host.validate_many(attempts))
    flagged = [(r.entity, f.params["occurrence"]) for r in results for f in r.findings
               if f.problem == "quickbooks.repeated_sync_failure"]
    assert flagged == [("f3", 3), ("f4", 4)]
    plan = qbo_host.remediate("quickbooks.repeated_sync_failure", {"record_id": "A"})[0]
    assert [alt.steps[-1].action for alt in plan.alternatives] == ["resync", "skip"]
