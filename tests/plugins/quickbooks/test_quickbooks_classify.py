"""classify: TaxDome's texts, QuickBooks' codes, and what the plans say."""

from __future__ import annotations

import pytest

from syncdoctor import Diagnosis, ErrorReport, Host, Step

# TaxDome's "Common errors & fixes", as the errors list shows them (seed 001, rows 1-10).
SEED_ROWS = [
    ("Can't find an exact match for Acme Corp in your QuickBooks account",
     "quickbooks.customer_not_found", "Client", {"name": "Acme Corp"}),
    ("Duplicate Name Exists Error: The name supplied already exists. :",
     "quickbooks.duplicate_name", "Client", {}),
    ("Invalid Customer: The customer you have specified has been deleted. You cannot create or edit a transaction "
     "with a deleted customer.", "quickbooks.customer_deleted", "Client", {}),
    ("Duplicate Document Number Error: Duplicate Document Number Error : You must specify a different number. This "
     "number has already been used. DocNumber=1781 is assigned to TxnType=Invoice with TxnId=3188",
     "quickbooks.duplicate_document_number", "Invoices", {"doc_number": "1781", "txn_type": "Invoice", "txn_id": "3188"}),
    ("Invalid Reference Id: Invalid Reference Id : Line.SalesItemLineDetail.ItemRef",
     "quickbooks.invalid_reference", "Invoices", {"element": "Line.SalesItemLineDetail.ItemRef"}),
    ("A business validation error has occurred while processing your request: Business Validation Error: The Amount "
     "Received (plus credits) can't be less than the selected charges. Also, the selected charges can't be less than "
     "the selected credits.", "quickbooks.payment_exceeds_balance", "Payments", {}),
    ("Invalid account type used: Invalid account type: Check your account details before you continue. You may need "
     "to select a different type of account for your transaction.", "quickbooks.expense_account_type_invalid",
     "Expenses", {}),
    ("Please specify the income account", "quickbooks.income_account_missing", "Services", {}),
    ("Invalid account type used: Invalid account type: You can't associate a product or service with accounts of "
     "certain types (such as Accounts Receivable and Accounts Payable).", "quickbooks.service_account_type_invalid",
     "Services", {}),
    ("String length is either shorter or longer than supported by specification: String length specified does not "
     "match the supported length. Min:0 Max:100 supported. Supplied length:110", "quickbooks.string_too_long",
     "Services", {"min": "0", "max": "100", "supplied": "110"}),
]


@pytest.mark.parametrize(("text", "pid", "category", "params"), SEED_ROWS, ids=[r[1] for r in SEED_ROWS])
def test_seed_rows_classify_from_text(qbo_host: Host, text: str, pid: str, category: str, params: dict) -> None:
    (diagnosis,) = qbo_host.classify(text)
    assert diagnosis.problem == pid
    assert diagnosis.category == category
    assert diagnosis.vendor == "quickbooks"
    for key, value in params.items():
        assert diagnosis.params[key] == value
    assert diagnosis.remediation.steps


@pytest.mark.parametrize(("text", "pid", "category", "params"), SEED_ROWS, ids=[r[1] for r in SEED_ROWS])
def test_seed_rows_classify_in_french(qbo_host: Host, text: str, pid: str, category: str, params: dict) -> None:
    (en,) = qbo_host.classify(text, vendor="taxdome", lang="en")
    (fr,) = qbo_host.classify(text, vendor="taxdome", lang="fr")
    assert en.problem == fr.problem == pid
    assert fr.title != en.title and fr.causes != en.causes
    assert [s.instructions for s in fr.remediation.steps] != [s.instructions for s in en.remediation.steps]


def test_duplicate_name_causes_include_the_payment_method_type(qbo_host: Host) -> None:
    (d,) = qbo_host.classify("Duplicate Name Exists Error: The name supplied already exists. :")
    text = " ".join(d.causes)
    assert "CREDIT_CARD" in text and "NON_CREDIT_CARD" in text
    assert "vendor or employee" in text


@pytest.mark.parametrize(
    ("message", "code", "pid"),
    [
        ("Duplicate Document Number Error : You must specify a different number.", "6210", "quickbooks.duplicate_document_number"),
        ("Duplicate Document Number Error : You must specify a different number.", "6140", "quickbooks.duplicate_document_number"),
        ("", "6140", "quickbooks.duplicate_document_number"),
        ("", "6210", "quickbooks.period_closed"),
        ("", "006210", "quickbooks.period_closed"),
        ("Account Period Closed: The account period has closed", "6140", "quickbooks.period_closed"),
        ("", "003001", "quickbooks.throttled"),
        ("", "3200", "quickbooks.auth_failed"),
        ("", "6240", "quickbooks.duplicate_name"),
        ("", "2050", "quickbooks.string_too_long"),
        ("Invalid account type used", "6430", "quickbooks.expense_account_type_invalid"),
        ("Invalid account type used: Invalid account type: You can't associate a product or service with accounts "
         "of certain types (such as Accounts Receivable and Accounts Payable).", "6430",
         "quickbooks.service_account_type_invalid"),
        ("Required param missing, need to supply the required value for the API: Required parameter IncomeAccountRef "
         "is missing in the request", "2020", "quickbooks.income_account_missing"),
        ("Required param missing, need to supply the required value for the API: Required parameter Line is missing "
         "in the request", "2020", "quickbooks.required_param_missing"),
        ("Stale Object Error : You and Bob Smith were working on this at the same time.", "5010", "quickbooks.stale_object"),
        ("Object Not Found : Another user has deleted this transaction.", "610", "quickbooks.object_not_found"),
        ("Amount on debits not equal to credits", "2300", "quickbooks.unbalanced_transaction"),
    ],
)
def test_the_text_decides_when_code_and_text_disagree(qbo_host: Host, message: str, code: str, pid: str) -> None:
    (d,) = qbo_host.classify(ErrorReport(vendor="quickbooks", message=message, code=code))
    assert d.problem == pid


def test_http_statuses_alone(qbo_host: Host) -> None:
    assert qbo_host.classify(ErrorReport(vendor="qbo", http_status=401))[0].problem == "quickbooks.auth_failed"
    assert qbo_host.classify(ErrorReport(vendor="qbo", http_status=429))[0].problem == "quickbooks.throttled"
    assert qbo_host.classify(ErrorReport(vendor="qbo", http_status=418))[0].problem == "unknown"


def test_revoked_token_means_the_sync_was_switched_off(qbo_host: Host) -> None:
    report = ErrorReport(vendor="intuit", http_status=401, code="3200",
                         message="message=AuthenticationFailed; errorCode=003200; statusCode=401: Token revoked")
    assert qbo_host.classify(report)[0].problem == "quickbooks.sync_disabled"
    expired = report.model_copy(update={"message": report.message.replace("revoked", "expired")})
    assert qbo_host.classify(expired)[0].problem == "quickbooks.auth_failed"


def test_string_too_long_from_the_6000_doc_num_variant(qbo_host: Host) -> None:
    (d,) = qbo_host.classify("Business Validation Error: You cannot enter more than 21 characters in the doc_num field.")
    assert d.problem == "quickbooks.string_too_long"
    assert d.params["element"] == "DocNumber" and d.params["max"] == "21"


@pytest.mark.parametrize(
    ("message", "pid"),
    [
        ("Refunds: TaxDome and QuickBooks refund data do not match", "quickbooks.refund_mismatch"),
        ("The refund amount is more than the payment amount", "quickbooks.refund_mismatch"),
        ("Data mismatch on refund R-12", "quickbooks.refund_mismatch"),
        ("Data mismatch between TaxDome and QuickBooks", "quickbooks.data_mismatch"),
        ("Stripe processing fee data does not match the expense in QuickBooks", "quickbooks.data_mismatch"),
    ],
)
def test_refund_and_expense_mismatches(qbo_host: Host, message: str, pid: str) -> None:
    (d,) = qbo_host.classify(message, vendor="taxdome")
    assert d.problem == pid
    if pid == "quickbooks.refund_mismatch":
        assert d.category == "Refunds"


def test_unknown_text_is_unknown(qbo_host: Host) -> None:
    assert qbo_host.classify("The weather is nice today", vendor="quickbooks")[0].problem == "unknown"


def test_no_vendor_still_finds_quickbooks_texts(qbo_host: Host) -> None:
    (d,) = qbo_host.classify("Please specify the income account")
    assert d.problem == "quickbooks.income_account_missing"


def _steps(d: Diagnosis) -> list[Step]:
    return d.remediation.steps


def test_plans_follow_the_seed(qbo_host: Host) -> None:
    def first(text: str) -> dict:
        return qbo_host.classify(text)[0].model_dump()

    deleted = first("Invalid Customer: The customer you have specified has been deleted.")
    assert [s["action"] for s in deleted["remediation"]["steps"]] == ["skip"]
    dup_name = first("Duplicate Name Exists Error: The name supplied already exists. :")
    assert [(s["action"], s["system"]) for s in dup_name["remediation"]["steps"]] == [
        ("edit_target", "quickbooks"), ("resync", "taxdome")]
    assert dup_name["remediation"]["steps"][1]["role"] == "firm_owner"
    expense = first("Invalid account type used: Invalid account type: Check your account details before you continue.")
    assert [s["action"] for s in expense["remediation"]["steps"]] == ["verify", "change_setting", "resync"]
    income = first("Please specify the income account")
    assert income["remediation"]["steps"][0]["action"] == "change_setting"
    delete_flow = [alt for alt in income["remediation"]["alternatives"] if alt["steps"][0]["action"] == "delete"]
    assert [s["action"] for s in delete_flow[0]["steps"]] == ["delete", "change_setting", "create", "resync"]
    balance = first("The Amount Received (plus credits) can't be less than the selected charges.")
    assert [s["action"] for s in balance["remediation"]["steps"]] == ["verify", "edit_target", "resync"]


def test_string_too_long_from_text_keeps_both_manual_steps(qbo_host: Host) -> None:
    (d,) = qbo_host.classify("String length is either shorter or longer than supported by specification: "
                             "Min:0 Max:21 supported. Supplied length:45")
    fixes = [s for s in _steps(d) if s.action == "fix_entity"]
    assert len(fixes) == 2 and not any(s.automatic or s.patch for s in fixes)
    assert "21" in fixes[0].instructions
