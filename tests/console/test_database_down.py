"""The console when the database fails: a page says the service is unavailable (503), and
signing out still makes the browser forget its session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("sqlalchemy")

from .inprocess import KEY, console_client, csrf, sign_in  # noqa: E402


@pytest.fixture
def client() -> Iterator[Any]:
    with console_client() as c:
        yield c


def test_sign_out_forgets_the_session_when_the_database_fails(client: Any, caplog: pytest.LogCaptureFixture) -> None:
    assert sign_in(client).status_code == 303 and "sd_session" in client.cookies
    token = csrf(client.get("/console/paste"))  # a signed-in page with a form
    client.keys.down = True  # every query fails: the key check, the sign-out list
    r = client.post("/console/sign-out", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/console/sign-in")
    assert 'sd_session=""' in r.headers["set-cookie"] or "Max-Age=0" in r.headers["set-cookie"]
    assert "could not be stored" in caplog.text and KEY not in caplog.text


def test_sign_out_still_needs_the_session_s_own_token(client: Any) -> None:
    assert sign_in(client).status_code == 303
    client.keys.down = True
    assert client.post("/console/sign-out", data={"csrf": "forged"}, follow_redirects=False).status_code == 403
    client.cookies.clear()
    assert client.post("/console/sign-out", data={"csrf": "x"}, follow_redirects=False).status_code == 403


def test_a_failing_database_is_an_unavailable_page(client: Any) -> None:
    assert sign_in(client).status_code == 303
    client.keys.down = True
    r = client.get("/console/paste", follow_redirects=False)
    assert r.status_code == 503 and "could not connect" not in r.text
