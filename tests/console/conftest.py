"""The console as a user meets it: `syncdoctor serve` in a subprocess on a free loopback port with a
temporary SQLite ledger, keys made with `syncdoctor keys create`, events sent to POST /v1/events
for two tenants. Browser tests drive Debian's Chromium through Playwright; everything else is httpx.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("jinja2")

# one way to start and reach `syncdoctor serve` for the service's tests and the console's
from tests.service.conftest import create_key, free_port, syncdoctor_command, wait_ready  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "console"
# A run takes the screenshots wherever it runs (they check that each page renders at 360 and
# 1,440 px); they replace the documentation's only when asked, so that a test run leaves the
# working tree as it found it: SYNCDOCTOR_UPDATE_SCREENSHOTS=1 pytest tests/console/test_browser.py
SHOTS = (DOCS_SHOTS if os.environ.get("SYNCDOCTOR_UPDATE_SCREENSHOTS") == "1"
         else Path(tempfile.gettempdir()) / "syncdoctor-console-shots")

# Real rejections (messages from tests/field/), for two tenants. acme's inv-9 fails three times:
# an escalation. globex has one issue, which acme must never reach.
QB_DUPLICATE = ("Duplicate Document Number Error: You must specify a different number. This number has already "
                "been used. DocNumber=1042 is assigned to TxnType=Invoice with TxnId=99")
EVENTS: dict[str, list[dict[str, Any]]] = {
    "acme": [
        {"client": "firm-42", "vendor": "quickbooks", "entity_id": "inv-1042", "outcome": "rejected",
         "report": {"message": QB_DUPLICATE, "code": "6140", "http_status": 400}},
        {"client": "firm-7", "vendor": "acd", "entity_id": "folder-7", "outcome": "rejected",
         "report": {"message": "Erreur 403 : Vous n’avez pas les droits d’accès à cette ressource", "http_status": 403}},
        {"client": "firm-42", "vendor": "qonto", "entity_id": "tx-88", "outcome": "rejected",
         "report": {"message": "status must be one of: pending, approved, declined", "http_status": 422}},
        *[{"client": "firm-7", "vendor": "quickbooks", "entity_id": "inv-9", "outcome": "rejected",
           "report": {"message": QB_DUPLICATE.replace("1042", "9"), "code": "6140", "http_status": 400}}] * 3,
    ],
    "globex": [
        {"client": "globex-firm", "vendor": "quickbooks", "entity_id": "secret-inv", "outcome": "rejected",
         "report": {"message": QB_DUPLICATE.replace("1042", "555"), "code": "6140", "http_status": 400}},
    ],
}


@dataclass
class Console:
    url: str
    db: str
    process: subprocess.Popen[bytes]
    log: Path
    keys: dict[tuple[str, str], str] = field(default_factory=dict)
    issues: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def console(self) -> str:
        return self.url + "/console"

    def logs(self) -> str:
        return self.log.read_text(errors="replace")

    def issue_of(self, tenant: str, entity: str) -> dict[str, Any]:
        return next(i for i in self.issues[tenant] if i["entity"] == entity)


def _wait_ready(server: Console, timeout: float = 60.0) -> None:
    wait_ready(server, timeout)  # the service's wait: the console is served by the same process


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    tmp = tmp_path_factory.mktemp("console")
    db = f"sqlite:///{tmp / 'console.db'}"
    subprocess.run(syncdoctor_command("db", "upgrade", "--db", db), check=True, capture_output=True, timeout=120)
    keys = {(tenant, role): create_key(db, tenant, role) for tenant in ("acme", "globex") for role in ("read", "write")}
    port = free_port()
    log = tmp / "server.log"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SYNCDOCTOR_")}
    environ["SYNCDOCTOR_CONSOLE_SECRET"] = "test-console-secret-" + "x" * 32
    process = subprocess.Popen(syncdoctor_command("serve", "--host", "127.0.0.1", "--port", str(port), "--db", db),
                               stdout=log.open("wb"), stderr=subprocess.STDOUT, env=environ)
    server = Console(f"http://127.0.0.1:{port}", db, process, log, keys)
    try:
        _wait_ready(server)
        for tenant, events in EVENTS.items():
            headers = {"Authorization": f"Bearer {keys[(tenant, 'write')]}"}
            for event in events:
                r = httpx.post(server.url + "/v1/events", json=event, headers=headers, timeout=60)
                assert r.status_code == 200, r.text
            listed = httpx.get(server.url + "/v1/issues", params={"limit": 100}, headers=headers, timeout=60)
            server.issues[tenant] = listed.json()["items"]
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@contextmanager
def signed_in(server: Console, tenant: str, role: str) -> Iterator[httpx.Client]:
    """An httpx client holding a console session (cookies), as a browser would after signing in."""
    with httpx.Client(base_url=server.console, timeout=60) as client:
        form = client.get("/sign-in")
        token = CSRF.search(form.text)
        assert token, form.text
        r = client.post("/sign-in", data={"csrf": token.group(1), "key": server.keys[(tenant, role)], "next": ""})
        assert r.status_code == 303 and r.headers["location"].endswith("/console/issues"), r.text
        yield client


def csrf_of(page: httpx.Response) -> str:
    token = CSRF.search(page.text)
    assert token, page.text
    return token.group(1)


def browser_required() -> bool:
    return bool(os.environ.get("SYNCDOCTOR_REQUIRE_BROWSER"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright. Skipped only when it is absent and CI does not require it."""
    if not Path(CHROMIUM).exists():
        if browser_required():
            pytest.fail(f"SYNCDOCTOR_REQUIRE_BROWSER is set but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
