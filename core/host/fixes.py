"""Applying a plan's automatic patches to an entity until none is left (``Host.apply_fixes``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..engines.engine import Engine
from ..model.entities import EntityBase
from ..rules.catalog import Catalog
from ..rules.conditions.batch import BatchState
from ..rules.patches import apply_patch
from ..rules.remediation import render_plan

__all__ = ["apply_fixes"]


def apply_fixes(
    current: EntityBase,
    contexts: Mapping[str, Any],
    engine: Engine,
    catalog: Catalog,
    parse_entity: Callable[[Any], EntityBase],
    problem: str | None,
    max_rounds: int,
) -> tuple[EntityBase, list[dict[str, Any]]]:
    """Apply every automatic, unconfirmed patch, one finding at a time, re-validating after
    each; a patch that changes nothing does not count as progress, so this stops."""
    applied: list[dict[str, Any]] = []
    for _ in range(max_rounds):
        findings = engine.validate(current, current.id, contexts, BatchState())
        progress = False
        for finding in findings:
            if problem is not None and finding.problem != problem:
                continue
            cp = catalog.problems.get(finding.problem)
            if cp is None:
                continue
            plan = render_plan(cp.problem, finding.params, "en")
            for step in plan.steps:
                if step.automatic and step.patch and not step.confirm:
                    doc = current.model_dump(mode="json", exclude_none=True, by_alias=True)
                    patched = apply_patch(doc, step.patch)
                    if patched != doc:
                        current = parse_entity(patched)
                        applied.append({"problem": finding.problem, "path": finding.path, "patch": step.patch})
                        progress = True
            if progress:
                break
        if not progress:
            break
    return current, applied
