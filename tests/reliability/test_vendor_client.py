"""Issue 20, items 3, 5 and 10: what a vendor can do to the HTTP client, over real loopback.

Each test reproduces a hostile behaviour with a sandbox fault: a write whose answer is lost,
a trickling or endless body, a long Retry-After, a server echoing our Authorization header.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from syncdoctor import (
    Faults,
    InputError,
    RetryPolicy,
    SandboxRequest,
    SandboxResponse,
    SandboxServer,
    VendorClient,
    VendorError,
)
from syncdoctor.vendors.client import OutcomeUnknown
from syncdoctor.vendors.limits import LimitExceeded, Limits

SECRET = "me:s3cr3t-VALUE-123"


def app(request: SandboxRequest) -> SandboxResponse:
    if request.method == "POST":
        app.writes.append(request.json())  # type: ignore[attr-defined]
        return SandboxResponse(201, {"ok": True})
    return SandboxResponse(200, {"items": list(range(50))})


def fresh_app() -> Any:
    app.writes = []  # type: ignore[attr-defined]
    return app


def make(server: SandboxServer, **limits: Any) -> VendorClient:
    return VendorClient("acme", server.url, headers=lambda: {"Authorization": SECRET},
                        retry=RetryPolicy(attempts=3, backoff=0.01), limits=Limits(**limits) if limits else None)


def test_a_post_whose_answer_is_lost_is_not_sent_again_without_a_key() -> None:
    with SandboxServer(fresh_app(), faults=Faults("lost-answer")) as server, make(server) as client:
        with pytest.raises(OutcomeUnknown, match="may have been applied"):
            client.request("POST", "/write", json={"n": 1})
    assert app.writes == [{"n": 1}]  # type: ignore[attr-defined]


def test_a_post_with_an_idempotency_key_is_retried_with_the_same_key() -> None:
    seen: list[str | None] = []

    def keyed(request: SandboxRequest) -> SandboxResponse:
        seen.append(request.headers.get("idempotency-key"))
        return SandboxResponse(200, {"ok": True})

    with SandboxServer(keyed, faults=Faults("lost-answer")) as server, make(server) as client:
        assert client.request("POST", "/write", json={"n": 1}, idempotency_key="k-1").status_code == 200
    assert seen == ["k-1", "k-1"]


def test_a_trickling_body_ends_at_the_call_deadline() -> None:
    faults = Faults("trickle", every=1, trickle_seconds=0.2)
    with SandboxServer(fresh_app(), faults=faults) as server, make(server, call_deadline=1.0) as client:
        started = time.monotonic()
        with pytest.raises(LimitExceeded, match="call_deadline") as caught:
            client.get_json("/items")
    assert time.monotonic() - started < 5
    assert "SYNCDOCTOR_HTTP_CALL_DEADLINE" in str(caught.value)


def test_an_endless_body_stops_at_the_byte_cap() -> None:
    with SandboxServer(fresh_app(), faults=Faults("endless", every=1)) as server, \
            make(server, max_bytes=2_000_000) as client:
        with pytest.raises(LimitExceeded, match="max_bytes"):
            client.get_json("/items")
        assert client.stats["bytes"] <= 2_000_000


def test_retry_after_waits_are_bounded_in_total_and_said(caplog: pytest.LogCaptureFixture) -> None:
    def throttled(request: SandboxRequest) -> SandboxResponse:
        return SandboxResponse(429, {"error": "slow down"}, {"Retry-After": "100"})

    sleeps: list[float] = []
    with SandboxServer(throttled) as server:
        client = VendorClient("acme", server.url, retry=RetryPolicy(attempts=5, max_wait=60, sleep=sleeps.append),
                              limits=Limits(max_retry_wait=90))
        with pytest.raises(LimitExceeded, match="max_retry_wait"):
            client.get_json("/x")
    assert sum(sleeps) <= 90
    assert client.stats["waited_ms"] == int(sum(sleeps) * 1000)
    assert any("waiting 60s before trying again" in r.getMessage() and r.levelname == "WARNING"
               for r in caplog.records)


def test_the_total_deadline_covers_retries() -> None:
    def failing(request: SandboxRequest) -> SandboxResponse:
        return SandboxResponse(503, {"error": "down"})

    with SandboxServer(failing) as server:
        client = VendorClient("acme", server.url, retry=RetryPolicy(attempts=50, backoff=0.2, max_wait=0.2),
                              limits=Limits(total_deadline=1.0))
        started = time.monotonic()
        with pytest.raises(LimitExceeded, match="total_deadline"):
            client.get_json("/x")
    assert time.monotonic() - started < 3


def test_an_echoing_server_does_not_leak_the_authorization_header() -> None:
    with SandboxServer(fresh_app(), faults=Faults("echo", every=1)) as server, make(server) as client:
        with pytest.raises(VendorError) as caught:
            client.get_json("/items")
    error = caught.value
    for shown in (str(error), repr(error), repr(error.body), str(error.args)):
        assert "s3cr3t" not in shown, shown
    assert error.status == 400


def test_userinfo_in_the_base_url_never_shows() -> None:
    client = VendorClient("acme", "http://user:pa55w0rd-XYZ@127.0.0.1:9", retry=RetryPolicy(attempts=2, backoff=0.01))
    assert "pa55w0rd" not in repr(client) and "pa55w0rd" not in client.base_url
    with pytest.raises(VendorError) as caught:
        client.get_json("/x")  # nothing listens on port 9: refused
    assert "pa55w0rd" not in str(caught.value)


@pytest.mark.parametrize("url", ["http://[::1", "ftp://example.test", "not a url", ""])
def test_a_malformed_base_url_is_an_input_error(url: str) -> None:
    with pytest.raises(InputError, match="base_url"):
        VendorClient("acme", url)


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCDOCTOR_HTTP_MAX_BYTES", "1234")
    monkeypatch.setenv("SYNCDOCTOR_HTTP_MAX_RETRY_WAIT", "5")
    assert Limits.from_env().report()["max_bytes"] == 1234
    assert VendorClient("acme", "http://127.0.0.1:9").limits.max_retry_wait == 5
    monkeypatch.setenv("SYNCDOCTOR_HTTP_MAX_BYTES", "lots")
    with pytest.raises(ValueError, match="SYNCDOCTOR_HTTP_MAX_BYTES"):
        Limits.from_env()


def test_no_repr_on_the_fetch_path_shows_userinfo_or_secrets() -> None:
    from pydantic import SecretStr

    from syncdoctor_acd.api import AcdSession
    from syncdoctor_qonto.fetch import plan_from

    plan = plan_from({"base_url": "http://me:pa55w0rd-XYZ@127.0.0.1:9", "login": "me",
                      "secret_key": SecretStr("s3cr3t-VALUE-123")})
    session = AcdSession("http://me:pa55w0rd-XYZ@127.0.0.1:9", "me", "s3cr3t-VALUE-123")
    for shown in (repr(plan), repr(session), repr(session.client)):
        assert "pa55w0rd" not in shown and "s3cr3t" not in shown, shown


def test_a_body_that_claims_gzip_and_is_not_is_a_vendor_error() -> None:
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=b"not gzip at all")

    client = VendorClient("acme", "https://api.example.test", transport=httpx.MockTransport(handler))
    with pytest.raises(VendorError, match="could not be decoded"):
        client.get_json("/x")
