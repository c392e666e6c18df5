"""The service as a user runs it: `syncdoctor serve` in a subprocess on a free loopback port,
keys made with `syncdoctor keys create`, called over HTTP with httpx. No app object in-process.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")


def syncdoctor_command(*args: str) -> list[str]:
    """`syncdoctor ...` as installed next to this interpreter."""
    exe = shutil.which("syncdoctor", path=str(Path(sys.executable).parent)) or shutil.which("syncdoctor")
    assert exe is not None, "the syncdoctor command is not installed (pip install -e '.[test]')"
    return [exe, *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def create_key(db: str, tenant: str, role: str) -> str:
    out = subprocess.run(syncdoctor_command("keys", "create", "--tenant", tenant, "--role", role, "--db", db),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 1, f"keys create must print the key alone: {out.stdout!r}"
    return lines[0]


@dataclass
class Server:
    url: str
    db: str
    process: subprocess.Popen[bytes]
    log: Path
    keys: dict[tuple[str, str], str] = field(default_factory=dict)

    def key(self, tenant: str = "acme", role: str = "read") -> str:
        return self.keys[(tenant, role)]

    def client(self, tenant: str | None = "acme", role: str = "read", **kw: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.key(tenant, role)}"} if tenant else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=kw.pop("timeout", 60), **kw)

    def logs(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(tmp: Path, *flags: str, env: dict[str, str] | None = None, keys: bool = True,
                 wait: bool = True) -> Server:
    port = free_port()
    db = f"sqlite:///{tmp / 'service.db'}"
    log = tmp / "server.log"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SYNCDOCTOR_")}
    environ.update(env or {})
    cmd = syncdoctor_command("serve", "--port", str(port), "--db", db, *flags)
    process = subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT, env=environ)
    server = Server(f"http://127.0.0.1:{port}", db, process, log)
    if wait:
        wait_ready(server)
    if keys:
        admins = {t: create_key(db, t, "admin") for t in ("acme", "globex")}
        for tenant, admin in admins.items():
            server.keys[(tenant, "admin")] = admin
            with server.client(tenant, "admin") as c:
                for role in ("read", "write"):
                    r = c.post("/v1/keys", json={"role": role, "name": f"test {role}"})
                    assert r.status_code == 201, r.text
                    server.keys[(tenant, role)] = r.json()["key"]
    return server


def wait_ready(server: Server, timeout: float = 30.0) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if server.process.poll() is not None:
            raise AssertionError(f"server exited ({server.process.returncode}):\n{server.logs()}")
        try:
            if httpx.get(server.url + "/readyz", timeout=2).status_code == 200:
                return time.monotonic() - start
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"server not ready after {timeout}s:\n{server.logs()}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


# small limits, so each one can be crossed by a test in a moment
LIMIT_FLAGS = ("--max-body-bytes", str(2 * 1024 * 1024), "--max-batch", "1000", "--chunk-records", "64",
               "--time-budget", "20", "--auth-cache-seconds", "0")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("service"), *LIMIT_FLAGS)
    yield srv
    stop_server(srv)
