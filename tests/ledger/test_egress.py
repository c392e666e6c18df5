"""Webhooks reach public addresses only, unless the operator allows private ones (SSRF).

A tenant's admin chooses the URL; the service sends from inside the operator's network. The
check runs when subscribing (an address or localhost in the URL) and on every delivery (what
the name resolves to), and the delivery connects to the address it checked.
"""

from __future__ import annotations

import socket
from typing import Any

import httpx
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
              "224.0.0.1", "192.0.0.8", "198.18.0.1", "::1", "fe80::1", "fc00::1", "::",
              # IPv6 forms carrying a private IPv4 address: mapped, compatible, SIIT, NAT64, 6to4, Teredo
              "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1", "::ffff:0:127.0.0.1", "64:ff9b::a00:5",
              "64:ff9b::a9fe:a9fe", "64:ff9b:1::a00:5", "2002:a9fe:a9fe::", "2001:0:4136:e378:8000:63bf:f5ff:fffe"]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_a_name_resolving_to_a_private_address_is_refused(address: str) -> None:
    with pytest.raises(ValueError, match=f"hooks.example.com resolves to {address}, not a public address"):
        Egress(resolve=resolver(address)).addresses("hooks.example.com", 443)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "169.254.169.254", "localhost", "api.localhost", "localhost.",
                                  "10.0.0.1"])
def test_an_address_in_the_url_is_refused_without_resolving(host: str) -> None:
    resolve = resolver("93.184.215.14")
    with pytest.raises(ValueError, match="refused"):
        Egress(resolve=resolve).addresses(host, 8080)
    assert resolve.asked == []
    assert refusal(host) is not None


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    with pytest.raises(ValueError, match="resolves to 10.0.0.7"):
        Egress(resolve=resolver("93.184.215.14", "10.0.0.7")).addresses("hooks.example.com", 443)


def test_public_addresses_are_all_kept_in_the_resolver_s_order() -> None:
    resolve = resolver("93.184.215.14", "2606:2800:220:1::1", "93.184.215.14")
    assert Egress(resolve=resolve).addresses("hooks.example.com", 8443) == ["93.184.215.14", "2606:2800:220:1::1"]
    assert resolve.asked == [("hooks.example.com", 8443)]
    assert refusal("hooks.example.com") is None and refusal("93.184.215.14") is None


def test_a_name_that_does_not_resolve_is_a_clear_error() -> None:
    def fails(*args: Any, **kwargs: Any) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(ValueError, match="cannot resolve hooks.invalid"):
        Egress(resolve=fails).addresses("hooks.invalid", 443)
    with pytest.raises(ValueError, match="no address"):
        Egress(resolve=resolver()).addresses("hooks.example.com", 443)


def test_allowed_private_receivers_use_httpx_s_default_client() -> None:
    assert Egress(allow_private=True).transport() is None  # httpx's own, proxies from the environment included
    assert isinstance(Egress().transport(), httpx.HTTPTransport)


def test_the_addresses_share_one_deadline_and_only_the_first_few_are_tried(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name with many dead addresses must not hold a delivery thread (and its lease) for
    timeout x addresses."""
    import httpcore

    now = [0.0]
    monkeypatch.setattr(egress_module.time, "monotonic", lambda: now[0])
    tried: list[tuple[str, float | None]] = []

    class Dead(httpcore.NetworkBackend):
        def connect_tcp(self, host: str, port: int, timeout: float | None = None, *args: Any) -> Any:
            tried.append((host, timeout))
            now[0] += 4.0  # each dead address takes 4 s to time out
            raise httpcore.ConnectTimeout("timed out")

    addresses = [f"93.184.215.{n}" for n in range(1, 9)]
    backend = egress_module.CheckedBackend(Egress(resolve=resolver(*addresses)), inner=Dead())
    with pytest.raises(httpcore.ConnectTimeout):
        backend.connect_tcp("hooks.example.com", 443, timeout=10.0)
    assert tried == [("93.184.215.1", 10.0), ("93.184.215.2", 6.0), ("93.184.215.3", 2.0)]
    tried.clear()
    now[0] = 0.0
    with pytest.raises(httpcore.ConnectTimeout):
        backend.connect_tcp("hooks.example.com", 443, timeout=None)
    assert [host for host, _ in tried] == addresses[:egress_module.MAX_ADDRESSES]


@pytest.fixture
def loopback_is_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """127.x addresses count as public for one test: the receivers below stand for a server on
    the internet, which the tests cannot reach."""
    real = egress_module._not_public
    monkeypatch.setattr(egress_module, "_not_public", lambda a: False if str(a).startswith("127.") else real(a))


def test_each_connection_is_checked_for_its_own_name(loopback_is_public: None) -> None:
    """Two names on one address: every connection is checked for the name it is opened for
    (httpcore pools connections by that name, so one verified for a name never carries
    another's requests; this receiver closes each connection, so each request opens one), the
    URL keeps the name (Host, TLS), an international name reaches the resolver in its ASCII
    form, and every checked address is tried in turn (127.0.0.2 refuses: the receiver listens
    on 127.0.0.1 only)."""
    resolve = resolver("127.0.0.2", "127.0.0.1")
    with Receiver() as receiver, httpx.Client(transport=Egress(resolve=resolve).transport(), timeout=5) as client:
        port = receiver.server.server_address[1]
        for name in ("a.example.test", "b.example.test", "a.example.test", "bücher.example.test"):
            assert client.post(f"http://{name}:{port}/hook", content=b"{}").status_code == 400  # unsigned: refused
    assert receiver.hosts == [f"a.example.test:{port}", f"b.example.test:{port}", f"a.example.test:{port}",
                              f"xn--bcher-kva.example.test:{port}"]
    assert [host for host, _ in resolve.asked] == ["a.example.test", "b.example.test", "a.example.test",
                                                   "xn--bcher-kva.example.test"]


def test_a_refused_address_never_gets_a_connection() -> None:
    transport = Egress(resolve=resolver("127.0.0.1")).transport()
    with Receiver() as receiver, httpx.Client(transport=transport, timeout=5) as client:
        port = receiver.server.server_address[1]
        with pytest.raises(httpx.ConnectError, match="refused: 127.0.0.1 is not a public address"):
            client.post(receiver.url, content=b"{}")
        with pytest.raises(httpx.ConnectError, match="refused: hooks.example.test resolves to 127.0.0.1"):
            client.post(f"http://hooks.example.test:{port}/hook", content=b"{}")
    assert receiver.deliveries == 0


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hook", "https://localhost/hook", "http://[::1]/x",
                                 "http://169.254.169.254/latest/meta-data/"])
def test_subscribing_to_a_private_address_is_refused_by_default(db: Database, host: Any, url: str) -> None:
    with pytest.raises(ValueError, match="public address"):
        Ledger(db, host).subscribe("t1", url)
    sub, _ = Ledger(db, host, LedgerConfig(private_webhooks=True)).subscribe("t1", url)  # the operator allows it
    assert sub["url"] == url


# the loopback and "this host" addresses as inet_aton, getaddrinfo and browsers read them
NUMERIC_LOOPBACK = {"2130706433": "127.0.0.1", "0x7f.0.0.1": "127.0.0.1", "127.1": "127.0.0.1", "0": "0.0.0.0",
                    "0177.0.0.1": "127.0.0.1", "0x7f000001": "127.0.0.1", "0177.1": "127.0.0.1",
                    "127.0.1": "127.0.0.1", "012.0.0.1": "10.0.0.1", "0xa9.254.169.254": "169.254.169.254",
                    "0xA9FEA9FE": "169.254.169.254", "3232235777": "192.168.1.1", "127.0.0.1.": "127.0.0.1",
                    "１２７.0.0.1": "127.0.0.1"}  # full-width digits: digits once the name is ASCII


@pytest.mark.parametrize(("host", "address"), NUMERIC_LOOPBACK.items())
def test_an_address_in_any_numeric_spelling_is_refused(host: str, address: str) -> None:
    reason = refusal(host)
    assert reason is not None and reason.endswith("is not a public address") and address in reason
    with pytest.raises(ValueError, match="not a public address"):
        Egress(resolve=resolver("93.184.215.14")).addresses(host, 80)


@pytest.mark.parametrize("spelling", list(NUMERIC_LOOPBACK))
def test_subscribing_to_a_numeric_spelling_of_a_private_address_is_refused(db: Database, host: Any,
                                                                           spelling: str) -> None:
    with pytest.raises(ValueError, match="must reach a public address"):
        Ledger(db, host).subscribe("t1", f"http://{spelling}/hook")


@pytest.mark.parametrize(("url", "why"), [
    ("http://exa mple.com/hook", "not a valid host name"), ("http://-hooks-.example.com/", "not a valid host name"),
    ("http://hooks..example.com/", "not a valid host name"), ("http://%31%32%37.0.0.1/", "neither an IPv4"),
    ("http://999.1.1.1/", "out of range"), ("http://1.2.3.4.5/", "neither an IPv4"),
    ("http://hooks.example.123/", "neither an IPv4"), ("http://[::gg]/", "IPv6"),
    ("http://0177.0.0.1/", "sender can send to"),  # allowed as private, but httpx refuses the spelling
    ("http://hooks.example.com:99999/", "sender can send to"),
])
def test_a_host_that_is_no_valid_name_is_refused_even_when_private_ones_are_allowed(db: Database, host: Any,
                                                                                     url: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        Ledger(db, host, LedgerConfig(private_webhooks=True)).subscribe("t1", url)


@pytest.mark.parametrize("url", ["https://hooks.example.com/x", "https://hooks.bücher.example/x",
                                 "https://a_b.example.com/x", "http://93.184.215.14:8080/x", "http://0x5db8d70e/x",
                                 "https://[2606:2800:220:1::1]/x", "https://hooks.example.com./x"])
def test_public_hosts_are_accepted(db: Database, host: Any, url: str) -> None:
    assert Ledger(db, host).subscribe("t1", url)[0]["url"] == url


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
        assert all(d["error"] == "ConnectError: refused: 127.0.0.1 is not a public address"
                   and d["status_code"] is None for d in log)
    finally:
        worker.stop()


def test_a_delivery_goes_to_the_address_checked_with_the_name_kept(db: Database, host: Any,
                                                                    loopback_is_public: None) -> None:
    """The name resolves (here, to the loopback receiver, standing for a public server): the
    request goes to that address, and the receiver sees the name in ``Host``."""
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
