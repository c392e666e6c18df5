"""Sessions cross workers: with `console_secret` set, every worker of `serve --workers 2` accepts the
session one of them signed. Without it, the console says at start-up that sessions will not."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx

from .conftest import Console, _wait_ready, create_key, free_port, signed_in, syncdoctor_command


def _serve(tmp: Path, secret: str | None) -> Console:
    db = f"sqlite:///{tmp / 'workers.db'}"
    subprocess.run(syncdoctor_command("db", "upgrade", "--db", db), check=True, capture_output=True, timeout=120)
    keys = {("acme", "read"): create_key(db, "acme", "read")}
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SYNCDOCTOR_")}
    if secret:
        environ["SYNCDOCTOR_CONSOLE_SECRET"] = secret
    port = free_port()
    log = tmp / "workers.log"
    process = subprocess.Popen(syncdoctor_command("serve", "--port", str(port), "--db", db, "--workers", "2"),
                               stdout=log.open("wb"), stderr=subprocess.STDOUT, env=environ)
    server = Console(f"http://127.0.0.1:{port}", db, process, log, keys)
    _wait_ready(server)
    return server


def _stop(server: Console) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def test_a_shared_secret_makes_sessions_work_on_every_worker(tmp_path: Path) -> None:
    server = _serve(tmp_path, "a-shared-console-secret-of-enough-length-42")
    try:
        with signed_in(server, "acme", "read") as c:
            # new connections each time, so both workers answer some of them
            answers = []
            for _ in range(30):
                answers.append(c.get("/issues", headers={"Connection": "close"}).status_code)
            assert answers == [200] * 30, answers
        assert "a-shared-console-secret" not in server.logs()
    finally:
        _stop(server)


def test_without_a_secret_several_workers_are_warned_about(tmp_path: Path) -> None:
    # (without it, about one request in four comes back to sign-in here: each worker has its own)
    server = _serve(tmp_path, None)
    try:
        httpx.get(server.console + "/sign-in", timeout=30)
    finally:
        _stop(server)
    assert "SYNCDOCTOR_CONSOLE_SECRET" in server.logs()
