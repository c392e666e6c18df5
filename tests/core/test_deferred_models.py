"""Entity models are built on first use (issue 19: a command that validates nothing does not
build them); the first build is made under a lock, for the service's threads."""

from __future__ import annotations

from typing import Any

import pytest


def test_an_entity_model_first_used_by_many_threads_validates_as_itself() -> None:
    """Entity models are built on first use (defer_build); the first build is made under a
    lock, so threads racing to it all get the model's own validation."""
    import threading
    from decimal import Decimal

    from syncdoctor import EntityBase
    from syncdoctor.errors import InputError
    from syncdoctor.model.parsing import parse_entity

    class Tip(EntityBase):
        amount: Decimal
        waiter: str

    assert not Tip.__pydantic_complete__
    start = threading.Barrier(6)
    got: list[Any] = []

    def use() -> None:
        start.wait()
        try:
            got.append(parse_entity({"tip": Tip}, {"kind": "tip", "amount": "1.50", "waiter": "Ana"}))
        except InputError as exc:  # pragma: no cover - what the lock prevents
            got.append(exc)

    threads = [threading.Thread(target=use) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(type(t) is Tip and t.amount == Decimal("1.50") for t in got) and len(got) == 6
    with pytest.raises(InputError, match="waiter"):
        parse_entity({"tip": Tip}, {"kind": "tip", "amount": "1.50"})
