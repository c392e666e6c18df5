"""The host service over loopback HTTP (issue 15). Run by hand: python -m bench.bench_service

- single-report classify: requests/s and p50/p99 latency at 1, 16 and 64 concurrent keep-alive
  clients against `syncdoctor serve --workers 2` (target >= 2,000 req/s, p99 <= 50 ms at 16);
- NDJSON batch classify through HTTP vs the CLI's batch rate on the same reports (target >= 50%);
- start-up to ready: from starting `syncdoctor serve` to the first 200 of /readyz (target <= 1 s).

The load comes from one asyncio process writing pre-built requests on raw keep-alive sockets
(an HTTP library would cost more CPU than the server on this 2-core machine, and both share it).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from syncdoctor import Host

from ._common import example_messages, installed_env

_ENV = installed_env()  # one bytecode cache for every server the bench starts


def _command(*args: str) -> list[str]:
    return [shutil.which("syncdoctor", path=str(Path(sys.executable).parent)) or "syncdoctor", *args]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used: start-up cost without the wait for a
    core, which on a shared 2-core machine can be most of the wall time."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Served:
    def __init__(self, tmp: Path, *flags: str) -> None:
        self.port = _free_port()
        self.db = f"sqlite:///{tmp / 'bench.db'}"
        env = _ENV
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            _command("serve", "--port", str(self.port), "--db", self.db, "--log-level", "warning", *flags),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        self.ready_after = self._wait()

    def _wait(self) -> float:
        url = f"http://127.0.0.1:{self.port}/readyz"
        while time.perf_counter() - self.started < 60:
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    self.cpu_to_ready = _cpu_seconds(self.process.pid)
                    return time.perf_counter() - self.started
            except httpx.TransportError:
                time.sleep(0.01)
        raise RuntimeError("server not ready in 60 s")

    def key(self) -> str:
        out = subprocess.run(_command("keys", "create", "--tenant", "bench", "--role", "read", "--db", self.db),
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def _requests(key: str, reports: list[dict[str, Any]]) -> list[bytes]:
    out = []
    for report in reports:
        body = json.dumps(report).encode()
        out.append(b"POST /v1/classify HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key.encode()
                   + b"\r\nContent-Type: application/json\r\nContent-Length: " + str(len(body)).encode()
                   + b"\r\n\r\n" + body)
    return out


async def _client(port: int, requests: list[bytes], offset: int, deadline: float, latencies: list[float],
                  errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = offset
    try:
        while time.perf_counter() < deadline:
            request = requests[i % len(requests)]
            i += 1
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if not head.startswith(b"HTTP/1.1 200"):
                errors.append(int(head[9:12]))
    finally:
        writer.close()


def _load(port: int, requests: list[bytes], clients: int, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[int] = []

    async def main() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(_client(port, requests, n * 7, deadline, latencies, errors) for n in range(clients)))

    started = time.perf_counter()
    asyncio.run(main())
    took = time.perf_counter() - started
    latencies.sort()
    return {
        "clients": clients,
        "requests_per_s": round(len(latencies) / took),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
        "errors": len(errors),
    }


def _single(tmp: Path, reports: list[dict[str, Any]], seconds: float) -> list[dict[str, Any]]:
    served = Served(tmp, "--workers", "2")
    try:
        requests = _requests(served.key(), reports)
        _load(served.port, requests, 16, 1.0)  # warm both workers
        return [_load(served.port, requests, clients, seconds) for clients in (1, 16, 64)]
    finally:
        served.stop()


async def _stream_batch(port: int, key: str, path: Path) -> tuple[int, float]:
    """Send the file as NDJSON while reading the answer (full duplex), count the answer lines."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /v1/classify HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key.encode()
                 + b"\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n")
    started = time.perf_counter()

    async def send() -> None:
        with path.open("rb") as fh:
            while chunk := fh.read(256 * 1024):
                writer.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    async def receive() -> int:
        await reader.readuntil(b"\r\n\r\n")
        lines = 0
        while True:  # chunked answer
            size = int((await reader.readuntil(b"\r\n"))[:-2], 16)
            if size == 0:
                break
            lines += (await reader.readexactly(size + 2)).count(b"\n") - 1
        return lines

    _, lines = await asyncio.gather(send(), receive())
    writer.close()
    return lines, time.perf_counter() - started


def _batch(tmp: Path, reports: list[dict[str, Any]], n: int) -> dict[str, Any]:
    path = tmp / "reports.jsonl"
    with path.open("w") as fh:
        for i in range(n):
            fh.write(json.dumps(reports[i % len(reports)]) + "\n")
    # the CLI: whole command, and without its start-up (a batch rate, like the service's)
    cli = [shutil.which("syncdoctor", path=str(Path(sys.executable).parent)) or "syncdoctor", "classify", "--input"]
    started = time.perf_counter()
    subprocess.run([*cli, str(path)], stdout=subprocess.DEVNULL, check=False)
    cli_total = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run([*cli, str(tmp / "empty.jsonl")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    cli_startup = time.perf_counter() - started
    cli_rate = n / max(cli_total - cli_startup, 1e-9)
    served = Served(tmp, "--workers", "1", "--max-batch", str(n + 1), "--max-body-bytes", str(2 ** 31 - 1))
    try:
        key = served.key()
        lines, took = asyncio.run(_stream_batch(served.port, key, path))
    finally:
        served.stop()
    http_rate = lines / took
    return {"reports": n, "answer_lines": lines, "cli_per_s": round(cli_rate), "http_per_s": round(http_rate),
            "http_vs_cli": round(http_rate / cli_rate, 2)}


def _startup(tmp: Path, repeat: int = 3) -> dict[str, Any]:
    times, cpu = [], []
    for i in range(repeat):
        sub = tmp / f"start{i}"
        sub.mkdir()
        served = Served(sub, "--workers", "1")
        times.append(served.ready_after)
        cpu.append(served.cpu_to_ready)
        served.stop()
    return {"ready_s_median": round(statistics.median(times), 3), "ready_s_all": [round(t, 3) for t in times],
            "cpu_s_to_ready_median": round(statistics.median(cpu), 3)}


def run(seconds: float = 5.0, batch: int = 100_000) -> dict[str, Any]:
    host = Host.from_entry_points()
    reports = [r.model_dump(mode="json", exclude_none=True, exclude_defaults=True) for r in example_messages(host)]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "empty.jsonl").write_text("")
        return {
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "startup": _startup(tmp),
            "single_classify_2_workers": _single(tmp, reports, seconds),
            "ndjson_batch": _batch(tmp, reports, batch),
        }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
