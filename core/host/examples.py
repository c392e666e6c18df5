"""Runs the examples every problem carries: the rule tests that are data.

Used by ``syncdoctor rules lint``, by the conformance suite of ``syncdoctor.testing`` and
by the project's own tests, on both engines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..engines.engine import Engine
from ..errors import InputError, PatchError
from ..model.reports import ErrorReport
from ..rules.conditions.batch import BatchState
from ..rules.remediation import render_plan
from ..rules.schema import EntityExample, MessageExample
from .host import Host

__all__ = ["ExampleFailure", "run_examples"]


@dataclass(frozen=True)
class ExampleFailure:
    problem: str
    example: str
    reason: str

    def __str__(self) -> str:
        return f"{self.problem} [{self.example}]: {self.reason}"


def _same(expected: Any, got: Any) -> bool:
    return str(expected) == str(got)


def _report(example: str | MessageExample, plugin: str) -> tuple[ErrorReport, dict[str, Any]]:
    if isinstance(example, str):
        return ErrorReport(vendor=plugin, message=example), {}
    return (
        ErrorReport(
            vendor=example.vendor or plugin,
            message=example.message,
            code=example.code,
            http_status=example.http_status,
            payload=example.payload,
        ),
        example.params,
    )


def run_examples(host: Host, plugin: str | None = None, engine: Engine | None = None) -> list[ExampleFailure]:
    """Every example of every problem (of one plugin) against one engine; returns failures."""
    engine = engine or host.engine
    failures: list[ExampleFailure] = []
    for cp in host.catalog.problems.values():
        if cp.plugin == "core" or (plugin is not None and cp.plugin != plugin):
            continue
        ex = cp.problem.examples
        pid = cp.id
        for i, example in enumerate(ex.match):
            report, params = _report(example, cp.plugin)
            diags = host._classify_packs(report, None, "en", engine=engine)
            hit = [d for d in diags if d.problem == pid]
            if not hit:
                got = ", ".join(d.problem for d in diags) or "nothing"
                failures.append(ExampleFailure(pid, f"match #{i + 1}", f"{report.message[:80]!r} classified as {got}"))
                continue
            for key, value in params.items():
                if not _same(value, hit[0].params.get(key)):
                    failures.append(ExampleFailure(pid, f"match #{i + 1}",
                                                   f"param {key} is {hit[0].params.get(key)!r}, expected {value!r}"))
        for i, example in enumerate(ex.no_match):
            report, _ = _report(example, cp.plugin)
            diags = host._classify_packs(report, None, "en", engine=engine)
            if any(d.problem == pid for d in diags):
                failures.append(ExampleFailure(pid, f"no_match #{i + 1}", f"{report.message[:80]!r} must not match"))
        for label, entities, want in (("flagged", ex.flagged, True), ("clean", ex.clean, False)):
            for i, entity_example in enumerate(entities):
                failures.extend(_entity_example(host, engine, cp.plugin, pid, f"{label} #{i + 1}", entity_example, want))
    return failures


def _entity_example(
    host: Host, engine: Engine, plugin: str, pid: str, name: str, example: EntityExample, want: bool
) -> list[ExampleFailure]:
    try:
        contexts = host.parse_context({plugin: example.context}) if example.context is not None else {}
        state = BatchState()
        for j, before in enumerate(example.batch):
            earlier = host.parse_entity(before, j)
            engine.validate(earlier, earlier.id if earlier.id is not None else j, contexts, state,
                            plugins=frozenset({plugin}))
        entity = host.parse_entity(example.entity, len(example.batch))
    except InputError as exc:
        return [ExampleFailure(pid, name, f"the example itself is invalid: {exc}")]
    ref = entity.id if entity.id is not None else len(example.batch)
    findings = [f for f in engine.validate(entity, ref, contexts, state, plugins=frozenset({plugin})) if f.problem == pid]
    errors = [f for f in engine.validate(entity, ref, contexts, BatchState(), plugins=frozenset({plugin}))
              if f.problem == "core.plugin_error"]
    if errors:
        return [ExampleFailure(pid, name, errors[0].message)]
    if bool(findings) != want:
        verb = "should be flagged but is not" if want else f"should be clean but is flagged at {findings[0].path}"
        return [ExampleFailure(pid, name, verb)]
    out = []
    if want:
        for key, value in example.params.items():
            if not any(_same(value, f.params.get(key)) for f in findings):
                got = [f.params.get(key) for f in findings]
                out.append(ExampleFailure(pid, name, f"param {key} is {got!r}, expected {value!r}"))
        out.extend(_patch_check(host, pid, name, example, contexts))
    return out


def _patch_check(host: Host, pid: str, name: str, example: EntityExample, contexts: Any) -> list[ExampleFailure]:
    """An automatic patch must make its problem disappear, and applying it twice changes nothing."""
    cp = host.catalog.problems[pid]
    if not any(s.automatic and s.patch for s in cp.problem.remediation.steps) or example.batch:
        return []
    try:
        fixed, applied = host.apply_fixes(example.entity, contexts, problem=pid)
    except (PatchError, InputError) as exc:
        return [ExampleFailure(pid, name, f"the automatic patch cannot be applied: {exc}")]
    if not applied:
        entity = host.parse_entity(example.entity)
        offered = [
            step
            for params in host.engine.hits(entity, contexts, pid)
            for step in render_plan(cp.problem, params, "en").steps
            if step.automatic and step.patch and not step.confirm
        ]
        if offered:
            return [ExampleFailure(pid, name, f"the automatic patch {offered[0].patch} changes nothing in the entity")]
        return []
    still = [f for f in host.engine.validate(fixed, fixed.id, contexts, BatchState()) if f.problem == pid]
    if still:
        return [ExampleFailure(pid, name, f"after the automatic patch the problem is still found at {still[0].path}")]
    again, applied_again = host.apply_fixes(fixed, contexts, problem=pid)
    if applied_again or again != fixed:
        return [ExampleFailure(pid, name, "applying the automatic patch twice changed the entity again")]
    return []
