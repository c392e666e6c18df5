"""Conformance checks that read the pack and run its examples (no fuzzing)."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError

from syncdoctor import ACTIONS, SYSTEMS, Host
from syncdoctor.engines.engine import Engine
from syncdoctor.errors import InputError, PatchError
from syncdoctor.host.examples import ExampleFailure, run_examples
from syncdoctor.model.text import Text
from syncdoctor.rules.catalog import CompiledProblem
from syncdoctor.rules.conditions.batch import BatchState
from syncdoctor.rules.remediation import render_plan
from syncdoctor.rules.schema import EntityExample, MessageExample, StepSpec

from ._failures import ConformanceFailure

__all__ = [
    "check_context_model",
    "check_examples",
    "check_examples_present",
    "check_patches",
    "check_texts",
    "check_vocabulary",
    "problems_of",
]

_GROUP = re.compile(r"\(\?P<([A-Za-z_][A-Za-z0-9_]*)>")


def problems_of(host: Host, plugin: str) -> list[CompiledProblem]:
    return [cp for cp in host.catalog.problems.values() if cp.plugin == plugin]


# ---------------------------------------------------------------- pack and context model


def check_context_model(model: type[BaseModel] | None) -> list[ConformanceFailure]:
    """A context model must build with no data at all: every field is optional."""
    if model is None:
        return []
    try:
        model.model_validate({})
    except ValidationError as exc:
        required = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        return [ConformanceFailure("pack", None, f"context model {model.__name__}",
                                   f"cannot be built from an empty context: {required} is required",
                                   "give every field of the context model a default (usually None): a user may "
                                   "not know a setting, and a rule whose data is missing simply does not fire")]
    try:
        model.model_json_schema()
    except Exception as exc:
        return [ConformanceFailure("pack", None, f"context model {model.__name__}",
                                   f"has no JSON Schema ({type(exc).__name__}: {exc})",
                                   "use JSON-compatible field types (str, Decimal, bool, lists, dicts, models)")]
    return []


# ---------------------------------------------------------------- examples


def check_examples_present(host: Host, plugin: str) -> list[ConformanceFailure]:
    out = []
    for cp in problems_of(host, plugin):
        ex = cp.problem.examples
        needed = []
        if cp.problem.match:
            needed += [("match", ex.match, "a message this problem's signatures must recognise"),
                       ("no_match", ex.no_match, "a similar message they must NOT recognise (e.g. another error "
                                                 "of the same vendor)")]
        if cp.problem.detect is not None:
            needed += [("flagged", ex.flagged, "an entity (and context) the detect condition must flag"),
                       ("clean", ex.clean, "a near-identical entity it must leave alone")]
        for key, given, what in needed:
            if not given:
                out.append(ConformanceFailure("examples-present", cp.id, None, f"has no `{key}` example",
                                              f"add under `examples: {key}:` {what}"))
    return out


def _hint(failure: ExampleFailure, engine: str) -> str:
    reason = failure.reason
    if engine == "durable":
        return ("the native engine passes this example but the durable engine does not: this is a bug in "
                "syncdoctor's durable engine, not in your pack; report it with this example")
    if "classified as" in reason:
        other = reason.rsplit("classified as ", 1)[-1]
        if other not in ("nothing", "unknown"):
            return (f"another problem ({other}) wins: make this problem's pattern match the example and be more "
                    "specific, or give its signature a higher `priority` (a pattern hit beats a code-only hit)")
        return ("the `match:` signatures do not recognise this example: fix the pattern (RE2, searched; try "
                "`syncdoctor classify --vendor ... 'MESSAGE'`), its codes/http_status, or the example")
    if "must not match" in reason:
        return "the signature is too broad: anchor or narrow the pattern so that this message is not recognised"
    if reason.startswith("param "):
        return "the named group (pattern) or the detect `params:` entry does not yield the value the example expects"
    if "should be flagged" in reason:
        return ("the detect condition does not hold on this example: check `kinds`, `for_each`, the paths and "
                "operators, and the example's context (a missing value never fires)")
    if "should be clean" in reason:
        return "the detect condition is too broad: it flags an entity the example says is fine"
    if "example itself is invalid" in reason:
        return "fix the example so that it parses (its kind, field types, and this plugin's context model)"
    if "patch" in reason:
        return "make the automatic patch set what the detect condition checks, with a value that passes it"
    return "make the problem's rules and its example agree"


def check_examples(host: Host, plugin: str, engine: Engine, check: str) -> list[ConformanceFailure]:
    """Every example of every problem, on one engine (``syncdoctor.host.examples.run_examples``).

    On the durable engine, an example that also fails on the native one gets the same hint
    (the pack is wrong); one that fails only there points at the engine.
    """
    native = set()
    if engine is not host.engine:
        native = {(f.problem, f.example) for f in run_examples(host, plugin, host.engine)}
    return [ConformanceFailure(check, f.problem, f.example, f.reason,
                               _hint(f, "native" if (f.problem, f.example) in native else engine.name))
            for f in run_examples(host, plugin, engine)]


# ---------------------------------------------------------------- texts


def _texts(cp: CompiledProblem) -> Iterator[tuple[str, Text]]:
    p = cp.problem
    yield "title", p.title
    if p.message is not None:
        yield "message", p.message
    for i, cause in enumerate(p.causes):
        yield f"causes[{i}]", cause
    for i, step in enumerate(p.remediation.steps):
        yield f"remediation.steps[{i}].instructions", step.instructions
    for a, alt in enumerate(p.remediation.alternatives):
        yield f"remediation.alternatives[{a}].title", alt.title
        for i, step in enumerate(alt.steps):
            yield f"remediation.alternatives[{a}].steps[{i}].instructions", step.instructions


def _placeholders(template: str) -> set[str]:
    names = set()
    try:
        for _, name, _, _ in string.Formatter().parse(template):
            if name:
                names.add(re.split(r"[.\[]", name, maxsplit=1)[0])
    except ValueError:
        names.add("<unbalanced braces>")
    return names


def _segment_error(template: str) -> str | None:
    """What is wrong with a text's ``[[ ... ]]`` optional segments, if anything: a bracket left
    open or closed twice, or a segment inside another (the renderer does not nest them)."""
    depth = 0
    for token in re.findall(r"\[\[|\]\]", template):
        depth += 1 if token == "[[" else -1
        if depth > 1:
            return "a segment inside another"
        if depth < 0:
            return "a ]] without its [["
    return "a [[ left open" if depth else None


def _known_params(host: Host, cp: CompiledProblem) -> set[str]:
    """Every param name a problem can be given: pattern groups, signature and detect params,
    the implicit ones, and what its examples actually produce (plugins may add params)."""
    known: set[str] = set()
    for sig in cp.problem.match:
        known.update(_GROUP.findall(sig.pattern or ""))
        known.update(sig.params)
    detect = cp.problem.detect
    if detect is not None:
        known.update(detect.params)
        known.update({"pointer", "index"} if detect.for_each else {"pointer"})
        known.add("first")
    ex = cp.problem.examples
    for example in ex.match:
        if isinstance(example, MessageExample):
            known.update(example.params)
            message, vendor = example.message, example.vendor or cp.plugin
            report: Any = {"vendor": vendor, "message": message, "code": example.code,
                           "http_status": example.http_status, "payload": example.payload}
        else:
            report = {"vendor": cp.plugin, "message": example}
        try:
            for diag in host.classify(report):
                if diag.problem == cp.id:
                    known.update(diag.params)
        except Exception:  # reported by the fuzz checks
            pass
    for flagged in ex.flagged:
        known.update(flagged.params)
    return known


def check_texts(host: Host, plugin: str) -> list[ConformanceFailure]:
    out = []
    for cp in problems_of(host, plugin):
        known = _known_params(host, cp)
        for where, text in _texts(cp):
            for lang in ("en", "fr"):
                if not text.get(lang).strip():
                    out.append(ConformanceFailure("texts", cp.id, where, f"the {lang} text is empty",
                                                  f"write `{where}.{lang}`: every sentence a user reads exists in "
                                                  "English and French"))
            for lang in ("en", "fr"):
                problem = _segment_error(text.get(lang))
                if problem:
                    out.append(ConformanceFailure(
                        "texts", cp.id, where, f"the {lang} text's optional segments are malformed: {problem}",
                        "write each optional part as one `[[ ... {param} ... ]]`, closed, not nested in another"))
            en, fr = _placeholders(text.en), _placeholders(text.fr)
            if en != fr:
                out.append(ConformanceFailure(
                    "texts", cp.id, where,
                    f"placeholders differ between en {sorted(en)} and fr {sorted(fr)}",
                    "use the same {param} names in both languages (a translation lost or renamed one)"))
            for name in sorted((en | fr) - known):
                out.append(ConformanceFailure(
                    "texts", cp.id, where, f"{{{name}}} is never filled: no pattern group, detect param or example "
                    "provides it, so users would read '…'",
                    f"fix the placeholder's spelling, or provide `{name}`: a named group (?P<{name}>...), a detect "
                    "`params:` entry, or (when your plugin extracts it from a payload) a `match` example with that "
                    f"payload and `params: {{{name}: ...}}`"))
    return out


# ---------------------------------------------------------------- vocabulary


def _steps(cp: CompiledProblem) -> Iterator[tuple[str, StepSpec]]:
    for i, step in enumerate(cp.problem.remediation.steps):
        yield f"remediation.steps[{i}]", step
    for a, alt in enumerate(cp.problem.remediation.alternatives):
        for i, step in enumerate(alt.steps):
            yield f"remediation.alternatives[{a}].steps[{i}]", step


def _example_params(cp: CompiledProblem) -> dict[str, Any]:
    ex = cp.problem.examples
    for example in [*ex.flagged, *ex.match]:
        if isinstance(example, (EntityExample, MessageExample)) and example.params:
            return dict(example.params)
    return {}


def check_vocabulary(host: Host, plugin: str) -> list[ConformanceFailure]:
    """Every step uses the core's actions and systems, as written and as the host renders it
    (a plugin's own ``remediate`` hook included)."""
    out = []
    systems = host.systems()
    fix = ("use an action from syncdoctor.ACTIONS (" + ", ".join(ACTIONS) + ") and a system from syncdoctor.SYSTEMS ("
           + ", ".join(SYSTEMS) + ") or one the plugin declares in PluginSpec.systems; actions are a closed "
           "vocabulary: ask for a new word in the core")
    for cp in problems_of(host, plugin):
        for where, step in _steps(cp):
            if step.action not in ACTIONS or step.system not in systems:
                out.append(ConformanceFailure("vocabulary", cp.id, where,
                                              f"action {step.action!r} / system {step.system!r} is not in the vocabulary",
                                              fix))
            if step.patch and step.action != "fix_entity":
                out.append(ConformanceFailure("vocabulary", cp.id, where, "a patch on a step that is not fix_entity",
                                              "only `action: fix_entity` steps may carry a patch"))
        for lang in ("en", "fr"):
            try:
                plans = host.remediate(cp.id, _example_params(cp), lang=lang)
            except Exception as exc:
                out.append(ConformanceFailure("vocabulary", cp.id, f"remediate ({lang})",
                                              f"host.remediate raised {type(exc).__name__}: {exc}",
                                              "the remediate hook must return a plan (or None) for every problem"))
                continue
            for plan in plans:
                for step in [*plan.steps, *(s for alt in plan.alternatives for s in alt.steps)]:
                    if step.action not in ACTIONS or step.system not in systems:
                        out.append(ConformanceFailure("vocabulary", cp.id, f"rendered plan ({lang})",
                                                      f"step {step.action!r} in {step.system!r}", fix))
                if not plan.steps and not plan.alternatives:
                    out.append(ConformanceFailure("vocabulary", cp.id, f"rendered plan ({lang})", "the plan is empty",
                                                  "a remediation has steps or alternatives"))
    return out


# ---------------------------------------------------------------- patches


def automatic_patch(cp: CompiledProblem, params: dict[str, Any]) -> bool:
    plan = render_plan(cp.problem, params, "en")
    return any(s.automatic and s.patch and not s.confirm for s in plan.steps)


def _has_automatic_patch(cp: CompiledProblem) -> bool:
    return any(s.automatic and s.patch and not s.confirm for s in cp.problem.remediation.steps)


def patch_failure(host: Host, cp: CompiledProblem, entity: Any, contexts: dict[str, Any],
                  label: str, check: str) -> ConformanceFailure | None:
    """Apply a problem's automatic patch to an entity it flags: the problem must go, and a
    second application must change nothing."""
    try:
        fixed, applied = host.apply_fixes(entity, contexts, problem=cp.id)
    except (PatchError, InputError) as exc:
        return ConformanceFailure(check, cp.id, label, f"the automatic patch cannot be applied: {exc}",
                                  "make the patch's paths exist on every entity the problem flags (`add` creates a "
                                  "field, `replace` needs it to exist), or mark the step `automatic: false`")
    still = [f for f in host.engine.validate(fixed, fixed.id, contexts, BatchState()) if f.problem == cp.id]
    if not applied or still:
        at = (still[0].path if still else None) or "the same place"
        what = "changes nothing" if not applied else "leaves the problem in place"
        return ConformanceFailure(
            check, cp.id, label, f"the automatic patch {what}: after it, {cp.id} is still found at {at}",
            "make the patch set the very field the detect condition checks, to a value that passes it "
            "(e.g. `{pointer}/field` with the fixed value); a patch that cannot always fix must not be automatic")
    again, applied_again = host.apply_fixes(fixed, contexts, problem=cp.id)
    if applied_again or again != fixed:
        return ConformanceFailure(check, cp.id, label, "applying the automatic patch a second time changed the entity again",
                                  "make the patch idempotent: `replace`/`add` a field with a value rather than "
                                  "appending to a list with `/-`")
    return None


def check_patches(host: Host, plugin: str) -> list[ConformanceFailure]:
    out = []
    for cp in problems_of(host, plugin):
        if cp.problem.detect is None or not _has_automatic_patch(cp):
            continue
        tested = 0
        for i, example in enumerate(cp.problem.examples.flagged):
            if example.batch:
                continue  # a correlation: the patch is checked on single entities
            label = f"flagged #{i + 1}"
            try:
                contexts = host.parse_context({plugin: example.context}) if example.context is not None else {}
                entity = host.parse_entity(example.entity)
            except Exception:
                continue  # reported by the examples check
            findings = [f for f in host.engine.validate(entity, entity.id, contexts, BatchState()) if f.problem == cp.id]
            if not findings or not any(automatic_patch(cp, f.params) for f in findings):
                continue
            tested += 1
            failure = patch_failure(host, cp, example.entity, contexts, label, "patches")
            if failure is not None:
                out.append(failure)
        if not tested:
            out.append(ConformanceFailure(
                "patches", cp.id, None,
                "has an automatic patch, but no flagged example (without `batch`) gives it the params it needs, "
                "so the patch is never tested",
                "add a flagged example whose entity and context provide every {placeholder} of the patch"))
    return out
