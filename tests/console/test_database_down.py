"""The console when the database fails: a page says the service is unavailable (503), and
signing out still makes the browser forget its session."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

pytest.importorskip("sqlalchemy")

from sqlalchemy.exc import OperationalError  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.routing import Mount  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from syncdoctor.console.app import console_app  # noqa: E402
from syncdoctor.ledger.keys import ApiKey  # noqa: E402
from syncdoctor.service.settings import Settings  # noqa: E402

KEY = "sdk_abcdefghij_" + "s" * 43


class Keys:
    """A key store whose database fails once ``down`` is set."""

    def __init__(self) -> None:
        self.down = False
        self.key = ApiKey("abcdefghij", "acme", "read", None, __import__("datetime").datetime.now())

    def _check(self) -> None:
        if self.down:
            raise OperationalError("SELECT 1", {}, Exception("could not connect to server"))

    def authenticate(self, secret: str) -> ApiKey | None:
        self._check()
        return self.key if secret == KEY else None

    def list(self, tenant: str) -> list[ApiKey]:
        self._check()
        return [self.key]

    def session_ended(self, nonce: str) -> bool:
        self._check()
        return False

    def end_session(self, nonce: str, key_id: str, expires_at: Any) -> None:
        raise OperationalError("INSERT", {}, Exception("could not connect to server"))


@pytest.fixture
def client() -> Any:
    keys = Keys()
    parent = SimpleNamespace(state=SimpleNamespace(
        settings=Settings(console_secret="x" * 40, auth_cache_seconds=0), keys=keys, ledger=None,
        host=SimpleNamespace(plugins={})))
    app = Starlette(routes=[Mount("/console", app=console_app(parent, "/console"))])
    with TestClient(app) as c:
        c.keys = keys
        yield c


def _csrf(page: Any) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def test_sign_out_forgets_the_session_when_the_database_fails(client: Any, caplog: pytest.LogCaptureFixture) -> None:
    r = client.post("/console/sign-in", data={"csrf": _csrf(client.get("/console/sign-in")), "key": KEY},
                    follow_redirects=False)
    assert r.status_code == 303 and "sd_session" in client.cookies
    token = _csrf(client.get("/console/paste"))  # a signed-in page with a form
    r = client.post("/console/sign-out", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/console/sign-in")
    assert 'sd_session=""' in r.headers["set-cookie"] or "Max-Age=0" in r.headers["set-cookie"]
    assert "could not be stored" in caplog.text and KEY not in caplog.text


def test_a_failing_database_is_an_unavailable_page(client: Any) -> None:
    r = client.post("/console/sign-in", data={"csrf": _csrf(client.get("/console/sign-in")), "key": KEY},
                    follow_redirects=False)
    assert r.status_code == 303
    client.keys.down = True
    r = client.get("/console/paste", follow_redirects=False)
    assert r.status_code == 503 and "could not connect" not in r.text
