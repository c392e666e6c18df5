"""A request's line and headers must arrive within header_timeout (slow-header attacks), on a
new connection and on a kept-alive one; a complete head is never cut, however long its answer
or its body takes (the time budget governs those), and a slow-header client blocks no one."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import Server, start_server, stop_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("slow-headers"), "--header-timeout", "1", keys=False)
    yield srv
    stop_server(srv)


def _connect(server: Server) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _closed_after(sock: socket.socket) -> float:
    """Seconds until the server closes the connection (reading until EOF)."""
    start = time.monotonic()
    while sock.recv(65536):
        pass
    return time.monotonic() - start


def test_a_head_that_never_ends_is_closed(server: Server) -> None:
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line: the head goes on
        assert 0.5 < _closed_after(sock) < 5


def test_a_head_sent_a_byte_at_a_time_is_closed_on_time(server: Server) -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100
    start = time.monotonic()
    with _connect(server) as sock:
        try:
            for byte in head:  # every 0.1 s: each byte would reset a timer that counted idleness
                sock.sendall(bytes([byte]))
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass
        _closed_after(sock)
    assert time.monotonic() - start < 5  # closed after ~1 s, not after 10 s of trickling


def test_a_silent_connection_is_closed(server: Server) -> None:
    with _connect(server) as sock:
        assert 0.5 < _closed_after(sock) < 5


def test_kept_alive_connections_get_the_same_deadline_for_their_next_head(server: Server) -> None:
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")  # the next head starts, and stops
        assert _closed_after(sock) < 5


def test_complete_heads_are_answered_and_a_slow_head_blocks_no_one(server: Server) -> None:
    with _connect(server) as slow:
        slow.sendall(b"GET /healthz HTTP/1.1\r\n")
        with httpx.Client(base_url=server.url, timeout=10) as client:  # meanwhile, others are served
            for _ in range(3):
                assert client.get("/healthz").status_code == 200
                time.sleep(0.6)  # 1.8 s in all on one kept-alive connection: its heads were complete
        _closed_after(slow)
    assert "no complete request head in 1.0 s" in server.logs()


def test_the_setting_is_bounded(tmp_path: Path) -> None:
    srv = start_server(tmp_path, "--header-timeout", "0", keys=False, wait=False)
    assert srv.process.wait(timeout=60) == 2


def test_an_upgraded_connection_is_left_to_its_new_protocol(monkeypatch: pytest.MonkeyPatch) -> None:
    """After an upgrade (a WebSocket), the transport belongs to another protocol: the head
    deadline must not close it (unit test: uvicorn's own parsing stubbed out)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    from syncdoctor.service.protocol import GuardedH11Protocol

    class Timer:
        def __init__(self) -> None:
            self.cancelled = False

        def cancel(self) -> None:
            self.cancelled = True

    class Loop:
        def call_later(self, delay: float, callback: object) -> Timer:
            return Timer()

    class Transport:
        def __init__(self, protocol: object) -> None:
            self.protocol = protocol

        def get_protocol(self) -> object:
            return self.protocol

        def is_closing(self) -> bool:
            return False

    monkeypatch.setattr(H11Protocol, "data_received", lambda self, data: None)
    proto = GuardedH11Protocol.__new__(GuardedH11Protocol)
    proto.head_timeout, proto._head_timer, proto.loop, proto.cycle = 1.0, None, Loop(), None
    proto.transport = Transport(proto)
    proto.data_received(b"GET / HTTP/1.1\r\n")
    timer = proto._head_timer
    assert timer is not None  # waiting for the rest of the head
    proto.transport.protocol = object()  # uvicorn handed the connection to a WebSocket protocol
    proto.data_received(b"")
    assert proto._head_timer is None and timer.cancelled
