"""Rendering remediation plans for a language and parameters, and applying JSON Patches."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ._exceptions import PatchError
from ._models import RemediationPlan, Step
from ._schema import PatchOp, Problem, StepSpec
from ._text import render

__all__ = ["apply_patch", "render_plan", "render_step"]

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _fill(value: Any, params: Mapping[str, Any]) -> Any:
    """Fill placeholders; a whole-string placeholder keeps the param's type. Raises KeyError."""
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole:
            return params[whole.group(1)]
        for name in _PLACEHOLDER.findall(value):
            if name not in params:
                raise KeyError(name)
        return render(value, params)
    if isinstance(value, list):
        return [_fill(v, params) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, params) for k, v in value.items()}
    return value


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    return value


def _render_patch(ops: list[PatchOp], params: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    out = []
    try:
        for op in ops:
            item: dict[str, Any] = {"op": op.op, "path": _fill(op.path, params)}
            if op.op in ("add", "replace", "test"):
                item["value"] = _json_value(_fill(op.value, params))
            if op.from_ is not None:
                item["from"] = _fill(op.from_, params)
            out.append(item)
    except KeyError:
        return None  # a value the patch needs is unknown: a person must do this step
    return out


def render_step(spec: StepSpec, params: Mapping[str, Any], lang: str) -> Step:
    patch = _render_patch(list(spec.patch), params) if spec.patch else None
    automatic = spec.automatic and (patch is not None or not spec.patch)
    return Step(
        action=spec.action,
        system=spec.system,
        automatic=automatic,
        instructions=spec.instructions.render(lang, params),
        patch=patch,
        confirm=spec.confirm,
        role=spec.role,
    )


def render_plan(problem: Problem, params: Mapping[str, Any], lang: str, problem_id: str | None = None) -> RemediationPlan:
    pid = problem_id or problem.id
    rem = problem.remediation
    return RemediationPlan(
        problem=pid,
        title=problem.title.render(lang, params),
        steps=[render_step(s, params, lang) for s in rem.steps],
        alternatives=[
            RemediationPlan(
                problem=pid,
                title=alt.title.render(lang, params),
                steps=[render_step(s, params, lang) for s in alt.steps],
            )
            for alt in rem.alternatives
        ],
    )


# ---------------------------------------------------------------- RFC 6902


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f"JSON pointer {pointer!r} must start with '/'")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _parent(doc: Any, pointer: str) -> tuple[Any, str]:
    tokens = _tokens(pointer)
    if not tokens:
        raise PatchError("the whole document cannot be the target of this operation")
    node = doc
    for tok in tokens[:-1]:
        if isinstance(node, list):
            try:
                node = node[int(tok)]
            except (ValueError, IndexError):
                raise PatchError(f"{pointer}: no item {tok}") from None
        elif isinstance(node, dict):
            if tok not in node:
                raise PatchError(f"{pointer}: no field {tok}")
            node = node[tok]
        else:
            raise PatchError(f"{pointer}: {tok} is inside a value that has no fields")
    return node, tokens[-1]


def _get(doc: Any, pointer: str) -> Any:
    node = doc
    for tok in _tokens(pointer):
        if isinstance(node, list):
            try:
                node = node[int(tok)]
            except (ValueError, IndexError):
                raise PatchError(f"{pointer}: no item {tok}") from None
        elif isinstance(node, dict) and tok in node:
            node = node[tok]
        else:
            raise PatchError(f"{pointer}: no field {tok}")
    return node


def _add(doc: Any, pointer: str, value: Any) -> None:
    parent, key = _parent(doc, pointer)
    if isinstance(parent, list):
        if key == "-":
            parent.append(value)
            return
        try:
            idx = int(key)
        except ValueError:
            raise PatchError(f"{pointer}: {key} is not a list index") from None
        if not 0 <= idx <= len(parent):
            raise PatchError(f"{pointer}: index {idx} is out of range")
        parent.insert(idx, value)
    elif isinstance(parent, dict):
        parent[key] = value
    else:
        raise PatchError(f"{pointer}: the parent has no fields")


def _remove(doc: Any, pointer: str) -> Any:
    parent, key = _parent(doc, pointer)
    try:
        if isinstance(parent, list):
            return parent.pop(int(key))
        return parent.pop(key)
    except (KeyError, IndexError, ValueError):
        raise PatchError(f"{pointer}: nothing to remove") from None


def apply_patch(document: Any, ops: list[dict[str, Any]]) -> Any:
    """Apply an RFC 6902 patch to a copy of ``document``; the input is never modified."""
    doc = copy.deepcopy(document)
    for op in ops:
        kind, path = op.get("op"), op.get("path", "")
        if kind == "add":
            _add(doc, path, copy.deepcopy(op.get("value")))
        elif kind == "remove":
            _remove(doc, path)
        elif kind == "replace":
            _get(doc, path)
            parent, key = _parent(doc, path)
            if isinstance(parent, list):
                parent[int(key)] = copy.deepcopy(op.get("value"))
            else:
                parent[key] = copy.deepcopy(op.get("value"))
        elif kind == "move":
            value = _remove(doc, op["from"])
            _add(doc, path, value)
        elif kind == "copy":
            _add(doc, path, copy.deepcopy(_get(doc, op["from"])))
        elif kind == "test":
            if _get(doc, path) != op.get("value"):
                raise PatchError(f"{path}: test failed")
        else:
            raise PatchError(f"unknown patch operation {kind!r}")
    return doc


class CompiledPlan:
    """A problem's texts and plan for one language, prepared once so that rendering a
    diagnosis costs a few ``str.format_map`` calls (classification's hot path)."""

    __slots__ = ("problem", "lang", "title", "causes", "steps", "alternatives")

    def __init__(self, problem: Problem, lang: str) -> None:
        self.problem = problem
        self.lang = lang
        self.title = problem.title.get(lang)
        self.causes = [c.get(lang) for c in problem.causes]
        self.steps = [self._step(s) for s in problem.remediation.steps]
        self.alternatives = [(alt.title.get(lang), [self._step(s) for s in alt.steps])
                             for alt in problem.remediation.alternatives]

    def _step(self, spec: StepSpec) -> tuple[dict[str, Any], str | None, list[PatchOp] | None]:
        base: dict[str, Any] = {"action": spec.action, "system": spec.system, "automatic": spec.automatic,
                                "instructions": spec.instructions.get(self.lang), "confirm": spec.confirm}
        if spec.role:
            base["role"] = spec.role
        template = base["instructions"] if "{" in base["instructions"] else None
        return base, template, list(spec.patch) if spec.patch else None

    @staticmethod
    def _render_step(step: tuple[dict[str, Any], str | None, list[PatchOp] | None],
                     params: Mapping[str, Any]) -> dict[str, Any]:
        base, template, patch_ops = step
        out = dict(base)
        if template is not None:
            out["instructions"] = render(template, params)
        if patch_ops:
            patch = _render_patch(patch_ops, params)
            if patch is None:
                out["automatic"] = False
            else:
                out["patch"] = patch
        return out

    def remediation(self, params: Mapping[str, Any]) -> dict[str, Any]:
        render_step = self._render_step
        steps = [render_step(s, params) for s in self.steps]
        if not self.alternatives:
            return {"steps": steps, "alternatives": []}
        return {
            "steps": steps,
            "alternatives": [
                {"problem": self.problem.id, "title": render(title, params),
                 "steps": [self._render_step(s, params) for s in steps], "alternatives": []}
                for title, steps in self.alternatives
            ],
        }
