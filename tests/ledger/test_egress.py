"""Webhooks reach public addresses only, unless the operator allows private ones (SSRF).

A tenant's admin chooses the URL; the service sends from inside the operator's network. The
check runs when subscribing (an address or localhost in the URL) and on every delivery (what
the name resolves to), and the delivery connects to the address it checked.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from syncdoctor.ledger import Database
from syncdoctor.ledger import egress as egress_module
from syncdoctor.ledger.delivery import WebhookDelivery
from syncdoctor.ledger.egress import Egress, refusal
from syncdoctor.ledger.ledger import Ledger, LedgerConfig

from .helpers import rejected
from .receiver import Receiver


def resolver(*addresses: str) -> Any:
    """A getaddrinfo that answers these addresses for any name, and records what it was asked."""
    asked: list[tuple[str, int]] = []

    def resolve(host: str, port: int, type: int = 0) -> list[Any]:  # noqa: A002 - getaddrinfo's name
        asked.append((host, port))
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in addresses]

    resolve.asked = asked  # type: ignore[attr-defined]
    return resolve


NOT_PUBLIC = ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
              "224.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_a_name_resolving_to_a_private_address_is_refused(address: str) -> None:
    with pytest.raises(ValueError, match=f"hooks.example.com resolves to {address.split('%')[0]}"):
        Egress(resolve=resolver(address)).pin("https://hooks.example.com/x?token=secret")


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "169.254.169.254", "localhost", "api.localhost", "10.0.0.1"])
def test_an_address_in_the_url_is_refused_without_resolving(host: str) -> None:
    resolve = resolver("93.184.215.14")
    with pytest.raises(ValueError, match="refused"):
        Egress(resolve=resolve).pin(f"http://{host}:8080/hook")
    assert resolve.asked == []
    assert refusal(host.strip("[]")) is not None


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    with pytest.raises(ValueError, match="resolves to 10.0.0.7"):
        Egress(resolve=resolver("93.184.215.14", "10.0.0.7")).pin("https://hooks.example.com/x")


def test_a_public_name_is_pinned_to_the_address_checked() -> None:
    pinned = Egress(resolve=resolver("93.184.215.14", "93.184.215.15")).pin("https://hooks.example.com/x?a=1")
    assert pinned.url == "https://93.184.215.14/x?a=1"
    assert pinned.headers == {"Host": "hooks.example.com"}
    assert pinned.extensions == {"sni_hostname": "hooks.example.com"}  # the certificate is checked for the name
    pinned = Egress(resolve=resolver("2606:2800:220:1::1")).pin("http://hooks.example.com:8443/x")
    assert pinned.url == "http://[2606:2800:220:1::1]:8443/x"
    assert pinned.headers == {"Host": "hooks.example.com:8443"} and pinned.extensions == {}
    assert refusal("hooks.example.com") is None and refusal("93.184.215.14") is None


def test_a_name_that_does_not_resolve_is_a_clear_error() -> None:
    def fails(*args: Any, **kwargs: Any) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(ValueError, match="cannot resolve hooks.invalid"):
        Egress(resolve=fails).pin("https://hooks.invalid/x")
    with pytest.raises(ValueError, match="no address"):
        Egress(resolve=resolver()).pin("https://hooks.example.com/x")


def test_allowed_private_receivers_are_used_as_given() -> None:
    resolve = resolver("10.0.0.1")
    pinned = Egress(allow_private=True, resolve=resolve).pin("http://127.0.0.1:9/x")
    assert pinned.url == "http://127.0.0.1:9/x" and pinned.headers == {} and resolve.asked == []


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hook", "https://localhost/hook", "http://[::1]/x",
                                 "http://169.254.169.254/latest/meta-data/"])
def test_subscribing_to_a_private_address_is_refused_by_default(db: Database, host: Any, url: str) -> None:
    with pytest.raises(ValueError, match="public address"):
        Ledger(db, host).subscribe("t1", url)
    sub, _ = Ledger(db, host, LedgerConfig(private_webhooks=True)).subscribe("t1", url)  # the operator allows it
    assert sub["url"] == url


def test_a_delivery_to_a_private_address_is_refused_and_logged(db: Database, host: Any) -> None:
    """A subscription made while private receivers were allowed, delivered once they are not."""
    ledger = Ledger(db, host, LedgerConfig(private_webhooks=True))
    worker = WebhookDelivery(db, base_delay=0.0, max_attempts=2, timeout=2.0)  # the default: public only
    try:
        with Receiver() as receiver:
            sub, receiver.secret = ledger.subscribe("t1", receiver.url)
            ledger.record("t1", rejected())
            while worker.run_once():
                pass
        assert receiver.deliveries == 0
        log = ledger.deliveries("t1", sub["id"])
        assert [d["attempt"] for d in log] == [2, 1] and log[0]["state"] == "dead"
        assert all(d["error"] == "refused: 127.0.0.1 is not a public address" and d["status_code"] is None
                   for d in log)
    finally:
        worker.stop()


def test_a_delivery_goes_to_the_address_checked_with_the_name_kept(db: Database, host: Any,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The name resolves (here, to the loopback receiver, which this test alone lets through):
    the request goes to that address, and the receiver sees the name in ``Host``."""
    monkeypatch.setattr(egress_module, "_not_public", lambda address: str(address) != "127.0.0.1")
    ledger = Ledger(db, host)
    resolve = resolver("127.0.0.1")
    worker = WebhookDelivery(db, base_delay=0.0, max_attempts=2, timeout=2.0, egress=Egress(resolve=resolve))
    try:
        with Receiver() as receiver:
            port = receiver.server.server_address[1]
            sub, receiver.secret = ledger.subscribe("t1", f"http://hooks.example.test:{port}/hooks/syncdoctor")
            ledger.record("t1", rejected())
            while worker.run_once():
                pass
        assert receiver.types() == ["issue.opened"] and receiver.refused == 0
        assert receiver.hosts == [f"hooks.example.test:{port}"]
        assert resolve.asked == [("hooks.example.test", port)]
        assert [d["state"] for d in ledger.deliveries("t1", sub["id"])] == ["delivered"]
    finally:
        worker.stop()
