from __future__ import annotations

import logging
from decimal import Decimal

import httpx
import pytest
from pydantic import SecretStr

from syncdoctor import (
    Faults,
    RetryPolicy,
    SandboxResponse,
    SandboxServer,
    VendorAuthError,
    VendorClient,
    VendorError,
)
from syncdoctor.vendors.client import parse_retry_after

SECRET = SecretStr("s3cr3t-value")


def client(handler: object, sleeps: list[float], attempts: int = 5) -> VendorClient:
    return VendorClient(
        "acme", "https://api.example.test", headers=lambda: {"Authorization": f"me:{SECRET.get_secret_value()}"},
        retry=RetryPolicy(attempts=attempts, backoff=0.01, sleep=sleeps.append),
        transport=httpx.MockTransport(handler),  # type: ignore[arg-type]
    )


def test_429_honours_retry_after_then_succeeds() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "7"})
        return httpx.Response(200, json={"ok": True})

    sleeps: list[float] = []
    c = client(handler, sleeps)
    assert c.get_json("/v2/x") == {"ok": True}
    assert sleeps == [7.0]
    assert calls[0].headers["authorization"] == "me:s3cr3t-value"
    assert c.stats["throttled"] == 1


def test_5xx_and_dropped_connections_are_retried_with_backoff() -> None:
    state = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        state["n"] += 1
        if state["n"] == 1:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        if state["n"] == 2:
            return httpx.Response(503)
        return httpx.Response(200, json=[1])

    sleeps: list[float] = []
    assert client(handler, sleeps).get_json("/") == [1]
    assert len(sleeps) == 2 and all(s > 0 for s in sleeps)


def test_401_stops_at_once_without_leaking_the_secret(caplog: pytest.LogCaptureFixture) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(401, json={"errors": [{"code": "unauthorized", "detail": "Invalid credentials"}]})

    sleeps: list[float] = []
    c = client(handler, sleeps)
    with caplog.at_level(logging.DEBUG), pytest.raises(VendorAuthError) as err:
        c.get_json("/")
    assert len(calls) == 1 and sleeps == []
    assert err.value.status == 401 and "Invalid credentials" in str(err.value)
    for text in (str(err.value), repr(c), caplog.text, repr(err.value)):
        assert "s3cr3t" not in text


def test_other_4xx_raise_with_the_vendor_message_and_code() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json={"errors": [{"code": "not_in_list", "detail": "status is not in the list"}]})

    with pytest.raises(VendorError) as err:
        client(handler, []).get_json("/")
    assert err.value.code == "not_in_list" and "not in the list" in str(err.value)
    assert err.value.body == {"errors": [{"code": "not_in_list", "detail": "status is not in the list"}]}


def test_a_refusal_body_keeps_exact_amounts_and_text_stays_text() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/json":
            return httpx.Response(400, content=b'{"Fault": {"Error": [{"Detail": "Amount 10.10 differs"}], "Amount": 10.10}}')
        return httpx.Response(404, content=b"<html>not found</html>")

    with pytest.raises(VendorError) as err:
        client(handler, []).get_json("/json")
    assert err.value.status == 400 and err.value.body["Fault"]["Amount"] == Decimal("10.10")
    with pytest.raises(VendorError) as err:
        client(handler, []).get_json("/page")
    assert err.value.status == 404 and err.value.body == "<html>not found</html>"


def test_gives_up_after_the_attempts() -> None:
    sleeps: list[float] = []
    with pytest.raises(VendorError, match="gave up after 3 attempts: server error 500"):
        client(lambda r: httpx.Response(500), sleeps, attempts=3).get_json("/")
    assert len(sleeps) == 2


def test_parse_retry_after() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_sandbox_faults_over_real_loopback_are_survived() -> None:
    served = {"n": 0}

    def app(request: object) -> SandboxResponse:
        served["n"] += 1
        return SandboxResponse(200, {"page": served["n"]})

    faults = Faults("429,500,drop,slow", every=1, retry_after=0, slow_seconds=0.05)
    with SandboxServer(app, faults=faults) as server:
        c = VendorClient("fake", server.url, retry=RetryPolicy(attempts=4, backoff=0.01))
        for i in range(8):
            assert c.get_json("/items", params={"page": i})["page"] >= 1
    assert set(faults.injected) == {"429", "500", "drop", "slow"}
    assert c.stats["throttled"] >= 1 and c.stats["server_errors"] >= 1 and c.stats["dropped"] >= 1


def test_unknown_fault_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        Faults("429,teapot")


def test_a_sandbox_never_started_stops_at_once() -> None:
    SandboxServer(lambda r: SandboxResponse(200, {})).stop()


def test_credentials_in_the_base_url_never_show() -> None:
    sleeps: list[float] = []
    c = VendorClient("acme", "http://user:TOPSECRET@127.0.0.1:9", retry=RetryPolicy(attempts=2, backoff=0.01, sleep=sleeps.append))
    assert "TOPSECRET" not in repr(c) and "TOPSECRET" not in c.base_url
    with pytest.raises(VendorError) as err:
        c.get_json("/")
    assert "TOPSECRET" not in str(err.value)


def test_retry_after_with_unicode_digits_is_ignored() -> None:
    assert parse_retry_after("\xb2") is None
