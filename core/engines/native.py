"""The native engine: conditions as generated programs (``program.py``), one RE2 set pass
for all message patterns. The default, and the reference the durable engine is compared to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from typing import Any

from ..model.entities import EntityBase
from ..model.reports import ErrorReport
from ..rules.catalog import Catalog, CompiledSignature, normalize_code
from ..rules.conditions.batch import BatchState
from ..rules.conditions.calls import PluginCallError
from .engine import Engine, Subject
from .program import Fired, Program, compile_program

__all__ = ["NativeEngine"]


class NativeEngine(Engine):
    """Conditions as generated "does it fire" functions (``rules/conditions/decide.py``); one RE2 set pass for
    all message patterns."""

    name = "native"

    def __init__(self, catalog: Catalog) -> None:
        super().__init__(catalog)
        self._programs: dict[tuple[Any, ...], Program] = {}
        # Catalog.scan chooses in one pass what candidates -> accept -> best choose; bound
        # directly, it costs no engine call per message
        self.scan = catalog.scan  # type: ignore[method-assign]

    def fired(
        self,
        entity: EntityBase,
        contexts: Mapping[str, Any],
        state: BatchState,
        plugins: frozenset[str] | None = None,
        only: str | None = None,
    ) -> list[Fired]:
        """What :meth:`Engine.fired` answers, from one generated program per entity kind,
        class and filter (``engines/program.py``): no subject list, no scope unless one is needed."""
        travel = self._travel(entity) if entity.source or entity.target else None
        key = (entity.kind, type(entity), only, plugins, travel, len(self.catalog.problems))
        program = self._programs.get(key)
        if program is None:
            chosen = self._problems_for(entity.kind, only, plugins, travel)
            try:
                program = compile_program(type(entity), chosen, entity.kind)
            except (SyntaxError, RecursionError, MemoryError):  # nested deeper than Python's parser goes
                program = self._shared_route(plugins, only)
            if len(self._programs) >= 4096:  # bounded, whatever the input
                self._programs.clear()
            self._programs[key] = program
        return program(entity, contexts, state)

    def _shared_route(self, plugins: frozenset[str] | None, only: str | None) -> Program:
        def shared(entity: Any, contexts: Any, state: BatchState) -> list[Fired]:
            return Engine.fired(self, entity, contexts, state, plugins, only)

        return shared

    def decide(self, subjects: Sequence[Subject]) -> list[bool | BaseException]:
        out: list[bool | BaseException] = []
        for cp, _, scope in subjects:
            try:
                out.append(cp.fires(scope))  # type: ignore[misc]  # subjects all have a condition
            except PluginCallError as exc:
                out.append(exc)
        return out

    def accept(
        self, report: ErrorReport, candidates: Sequence[CompiledSignature], hit: Set[int]
    ) -> list[CompiledSignature]:
        holds = self.catalog.holds
        code = normalize_code(report.code)
        return [s for s in candidates if holds(s, code, report.http_status, hit)]
