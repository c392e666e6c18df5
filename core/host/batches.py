"""What a batch yields for each input, and what a bad input becomes (a finding or a
diagnosis naming the record and the field) so that the rest of the batch goes through."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..engines.engine import Engine
from ..errors import InputError
from ..model.entities import EntityBase
from ..model.reports import Diagnosis, ErrorReport, Finding
from ..rules.catalog import Catalog
from .loading import LoadedPlugin

__all__ = ["EntityResult", "invalid_input", "invalid_report", "is_parsed", "is_raw", "normalize"]

log = logging.getLogger("syncdoctor")


@dataclass(frozen=True)
class EntityResult:
    """The findings for one input entity, in input order. A ``core.invalid_input`` finding
    names the entity as the result does (its id, else its index: design section 8), never
    the index beside the id."""

    entity: str | int
    findings: list[Finding]
    parsed: EntityBase | None = None

    def __post_init__(self) -> None:
        findings = self.findings
        if findings and findings[0].problem == "core.invalid_input" and any(f.entity != self.entity for f in findings):
            object.__setattr__(self, "findings", [
                f.model_copy(update={"entity": self.entity}) if f.problem == "core.invalid_input" else f
                for f in findings])

    def to_json(self) -> dict[str, Any]:
        return {"entity": self.entity, "findings": [f.model_dump(mode="json") for f in self.findings]}


def is_parsed(context: Any, context_models: Mapping[str, type], plugins: Mapping[str, Any]) -> bool:
    """Whether a context document is already parsed (each part an instance of its plugin's model)."""
    if not isinstance(context, Mapping):
        return False
    return all(
        (name in context_models and isinstance(part, context_models[name]))
        or (name not in context_models and name in plugins)
        for name, part in context.items()
    )


def invalid_input(error: InputError, index: int) -> Finding:
    return Finding(
        problem="core.invalid_input",
        severity="error",
        entity=error.record if error.record is not None else index,
        path=error.field,
        message=str(error),
        params={"record": index, **({"field": error.field} if error.field else {})},
    )


def invalid_report(error: InputError, index: int, lang: str, catalog: Catalog, engine: Engine) -> Diagnosis:
    cp = catalog.problems["core.invalid_input"]
    diag = engine.diagnosis(cp, {"record": index, "field": error.field or "-"}, None, lang, index)
    return diag.model_copy(update={"causes": [str(error), *diag.causes]})


def is_raw(report: ErrorReport) -> bool:
    """Whether a report is for the plugins' normalizers by its shape: it carries a payload,
    or its message is itself JSON (a pasted response body). A message that matches a
    plugin's ``normalize_pattern`` is told by the catalog's pass over it."""
    if report.payload is not None:
        return True
    head = report.message[:1]
    if head and head.isspace():
        head = report.message.lstrip()[:1]
    return head == "{" or head == "["


def normalize(report: ErrorReport, owner: str | None, plugins: Mapping[str, LoadedPlugin]) -> list[ErrorReport]:
    """Let the owning plugin (else any that claims it) split or enrich a raw report."""
    candidates = [plugins[owner]] if owner is not None and owner in plugins else list(plugins.values())
    for loaded in candidates:
        normalizer = loaded.spec.normalize_report
        if normalizer is None:
            continue
        try:
            out = normalizer(report)
        except BaseException as exc:  # SystemExit from a plugin too: only Ctrl-C stops the host
            if isinstance(exc, KeyboardInterrupt):
                raise
            log.warning("plugin %s failed to normalise a report: %s", loaded.name, exc)
            continue
        if owner is not None or (out and out != [report]):
            return [r if r.vendor else r.model_copy(update={"vendor": loaded.name}) for r in out] or [report]
    return [report]
