"""What any engine must spend on the rule-dense input: the floor under issue 19's targets.

The packs call the plugins' Python functions (``call:`` checks and params) and match RE2
patterns; an engine cannot decide these problems without that work, however it evaluates the
rest. This bench records every such call the native engine makes while validating the
rule-dense input (the example entities, as ``bench_validate`` uses them), replays the same
calls with the same arguments alone, and reports:

- ``floor_us``: the replayed calls per entity (plugin functions and RE2 searches), the part of
  the native engine's time that no engine written in any language saves while the plugins'
  functions stay Python;
- ``engine_own_us``: the native engine's time beyond that floor (reading fields, deciding,
  building findings and their messages);
- ``encode_us``: writing each entity's result as a JSON line with orjson, the least that
  ``validate --json`` adds after deciding;
- ``parse_us``: parsing an entity into its model (pydantic's Rust core), the bare cost the
  ``validate`` target is stated against (without reading the file).

From these it states what each missed target would require of the engine's own work.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from syncdoctor import BatchState, Host
from syncdoctor.rules import regex
from syncdoctor.rules.catalog import Catalog

from ._common import cycle, example_entities, timed, valid_traffic

_LOG: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
_RECORDING = [False]


def _recorder(fn: Callable[..., Any]) -> Callable[..., Any]:
    def recorded(*args: Any) -> Any:
        if _RECORDING[0]:
            _LOG.append((fn, args))
        return fn(*args)

    return recorded


def _install() -> Callable[[], None]:
    """Wraps every plugin function the packs call, and RE2 searches, before the host loads;
    returns what takes the wrappers off (for hosts made later)."""
    add_pack = Catalog.add_pack

    def add_recorded(self: Catalog, pack: Any, plugin: str, functions: Mapping[str, Callable[..., Any]], file: str) -> None:
        add_pack(self, pack, plugin, {name: _recorder(fn) for name, fn in functions.items()}, file)

    Catalog.add_pack = add_recorded  # type: ignore[method-assign]
    search = regex.RE2Pattern.search

    def search_recorded(self: regex.RE2Pattern, text: str) -> bool:
        if _RECORDING[0]:
            _LOG.append((search, (self, text)))
        return search(self, text)

    regex.RE2Pattern.search = search_recorded  # type: ignore[method-assign]

    def uninstall() -> None:
        Catalog.add_pack = add_pack  # type: ignore[method-assign]
        regex.RE2Pattern.search = search  # type: ignore[method-assign]

    return uninstall


def _replay(log: list[tuple[Callable[..., Any], tuple[Any, ...]]]) -> None:
    for fn, args in log:
        try:
            fn(*args)
        except Exception:  # noqa: BLE001, S110 - a check that raised raises again: the same work
            pass


def run(n: int = 5_000, repeat: int = 5) -> dict[str, Any]:
    uninstall = _install()
    try:
        recorded = Host.from_entry_points()
        rule_dense = list(cycle(example_entities(recorded), n))
        valid = list(cycle(valid_traffic(recorded), n))
        logs = [_record(recorded, rule_dense), _record(recorded, valid)]
    finally:
        uninstall()
    host = Host.from_entry_points()  # measured without the recorders
    return {"rule_dense": _measure(host, rule_dense, *logs[0], repeat),
            "valid_traffic": _measure(host, valid, *logs[1], repeat)}


def _record(recorded: Host, records: list[Any]) -> tuple[list[Any], list[Any]]:
    """The calls of one validation of the records, and its findings."""
    _LOG.clear()
    _RECORDING[0] = True
    state = BatchState()
    results = [recorded.engine.validate(recorded.parse_entity(r), i, {}, state) for i, r in enumerate(records)]
    _RECORDING[0] = False
    return list(_LOG), results


def _measure(host: Host, records: list[Any], log: list[Any], results: list[Any], repeat: int) -> dict[str, Any]:
    n = len(records)
    parsed = [host.parse_entity(r) for r in records]
    engine = host.engine

    def validate_all() -> None:  # streams, as bench_validate does: findings are not kept
        state = BatchState()
        for i, e in enumerate(parsed):
            engine.validate(e, i, {}, state)

    validate_all()  # programs and patterns compiled outside the measure
    lines = [{"entity": i, "findings": [f.model_dump(mode="json") for f in found]} for i, found in enumerate(results)]
    dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE

    def encode() -> None:
        for line in lines:
            dumps(line, option=newline)

    def parse() -> None:
        for r in records:
            host.parse_entity(r)

    native_s = timed(validate_all, repeat)
    floor_s = timed(lambda: _replay(log), repeat)
    encode_s = timed(encode, repeat)
    parse_s = timed(parse, repeat)
    us = 1e6 / n
    return {
        "entities": n,
        "calls_per_entity": round(len(log) / n, 1),
        "findings_per_entity": round(sum(len(r) for r in results) / n, 2),
        "native_us": round(native_s * us, 2),
        "floor_us": round(floor_s * us, 2),
        "engine_own_us": round((native_s - floor_s) * us, 2),
        "encode_us": round(encode_s * us, 2),
        "parse_us": round(parse_s * us, 2),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
