"""Limits (413 body size, 422 batch length, 503 time budget) and fairness: a huge body or a slow
client does not hold up a small request made at the same time."""

from __future__ import annotations

import json
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import Server, start_server, stop_server

NDJSON = {"content-type": "application/x-ndjson"}
REPORT = json.dumps({"vendor": "acd", "message": "The account FOO does not exist"}).encode() + b"\n"


def raw_request(server: Server, head: str, body_chunks: Iterator[bytes] | None = None, read_timeout: float = 30) -> bytes:
    """Send a request by hand (to declare a length we never send, or chunk a body ourselves)."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=read_timeout) as sock:
        sock.sendall(head.encode())
        try:
            for chunk in body_chunks or ():
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the body ended: read what it said
        data = b""
        while b"\r\n\r\n" not in data or len(data) < data.index(b"\r\n\r\n") + 4 + _length(data):
            part = sock.recv(65536)
            if not part:
                break
            data += part
        return data


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n")[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 0


def _chunked(chunks: Iterator[bytes], end: bool = True) -> Iterator[bytes]:
    for chunk in chunks:
        yield f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    if end:
        yield b"0\r\n\r\n"


def _head(server: Server, path: str, extra: str) -> str:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {server.key()}\r\n"
            f"Content-Type: application/x-ndjson\r\n{extra}\r\n")


def test_declared_length_over_the_limit_is_413_before_reading(server: Server) -> None:
    started = time.monotonic()
    answer = raw_request(server, _head(server, "/v1/classify", f"Content-Length: {100 * 1024 * 1024}\r\n"))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"application/problem+json" in answer and b"max_body_bytes" in answer
    assert time.monotonic() - started < 5


def test_chunked_body_over_the_limit_is_413_while_streaming(server: Server) -> None:
    line = json.dumps({"message": "x" * 200_000}).encode() + b"\n"
    # 3 MB of a body that never ends (no last chunk): an answer proves the limit is checked as
    # the body arrives, not once it has all been read
    chunks = _chunked(iter([line] * 15), end=False)
    answer = raw_request(server, _head(server, "/v1/classify", "Transfer-Encoding: chunked\r\n"), chunks,
                         read_timeout=10)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b"max_body_bytes" in answer


def test_json_body_over_the_limit_is_413(server: Server) -> None:
    with server.client() as c:
        r = c.post("/v1/validate", content=b"[" + b" " * (3 * 1024 * 1024) + b"]",
                   headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["status"] == 413


def test_batch_over_max_batch_is_422(server: Server) -> None:
    entities = [{"kind": "invoice", "id": f"i{i}", "total": "1"} for i in range(1001)]
    with server.client() as c:
        array = c.post("/v1/validate", json=entities)
        # NDJSON: the answer has started (64 records a chunk) when record 1000 arrives: the stream
        # ends with the problem as its last line
        stream = c.post("/v1/classify", content=REPORT * 1001, headers=NDJSON)
    assert array.status_code == 422 and "max_batch" in array.json()["detail"]
    assert stream.status_code == 200
    out = [json.loads(line) for line in stream.text.splitlines()]
    assert [d["input"] for d in out[:-1]] == list(range(1000))
    assert out[-1]["status"] == 422 and out[-1]["record"] == 1000 and "max_batch" in out[-1]["detail"]


def test_batch_limit_before_the_first_chunk_is_a_422_status(tmp_path: Path) -> None:
    srv = start_server(tmp_path, "--max-batch", "10", "--chunk-records", "64", "--auth-cache-seconds", "0")
    try:
        with srv.client() as c:
            r = c.post("/v1/classify", content=REPORT * 11, headers=NDJSON)
            ok = c.post("/v1/classify", content=REPORT * 10, headers=NDJSON)
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
        assert r.json()["record"] == 10
        assert ok.status_code == 200 and len(ok.text.splitlines()) == 10
    finally:
        stop_server(srv)


@pytest.fixture(scope="module")
def roomy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server that accepts 200 MB bodies and gives a request 1 s before it starts answering."""
    srv = start_server(tmp_path_factory.mktemp("roomy"), "--max-body-bytes", str(200 * 1024 * 1024),
                       "--time-budget", "120", "--chunk-records", "64", "--auth-cache-seconds", "0")
    yield srv
    stop_server(srv)


def _probe_latencies(server: Server, stop: threading.Event, out: list[float]) -> None:
    with server.client() as c:
        while not stop.is_set() and len(out) < 2000:
            started = time.monotonic()
            r = c.post("/v1/classify", json={"vendor": "acd", "message": "The account FOO does not exist"})
            assert r.status_code == 200
            out.append(time.monotonic() - started)
            time.sleep(0.02)


def test_a_100_mb_body_does_not_block_a_small_request(roomy: Server) -> None:
    line = json.dumps({"vendor": "quickbooks", "message": "Invalid Reference Id " + "z" * 100_000}).encode() + b"\n"
    count = (100 * 1024 * 1024) // len(line) + 1

    def body() -> Iterator[bytes]:
        for _ in range(count):
            yield line

    latencies: list[float] = []
    stop = threading.Event()
    probe = threading.Thread(target=_probe_latencies, args=(roomy, stop, latencies))
    with roomy.client(timeout=300) as c:
        probe.start()
        try:
            answered = 0
            with c.stream("POST", "/v1/classify", content=body(), headers=NDJSON) as r:
                assert r.status_code == 200
                for text in r.iter_lines():
                    if text:
                        assert json.loads(text)["input"] == answered
                        answered += 1
        finally:
            stop.set()
            probe.join()
    assert answered == count
    assert len(latencies) >= 10, "small requests must be answered while the big body streams"
    assert statistics.median(latencies) < 0.25, latencies
    assert max(latencies) < 2.0, max(latencies)


def test_a_slow_client_does_not_block_a_small_request(roomy: Server) -> None:
    def trickle() -> Iterator[bytes]:
        for _ in range(12):
            yield REPORT
            time.sleep(0.25)

    latencies: list[float] = []
    stop = threading.Event()
    probe = threading.Thread(target=_probe_latencies, args=(roomy, stop, latencies))
    probe.start()
    try:
        with roomy.client() as c:
            r = c.post("/v1/classify", content=trickle(), headers=NDJSON)
    finally:
        stop.set()
        probe.join()
    assert r.status_code == 200 and len(r.text.splitlines()) == 12
    assert len(latencies) >= 20
    assert statistics.median(latencies) < 0.1 and max(latencies) < 1.0, latencies


def test_time_budget_is_503_with_retry_after(tmp_path: Path) -> None:
    srv = start_server(tmp_path, "--time-budget", "0.5", "--auth-cache-seconds", "0")
    try:
        def slow() -> Iterator[bytes]:
            for _ in range(20):
                yield REPORT
                time.sleep(0.1)

        with srv.client() as c:
            started = time.monotonic()
            r = c.post("/v1/classify", content=slow(), headers=NDJSON)
            elapsed = time.monotonic() - started
            ok = c.post("/v1/classify", json={"message": "The account FOO does not exist"})
        assert r.status_code == 503, r.text
        assert r.headers["retry-after"].isdigit() and "time_budget" in r.json()["detail"]
        assert elapsed < 2.5
        assert ok.status_code == 200
    finally:
        stop_server(srv)


def test_limits_crossed_are_counted(server: Server) -> None:
    raw_request(server, _head(server, "/v1/classify", f"Content-Length: {10 ** 9}\r\n"))
    text = httpx.get(server.url + "/metrics").text
    assert 'status="413"' in text


def test_limits_crossed_after_the_answer_started_end_the_stream_with_a_problem_line(tmp_path: Path) -> None:
    """Two records a chunk: the answer has started when the limits are crossed, so the stream
    says it in its last line (the status line was sent long before)."""
    srv = start_server(tmp_path, "--chunk-records", "2", "--max-body-bytes", str(1024 * 1024),
                       "--time-budget", "1", "--auth-cache-seconds", "0")
    try:
        big = json.dumps({"message": "y" * 100_000}).encode() + b"\n"

        def slow() -> Iterator[bytes]:
            yield REPORT * 2
            for _ in range(30):
                time.sleep(0.1)
                yield REPORT

        with srv.client() as c:
            too_big = c.post("/v1/classify", content=iter([big] * 20), headers=NDJSON)
            too_slow = c.post("/v1/classify", content=slow(), headers=NDJSON)
        for answer, status in ((too_big, 413), (too_slow, 503)):
            assert answer.status_code == 200
            out = [json.loads(line) for line in answer.text.splitlines()]
            assert out[0]["input"] == 0 and out[1]["input"] == 1
            assert out[-1]["status"] == status and out[-1]["type"].endswith(("body-too-large", "unavailable"))
            answered = [d["input"] for d in out[:-1]]
            assert answered == list(range(len(answered))), "the lines before the problem are in order"
    finally:
        stop_server(srv)


def test_a_line_over_the_record_limit_is_one_bad_record_and_the_rest_goes_on(roomy: Server) -> None:
    from syncdoctor.service.streaming import MAX_LINE

    huge = b'{"message": "' + b"h" * (MAX_LINE + 1000) + b'"}\n'
    with roomy.client(timeout=120) as c:
        r = c.post("/v1/classify", content=iter([REPORT, huge[: MAX_LINE // 2], huge[MAX_LINE // 2:], REPORT]),
                   headers=NDJSON)
    out = [json.loads(line) for line in r.text.splitlines()]
    assert [d["input"] for d in out] == [0, 1, 2]
    assert out[1]["problem"] == "core.invalid_input" and out[1]["params"]["line"] == 2
    assert "longer than" in out[1]["causes"][0]
    assert out[2]["problem"] != "core.invalid_input" and out[2]["params"].get("line") is None


def test_a_slow_client_is_held_to_the_budget_between_chunks(tmp_path: Path) -> None:
    """The answer has started (a first chunk of 2 decided); the client then sends a line every
    2.5 s, slower than chunks fill up: the budget still ends the request on time, not at the
    next full chunk (the server's log line says when it ended)."""
    srv = start_server(tmp_path, "--chunk-records", "2", "--time-budget", "1.5", "--auth-cache-seconds", "0")
    try:
        def trickle() -> Iterator[bytes]:
            yield REPORT * 2
            for _ in range(3):
                time.sleep(2.5)
                yield REPORT

        with srv.client() as c:
            r = c.post("/v1/classify", content=trickle(), headers={**NDJSON, "X-Request-ID": "slow-trickle"})
        out = [json.loads(line) for line in r.text.splitlines()]
        assert [d.get("input") for d in out[:-1]] == [0, 1] and out[-1]["status"] == 503
        (entry,) = [json.loads(line) for line in srv.logs().splitlines() if '"slow-trickle"' in line]
        assert entry["duration_ms"] < 3000, entry
    finally:
        stop_server(srv)
