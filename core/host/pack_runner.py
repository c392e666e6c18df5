"""The core's own plugin: answers the hooks from the compiled rule packs.

It is registered first and runs last (``trylast``), so a plugin's own implementation of a
hook is heard before the packs'. The host hands it what it needs, not itself: this module
stays below the host in the import graph.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..engines.engine import Engine
from ..model.entities import EntityBase
from ..model.plans import RemediationPlan
from ..model.reports import Diagnosis, ErrorReport, Finding
from ..rules.catalog import Catalog
from ..rules.conditions.batch import BatchState
from ..rules.remediation import render_plan
from .plugins import hookimpl

__all__ = ["PackRunner"]


class PackRunner:
    def __init__(
        self,
        engine: Callable[[], Engine],
        classify: Callable[[ErrorReport, str | None, str], list[Diagnosis]],
        catalog: Catalog,
    ) -> None:
        self._engine = engine  # the host's engine is built lazily and rebuilt when plugins change
        self._classify = classify
        self._catalog = catalog

    @hookimpl(trylast=True)
    def validate_entry(self, entity: EntityBase, context: Mapping[str, Any], batch: BatchState) -> list[Finding]:
        return self._engine().validate(entity, entity.id, context, batch)

    @hookimpl(trylast=True)
    def classify_error(self, report: ErrorReport, lang: str) -> list[Diagnosis]:
        return self._classify(report, None, lang)

    @hookimpl(trylast=True)
    def remediate(
        self, problem: str, params: Mapping[str, Any], entity: EntityBase | None, lang: str
    ) -> RemediationPlan | None:
        cp = self._catalog.problems.get(problem)
        if cp is None:
            return None
        return render_plan(cp.problem, params, lang)
