"""Validation cost: native vs durable, and validation vs merely parsing the same input."""

from __future__ import annotations

import time
from typing import Any

from syncdoctor import BatchState, Host

from ._common import cycle, example_entities


def run(n: int = 50_000, n_durable: int = 5_000) -> dict[str, Any]:
    host = Host.from_entry_points()
    raw = example_entities(host)
    records = list(cycle(raw, n))

    start = time.perf_counter()
    parsed = [host.parse_entity(r) for r in records]
    parse_s = time.perf_counter() - start

    start = time.perf_counter()
    for _ in host.validate_many(records):
        pass
    total_s = time.perf_counter() - start

    native = host.engine
    start = time.perf_counter()
    state = BatchState()
    for i, e in enumerate(parsed[:n_durable]):
        native.validate(e, i, {}, state)
    native_s = time.perf_counter() - start

    durable = host.make_engine("durable")
    start = time.perf_counter()
    state = BatchState()
    for i, e in enumerate(parsed[:n_durable]):
        durable.validate(e, i, {}, state)
    durable_s = time.perf_counter() - start
    return {
        "entities": n,
        "parse_only_us": round(parse_s / n * 1e6, 1),
        "parse_and_validate_us": round(total_s / n * 1e6, 1),
        "validate_over_parse": round((total_s - parse_s) / parse_s, 2),
        "total_over_parse": round(total_s / parse_s, 2),
        "native_us": round(native_s / n_durable * 1e6, 1),
        "durable_us": round(durable_s / n_durable * 1e6, 1),
        "native_speedup_vs_durable": round(durable_s / native_s, 1),
    }


if __name__ == "__main__":
    print(run())
