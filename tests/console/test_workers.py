"""Sessions cross workers: every worker of `serve --workers 2` accepts the session one of them signed,
with `console_secret` set or without it (serve then draws one for its workers)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("secret", ["a-shared-console-secret-of-enough-length-42", None], ids=["set", "drawn-by-serve"])
def test_sessions_work_on_every_worker(tmp_path: Path, secret: str | None) -> None:
    """With the setting, or without it (then `serve` draws one secret for all its workers)."""
    server = _serve(tmp_path, secret)
    try:
        with signed_in(server, "acme", "read") as c:
            # new connections each time, so both workers answer some of them (with a secret per
            # worker, about one request in four came back to the sign-in page here)
            answers = [c.get("/issues", headers={"Connection": "close"}).status_code for _ in range(30)]
            assert answers == [200] * 30, answers
        if secret:
            assert secret not in server.logs()
    finally:
        _stop(server)
