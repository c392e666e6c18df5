"""Failed sign-ins per address: after ten in five minutes, the address waits (429), the key
store is not even asked, and a good key works again once the window has passed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("sqlalchemy")

from syncdoctor.console.throttle import SignInAttempts  # noqa: E402

from .inprocess import console_client, sign_in  # noqa: E402

BAD = "sdk_abcdefghij_" + "w" * 43


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_counts_attempts_in_a_sliding_window() -> None:
    clock = Clock()
    limits = SignInAttempts(limit=3, window=60, clock=clock)
    for _ in range(3):
        assert limits.start("10.0.0.1") == 0
        clock.now += 10
    assert limits.start("10.0.0.1") == pytest.approx(30)  # the first attempt leaves the window in 30 s
    assert limits.start("10.0.0.2") == 0  # per address
    clock.now += 30
    assert limits.start("10.0.0.1") == 0


def test_a_good_key_takes_back_its_own_attempt_only() -> None:
    """Good keys between bad ones do not reset the count (9 bad, 1 good, 1 bad: blocked)."""
    limits = SignInAttempts(limit=10, window=60, clock=Clock())
    for _ in range(9):
        assert limits.start("10.0.0.1") == 0
    assert limits.start("10.0.0.1") == 0
    limits.succeeded("10.0.0.1")
    assert limits.start("10.0.0.1") == 0  # the tenth bad one
    assert limits.start("10.0.0.1") > 0


def test_ipv6_counts_per_64_and_memory_is_bounded() -> None:
    limits = SignInAttempts(limit=2, window=60, clock=Clock(), tracked=100)
    assert limits.start("2001:db8:1:2::1") == 0 and limits.start("2001:db8:1:2::ffff") == 0
    assert limits.start("2001:db8:1:2:aaaa::9") > 0  # the same /64
    assert limits.start("2001:db8:1:3::1") == 0
    for n in range(1000):
        limits.start(f"10.1.{n // 256}.{n % 256}")
    assert len(limits._attempts) == 100  # the least recently seen are forgotten


@pytest.fixture
def client() -> Iterator[Any]:
    with console_client() as c:
        yield c


def test_a_burst_of_bad_keys_is_answered_429_without_asking_the_key_store(client: Any,
                                                                            caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    client.app.routes[0].app.state.console.sign_ins = SignInAttempts(clock=clock)
    for _ in range(10):
        assert sign_in(client, BAD).status_code == 401
    asked = client.keys.authenticated
    blocked = sign_in(client)  # even the good key waits
    assert blocked.status_code == 429 and 0 < int(blocked.headers["Retry-After"]) <= 301
    assert "Too many failed sign-ins" in blocked.text and "sd_session" not in client.cookies
    assert client.keys.authenticated == asked
    assert caplog.text.count("failed sign-in from testclient") == 10 and BAD not in caplog.text
    clock.now += 301
    assert sign_in(client).status_code == 303
