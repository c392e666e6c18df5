"""normalize_report: every Fault shape QuickBooks (or an SDK) produces, one report per error."""

from __future__ import annotations

import json
from typing import Any

from syncdoctor import ErrorReport, Host
from syncdoctor_quickbooks import plugin
from syncdoctor_quickbooks.faults import split_faults

DUPLICATE = {
    "Message": "Duplicate Document Number Error",
    "Detail": "Duplicate Document Number Error : You must specify a different number. This number has already been "
              "used. DocNumber=1781 is assigned to TxnType=Invoice with TxnId=3188",
    "code": "6140",
    "element": "",
}
TOO_LONG = {
    "Message": "String length is either shorter or longer than supported by specification",
    "Detail": "String length specified does not match the supported length. Min:0 Max:21 supported. Supplied length:45",
    "code": "2050",
    "element": "DocNumber",
}
MISSING = {
    "Message": "Required param missing, need to supply the required value for the API",
    "Detail": "Required parameter CustomerRef is missing in the request",
    "code": "2020",
    "element": "CustomerRef",
}


def _fault(*errors: dict, fault_type: str = "ValidationFault") -> dict:
    return {"Fault": {"Error": list(errors), "type": fault_type}, "time": "2026-03-01T10:00:00.000-08:00"}


def test_one_report_per_error_with_message_detail_code_and_element() -> None:
    report = ErrorReport(vendor="quickbooks", http_status=400, payload=_fault(TOO_LONG, MISSING), record="inv-7")
    parts = plugin.normalize_report(report)
    assert [p.code for p in parts] == ["2050", "2020"]
    assert parts[0].message == f"{TOO_LONG['Message']}: {TOO_LONG['Detail']}"
    assert parts[0].params == {"element": "DocNumber", "fault_type": "ValidationFault"}
    assert parts[1].params["element"] == "CustomerRef"
    assert all(p.http_status == 400 and p.record == "inv-7" for p in parts)


def test_empty_element_is_not_a_param() -> None:
    (part,) = split_faults(ErrorReport(payload=_fault(DUPLICATE)))
    assert "element" not in part.params and part.code == "6140"


def test_fault_inside_an_http_200() -> None:
    business = {"Message": "A business validation error has occurred while processing your request",
                "Detail": "Business Validation Error: The Amount Received (plus credits) can't be less than the "
                          "selected charges.", "code": "6000"}
    (part,) = split_faults(ErrorReport(http_status=200, payload=_fault(business)))
    assert part.http_status == 200 and part.code == "6000"
    assert part.message.startswith("A business validation error has occurred while processing your request: Business")


def test_lowercase_sdk_document_with_nulls() -> None:
    payload: dict[str, Any] = {"warnings": None, "intuitObject": None, "fault": {"error": [{
        "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401", "detail": "Token expired: AB1",
        "code": "3200", "element": None}], "type": "AUTHENTICATION"}, "report": None, "batchItemResponse": []}
    (part,) = split_faults(ErrorReport(http_status=401, payload=payload))
    assert part.message == "message=AuthenticationFailed; errorCode=003200; statusCode=401: Token expired: AB1"
    assert part.code == "3200" and part.params == {"fault_type": "AUTHENTICATION"}


def test_batch_response_gives_one_report_per_failed_item() -> None:
    payload = {"BatchItemResponse": [
        {"bId": "td-1", "Fault": {"Error": [DUPLICATE], "type": "ValidationFault"}},
        {"bId": "td-2", "Invoice": {"Id": "5001", "DocNumber": "1790"}},
        {"bId": "td-3", "Fault": {"Error": [TOO_LONG, MISSING], "type": "ValidationFault"}},
    ], "time": "2026-03-01T10:00:00.000-08:00"}
    parts = split_faults(ErrorReport(http_status=200, payload=payload))
    assert [(p.record, p.params["batch_id"], p.code) for p in parts] == [
        ("td-1", "td-1", "6140"), ("td-3", "td-3", "2050"), ("td-3", "td-3", "2020")]


def test_xml_fault_string() -> None:
    xml = ('<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="2026-03-01T10:00:00.000-08:00">'
           '<Fault type="ValidationFault"><Error code="6240" element="DisplayName"><Message>Duplicate Name Exists Error'
           '</Message><Detail>The name supplied already exists. : Another customer is already using this name.</Detail>'
           '</Error></Fault></IntuitResponse>')
    (part,) = split_faults(ErrorReport(payload=xml))
    assert part.code == "6240" and part.params["element"] == "DisplayName"
    assert part.message.startswith("Duplicate Name Exists Error: The name supplied already exists.")


def test_fault_pasted_as_the_message() -> None:
    (part,) = split_faults(ErrorReport(message=json.dumps(_fault(DUPLICATE))))
    assert part.code == "6140" and part.message.startswith("Duplicate Document Number Error: Duplicate")


def test_wrapped_and_unwrapped_faults() -> None:
    wrapped = {"IntuitResponse": _fault(MISSING)}
    assert split_faults(ErrorReport(payload=wrapped))[0].code == "2020"
    bare = {"Error": [MISSING], "type": "ValidationFault"}
    assert split_faults(ErrorReport(payload=bare))[0].params["element"] == "CustomerRef"
    single = {"Fault": {"Error": MISSING}}  # one error given as an object, not a list
    assert split_faults(ErrorReport(payload=single))[0].code == "2020"


def test_anything_else_is_left_untouched() -> None:
    payloads: list[Any] = [None, {"errors": [{"code": "not_in_list"}]}, "<html>oops</html>", "{not json", [1, 2], 42,
                {"Fault": {"Error": []}}]
    for payload in payloads:
        report = ErrorReport(message="some text", payload=payload)
        assert split_faults(report) == [report]
    plain = ErrorReport(message="Please specify the income account")
    assert plugin.normalize_report(plain) == [plain]


def test_splitting_a_part_again_changes_nothing() -> None:
    parts = split_faults(ErrorReport(http_status=400, payload=_fault(TOO_LONG, MISSING)))
    for part in parts:
        assert split_faults(part) == [part]


def test_classify_gives_one_diagnosis_per_error_in_order(qbo_host: Host) -> None:
    diagnoses = qbo_host.classify({"vendor": "quickbooks", "http_status": 400, "payload": _fault(TOO_LONG, MISSING, DUPLICATE)})
    assert [d.problem for d in diagnoses] == [
        "quickbooks.string_too_long", "quickbooks.required_param_missing", "quickbooks.duplicate_document_number"]
    assert diagnoses[0].params["element"] == "DocNumber" and diagnoses[0].params["max"] == "21"
    assert diagnoses[1].params["element"] == "CustomerRef"
    assert diagnoses[2].params["txn_id"] == "3188"


def test_classify_a_payload_without_vendor(qbo_host: Host) -> None:
    (d,) = qbo_host.classify(ErrorReport(payload=_fault(DUPLICATE)))
    assert d.problem == "quickbooks.duplicate_document_number" and d.vendor == "quickbooks"


def test_zero_padded_code_in_a_payload(qbo_host: Host) -> None:
    throttle = {"Message": "message=ThrottleExceeded; errorCode=003001; statusCode=429", "Detail": "", "code": "003001"}
    (d,) = qbo_host.classify(ErrorReport(vendor="qbo", payload=_fault(throttle, fault_type="SERVICE")))
    assert d.problem == "quickbooks.throttled"
