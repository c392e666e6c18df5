"""What correlation rules (``repeated``) remember across the entities of one batch."""

from __future__ import annotations

from typing import Any

from ..paths import MISSING, Path, Scope

__all__ = ["BatchState", "count_repeats", "first_seen"]


class BatchState:
    """What correlation rules remember across the entities of one batch.

    One instance per batch (never shared between threads). Memory grows with the number of
    distinct correlation keys seen, not with the number of entities.
    """

    __slots__ = ("counters", "position", "entity_ref")

    def __init__(self) -> None:
        self.counters: dict[tuple[str, int], dict[tuple[Any, ...], list[Any]]] = {}
        self.position = 0
        self.entity_ref: str | int | None = None


def count_repeats(problem_id: str, repeats: list[tuple[list[Path], int]], scope: Scope, state: BatchState) -> list[Any]:
    """Record this subject's correlation keys; returns per slot the occurrence count (or None)."""
    out: list[Any] = []
    counters = state.counters
    for slot, (paths, _) in enumerate(repeats):
        parts = []
        for path in paths:
            part = path.resolve(scope)
            if part is MISSING:
                break
            parts.append(str(part))
        else:
            key = tuple(parts)
            table = counters.get((problem_id, slot))
            if table is None:
                table = counters[(problem_id, slot)] = {}
            entry = table.get(key)
            if entry is None:
                table[key] = [1, state.entity_ref]
                out.append(1)
            else:
                entry[0] += 1
                out.append(entry[0])
            continue
        out.append(None)  # a key part is missing: not counted
    return out


def first_seen(problem_id: str, repeats: list[tuple[list[Path], int]], scope: Scope, state: BatchState) -> Any:
    for slot, (paths, _) in enumerate(repeats):
        key = tuple(str(p.resolve(scope)) for p in paths)
        entry = state.counters.get((problem_id, slot), {}).get(key)
        if entry is not None:
            return entry[1]
    return None
