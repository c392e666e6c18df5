"""The /v1 answers over real HTTP: contracts of design section 7, NDJSON order, bad lines."""

from __future__ import annotations

import json

import httpx

from .conftest import Server

NDJSON = {"content-type": "application/x-ndjson"}
DUPLICATE = ("Duplicate Document Number Error : You must specify a different number. This number has already "
             "been used. DocNumber=1781 is assigned to TxnType=Invoice with TxnId=3188")
ENTRY = {"kind": "journal_entry", "id": "e1", "journal": "AC", "date": "2026-03-26", "reference": "FS9289482",
         "label": "AARO", "party": {"type": "supplier", "name": "AARO"},
         "lines": [{"account": "40100000", "auxiliary": "XAARO", "debit": "0", "credit": "189.99"},
                   {"account": "60610000", "debit": "158.33", "credit": "0", "analytics": []},
                   {"account": "44566000", "debit": "31.66", "credit": "0"}]}
DIAGNOSIS_KEYS = {"problem", "vendor", "category", "params", "causes", "remediation"}
FINDING_KEYS = {"problem", "severity", "entity", "path", "message", "params"}


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_classify_one_report(server: Server) -> None:
    with server.client() as c:
        r = c.post("/v1/classify", json={"vendor": "quickbooks", "message": DUPLICATE, "http_status": 400})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    (diag,) = r.json()["diagnoses"]
    assert DIAGNOSIS_KEYS <= set(diag)
    assert diag["problem"] == "quickbooks.duplicate_document_number"
    assert diag["params"] == {"doc_number": "1781", "txn_id": "3188", "txn_type": "Invoice"}
    step = diag["remediation"]["steps"][0]
    assert {"action", "system", "automatic", "instructions"} <= set(step)


def test_classify_in_french_and_unknown_text(server: Server) -> None:
    with server.client() as c:
        fr = c.post("/v1/classify?lang=fr", json={"vendor": "quickbooks", "message": DUPLICATE}).json()
        unknown = c.post("/v1/classify", json={"message": "the moon is made of cheese"}).json()
    assert fr["diagnoses"][0]["remediation"]["steps"][0]["instructions"].startswith("Dans TaxDome")
    assert unknown["diagnoses"][0]["problem"] == "unknown"


def test_classify_ndjson_streams_in_input_order_and_bad_lines_go_on(server: Server) -> None:
    reports = []
    for i in range(300):  # several chunks of 64 records
        if i % 3 == 0:
            reports.append(json.dumps({"vendor": "acd", "message": f"The account F{i:05d} does not exist"}))
        elif i % 3 == 1:
            reports.append(json.dumps({"message": f"nothing known {i}"}))
        else:
            reports.append(json.dumps({"vendor": "quickbooks", "message": DUPLICATE.replace("1781", str(i))}))
    reports[100] = "{not json"
    reports[200] = json.dumps({"message": "x", "http_status": "four hundred"})
    body = "\n".join(reports[:150]) + "\n\n" + "\n".join(reports[150:]) + "\n"  # a blank line in between
    with server.client() as c:
        r = c.post("/v1/classify", content=body.encode(), headers=NDJSON)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/x-ndjson")
    out = lines(r.text)
    assert [d["input"] for d in out] == list(range(300))
    assert out[0]["problem"].startswith("acd.") and out[0]["params"]
    assert out[2]["params"]["doc_number"] == "2"
    bad = out[100]
    assert bad["problem"] == "core.invalid_input"
    assert bad["params"]["record"] == 100 and bad["params"]["line"] == 101
    assert "line 101" in bad["causes"][0]
    bad = out[200]
    assert bad["params"]["field"] == "http_status" and bad["params"]["line"] == 202  # after the blank line
    assert out[299]["params"]["doc_number"] == "299"


def test_classify_bad_single_report_is_a_problem_document(server: Server) -> None:
    with server.client() as c:
        r = c.post("/v1/classify", json={"message": "x", "http_status": "abc"})
        not_json = c.post("/v1/classify", content=b"{oops", headers={"content-type": "application/json"})
        array = c.post("/v1/classify", json=[{"message": "x"}])
        form = c.post("/v1/classify", content=b"message=x",
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(problem)
    assert problem["status"] == 422 and problem["field"] == "http_status" and problem["record"] == 0
    assert not_json.status_code == 422 and "not valid JSON" in not_json.json()["detail"]
    assert array.status_code == 422 and "x-ndjson" in array.json()["detail"]
    assert form.status_code == 415 and form.json()["field"] == "content-type"


def test_validate_json_array_and_object_with_context(server: Server) -> None:
    entities = [ENTRY, {"kind": "unknown_kind", "id": "x"}, {"kind": "invoice", "id": "i1", "total": "12.00"}]
    with server.client() as c:
        bare = c.post("/v1/validate", json=entities)
        ctx = c.post("/v1/validate", json={"entities": entities,
                                           "context": {"acd": {"accounts": {"60610000": {"analytics_enabled": True}}}}})
    assert bare.status_code == 200 and bare.headers["content-type"].startswith("application/x-ndjson")
    out = lines(bare.text)
    assert [o["entity"] for o in out] == ["e1", "x", "i1"]
    assert all(FINDING_KEYS == set(f) for o in out for f in o["findings"])
    problems = {f["problem"] for f in out[0]["findings"]}
    assert "acd.auxiliary_code_invalid" in problems
    assert out[1]["findings"][0]["problem"] == "core.invalid_input"
    assert out[1]["findings"][0]["params"]["field"] == "kind"
    with_ctx = {f["problem"] for f in lines(ctx.text)[0]["findings"]}
    assert with_ctx - problems, "the context must change what is found (analytics required on 60610000)"


def test_validate_ndjson_context_first_line(server: Server) -> None:
    context = {"context": {"acd": {"accounts": {"60610000": {"analytics_enabled": True}}}}}
    body = "\n".join([json.dumps(context), json.dumps(ENTRY), "[1,", json.dumps({**ENTRY, "id": "e2"})]) + "\n"
    with server.client() as c:
        r = c.post("/v1/validate", content=body.encode(), headers=NDJSON)
        plain = c.post("/v1/validate", content=("\n".join(body.splitlines()[1:]) + "\n").encode(), headers=NDJSON)
    out = lines(r.text)
    assert [o["entity"] for o in out] == ["e1", 1, "e2"]
    bad = out[1]["findings"][0]
    assert bad["problem"] == "core.invalid_input" and bad["params"]["line"] == 3 and bad["params"]["record"] == 1
    assert len(out[0]["findings"]) > len(lines(plain.text)[0]["findings"])


def test_validate_bad_context_and_vendor_are_422(server: Server) -> None:
    with server.client() as c:
        r = c.post("/v1/validate", json={"entities": [ENTRY], "context": {"nosuchplugin": {}}})
        v = c.post("/v1/validate?vendor=nosuch", json=[ENTRY])
        only = c.post("/v1/validate?vendor=quickbooks", json=[ENTRY])
    assert r.status_code == 422 and r.json()["field"] == "nosuchplugin"
    assert v.status_code == 422 and v.json()["field"] == "query.vendor"
    assert not [f for f in lines(only.text)[0]["findings"] if f["problem"].startswith("acd.")]


def test_remediate_plan_from_a_finding_and_apply(server: Server) -> None:
    with server.client() as c:
        finding = next(f for f in lines(c.post("/v1/validate", json=[ENTRY]).text)[0]["findings"]
                       if f["problem"] == "acd.auxiliary_code_invalid")
        plan = c.post("/v1/remediate", json=finding)
        placed = c.post("/v1/remediate", json={"entity": ENTRY, "problem": "acd.auxiliary_code_invalid"})
        fixed = c.post("/v1/remediate?apply=true", json={"entity": ENTRY, "problem": "acd.auxiliary_code_invalid"})
        again = c.post("/v1/remediate?apply=true", json={"entity": fixed.json()["entity"],
                                                         "problem": "acd.auxiliary_code_invalid"})
        unknown = c.post("/v1/remediate", json={"problem": "nope.nothing"})
        no_entity = c.post("/v1/remediate?apply=true", json={"problem": "acd.auxiliary_code_invalid"})
    assert plan.status_code == 200, plan.text
    (p,) = plan.json()["plans"]
    assert p["problem"] == "acd.auxiliary_code_invalid" and p["steps"]
    assert placed.json()["plans"][0]["steps"]
    body = fixed.json()
    assert body["entity"]["lines"][0]["auxiliary"] == "FAARO"
    assert body["applied"] and body["applied"][0]["problem"] == "acd.auxiliary_code_invalid"
    assert again.json()["applied"] == [] and again.json()["entity"] == body["entity"]
    assert unknown.status_code == 422 and unknown.json()["field"] == "problem"
    assert no_entity.status_code == 422 and no_entity.json()["field"] == "entity"


def test_catalog_and_plugins(server: Server) -> None:
    with server.client() as c:
        items = c.get("/v1/problems").json()["items"]
        acd = c.get("/v1/problems?plugin=acd&lang=fr").json()["items"]
        one = c.get("/v1/problems/acd.auxiliary_code_invalid").json()
        missing = c.get("/v1/problems/acd.nope")
        plugins = c.get("/v1/plugins").json()["items"]
    assert {"core.invalid_input", "acd.auxiliary_code_invalid", "quickbooks.duplicate_document_number"} <= {
        i["id"] for i in items}
    assert acd and all(i["plugin"] == "acd" for i in acd)
    assert one["id"] == "acd.auxiliary_code_invalid" and one["title"]["fr"] and one["before_sending"]
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert {p["name"] for p in plugins if p["status"] == "loaded"} == {"acd", "quickbooks", "pos_pennylane", "qonto"}


def test_health_readiness_and_metrics(server: Server) -> None:
    with server.client() as c:
        c.post("/v1/classify", json={"vendor": "quickbooks", "message": DUPLICATE})
        c.post("/v1/validate", json=[ENTRY])
        assert c.get("/healthz").json() == {"status": "ok"}
        ready = c.get("/readyz").json()
        text = c.get("/metrics").text
    assert ready["ready"] and set(ready["checks"]) == {"plugins", "database", "migrations"}
    assert 'syncdoctor_http_requests_total{method="POST",route="/v1/classify",status="200"' in text
    assert 'syncdoctor_http_request_duration_seconds_bucket{method="POST",route="/v1/classify"' in text
    assert 'syncdoctor_diagnoses_total{problem="quickbooks.duplicate_document_number"' in text
    assert 'syncdoctor_findings_total{problem="acd.auxiliary_code_invalid"' in text


def test_request_validation_error_is_a_problem_document(server: Server) -> None:
    with server.client() as c:
        r = c.get("/v1/problems?lang=de")
        nowhere = c.get("/v1/nowhere")
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["field"] == "query.lang"
    assert nowhere.status_code == 404 and nowhere.json()["status"] == 404


def test_console_requests_are_logged_and_counted_under_their_prefix_with_the_tenant(server: Server) -> None:
    import re

    key = server.key("acme", "read")
    with httpx.Client(base_url=server.url, timeout=60, follow_redirects=True) as c:
        page = c.get("/console/sign-in")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token, page.text
        signed = c.post("/console/sign-in", data={"csrf": token.group(1), "key": key})
        assert signed.status_code == 200, signed.text  # redirected to the issue list
        listing = c.get("/console/issues", headers={"X-Request-ID": "console-list-1"})
        assert listing.status_code == 200
        metrics = c.get("/metrics", headers={"Authorization": f"Bearer {server.key('acme', 'admin')}"}).text
    entries = [json.loads(line) for line in server.logs().splitlines() if line.startswith("{")]
    (mine,) = [e for e in entries if e.get("request_id") == "console-list-1"]
    assert (mine["route"], mine["tenant"]) == ("/console/issues", "acme") and mine["key_id"]
    assert key not in server.logs()
    assert 'route="/console/issues",status="200"' in metrics and 'route="/issues"' not in metrics


def test_request_id_and_log_lines_hold_no_secret_or_payload(server: Server) -> None:
    secret_message = "SECRETPAYLOAD-7f3a The account FOO does not exist"
    with server.client(role="write") as c:
        r = c.post("/v1/classify", json={"vendor": "acd", "message": secret_message},
                   headers={"X-Request-ID": "trace-abc.123"})
        generated = c.get("/healthz")
    assert r.headers["x-request-id"] == "trace-abc.123"
    assert len(generated.headers["x-request-id"]) == 32
    log = server.logs()
    entries = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    mine = [e for e in entries if e.get("request_id") == "trace-abc.123"]
    assert mine and mine[0]["route"] == "/v1/classify" and mine[0]["status"] == 200
    assert mine[0]["tenant"] == "acme" and mine[0]["duration_ms"] >= 0
    assert "SECRETPAYLOAD" not in log
    for key in server.keys.values():
        assert key not in log and key.split("_", 2)[2] not in log  # sdk_<id>_<secret>


def test_lines_split_across_many_small_chunks_are_joined(server: Server) -> None:
    body = (json.dumps({"vendor": "acd", "message": "The account FOO does not exist " + "x" * 5000}) + "\n") * 20

    def dribble():  # 7,000-byte pieces: most lines arrive split in two
        data = body.encode()
        for i in range(0, len(data), 7000):
            yield data[i:i + 7000]

    with server.client() as c:
        r = c.post("/v1/classify", content=dribble(), headers=NDJSON)
    out = lines(r.text)
    assert [d["input"] for d in out] == list(range(20))
    assert all(d["problem"] != "core.invalid_input" for d in out)
