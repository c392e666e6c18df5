"""Validation cost: native vs durable, and validation vs merely parsing the same input."""

from __future__ import annotations

from typing import Any

from syncdoctor import BatchState, Host

from ._common import cycle, example_entities, timed, valid_traffic


def parse_and_validate_times(host: Host, records: list[Any], repeat: int) -> tuple[float, float]:
    """Best times to parse the records only, and to parse and validate them."""

    def parse_only() -> None:
        # streams like validate_many (one model at a time): keeping 50,000 models in a list
        # would charge the garbage collector's passes to parsing and flatter the ratio
        for r in records:
            host.parse_entity(r)

    def parse_and_validate() -> None:
        for _ in host.validate_many(records):
            pass

    return timed(parse_only, repeat), timed(parse_and_validate, repeat)


def run(n: int = 50_000, n_durable: int = 5_000, repeat: int = 3) -> dict[str, Any]:
    """Median CPU time of ``repeat`` runs of each measure (durable's includes its worker's)."""
    host = Host.from_entry_points()
    raw = example_entities(host)
    records = list(cycle(raw, n))
    parsed = [host.parse_entity(r) for r in records[:n_durable]]

    def engine_only(engine: Any) -> None:
        state = BatchState()
        for i, e in enumerate(parsed):
            engine.validate(e, i, {}, state)

    parse_s, total_s = parse_and_validate_times(host, records, repeat)
    # the same ratio on what a healthy sync sends: entities that name their target and pass
    valid_parse_s, valid_total_s = parse_and_validate_times(host, list(cycle(valid_traffic(host), n)), repeat)
    native_s = timed(lambda: engine_only(host.engine), repeat)
    durable = host.make_engine("durable")
    durable_s = timed(lambda: engine_only(durable), repeat)
    durable.close()
    return {
        "entities": n,
        "parse_only_us": round(parse_s / n * 1e6, 1),
        "parse_and_validate_us": round(total_s / n * 1e6, 1),
        "validate_over_parse": round((total_s - parse_s) / parse_s, 2),
        "total_over_parse": round(total_s / parse_s, 2),
        "valid_traffic": {
            "parse_only_us": round(valid_parse_s / n * 1e6, 1),
            "parse_and_validate_us": round(valid_total_s / n * 1e6, 1),
            "validate_over_parse": round((valid_total_s - valid_parse_s) / valid_parse_s, 2),
        },
        "native_us": round(native_s / n_durable * 1e6, 1),
        "durable_us": round(durable_s / n_durable * 1e6, 1),
        "native_speedup_vs_durable": round(durable_s / native_s, 1),
    }


if __name__ == "__main__":
    print(run())
