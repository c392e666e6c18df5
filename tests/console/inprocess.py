"""The console in process (Starlette's TestClient), over a key store stand-in: for what a real
server cannot easily be made to do (a database that fails, a burst of sign-ins)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy.exc import OperationalError
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from syncdoctor.console.app import console_app
from syncdoctor.ledger.keys import ApiKey
from syncdoctor.service.settings import Settings

KEY = "sdk_abcdefghij_" + "s" * 43


class Keys:
    """A key store knowing one read key of acme, whose database fails once ``down`` is set."""

    def __init__(self) -> None:
        self.down = False
        self.key = ApiKey("abcdefghij", "acme", "read", None, datetime.now(UTC))
        self.authenticated = 0

    def _check(self) -> None:
        if self.down:
            raise OperationalError("SELECT 1", {}, Exception("could not connect to server"))

    def authenticate(self, secret: str) -> ApiKey | None:
        self._check()
        self.authenticated += 1
        return self.key if secret == KEY else None

    def list(self, tenant: str) -> list[ApiKey]:
        self._check()
        return [self.key]

    def session_ended(self, nonce: str) -> bool:
        self._check()
        return False

    def end_session(self, nonce: str, key_id: str, expires_at: Any) -> None:
        self._check()


def console_client() -> Any:
    """A TestClient of the console mounted at /console; ``client.keys`` is its :class:`Keys`."""
    keys = Keys()
    parent = SimpleNamespace(state=SimpleNamespace(
        settings=Settings(console_secret="x" * 40, auth_cache_seconds=0), keys=keys, ledger=None,
        host=SimpleNamespace(plugins={}, catalog=SimpleNamespace(plugin_of_vendor={}))))
    client = TestClient(Starlette(routes=[Mount("/console", app=console_app(parent, "/console"))]))
    client.keys = keys  # type: ignore[attr-defined]
    return client


def csrf(page: Any) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def sign_in(client: Any, key: str = KEY) -> Any:
    return client.post("/console/sign-in", data={"csrf": csrf(client.get("/console/sign-in")), "key": key},
                       follow_redirects=False)
