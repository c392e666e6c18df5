"""Rendering remediation plans for a language and parameters, and applying JSON Patches."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ._exceptions import PatchError
from ._models import RemediationPlan
from ._schema import PatchOp, Problem, StepSpec
from ._text import render

__all__ = ["CompiledPlan", "apply_patch", "render_plan"]

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


def render_plan(problem: Problem, params: Mapping[str, Any], lang: str) -> RemediationPlan:
    """A problem's plan for one language and its params, as a model (see :class:`CompiledPlan`)."""
    plan = CompiledPlan(problem, lang)
    return RemediationPlan.model_validate(
        {"problem": problem.id, "title": plan.render_title(params), **plan.remediation(params)}
    )


# ---------------------------------------------------------------- RFC 6902


_INDEX = re.compile(r"^(0|[1-9][0-9]*)$")


def _tokens(pointer: Any) -> list[str]:
    if not isinstance(pointer, str):
        raise PatchError(f"a JSON pointer must be a string, not {type(pointer).__name__}")
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f"JSON pointer {pointer!r} must start with '/'")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _index(pointer: str, token: str, size: int, allow_end: bool = False) -> int:
    if allow_end and token == "-":
        return size
    if not _INDEX.match(token):
        raise PatchError(f"{pointer}: {token!r} is not an array index")
    idx = int(token)
    if idx > size or (idx == size and not allow_end):
        raise PatchError(f"{pointer}: index {idx} is out of range")
    return idx


def _child(node: Any, pointer: str, token: str) -> Any:
    if isinstance(node, list):
        return node[_index(pointer, token, len(node))]
    if isinstance(node, dict):
        if token not in node:
            raise PatchError(f"{pointer}: no field {token}")
        return node[token]
    raise PatchError(f"{pointer}: {token} is inside a value that has no fields")


def _parent(doc: Any, pointer: str) -> tuple[Any, str]:
    tokens = _tokens(pointer)
    node = doc
    for tok in tokens[:-1]:
        node = _child(node, pointer, tok)
    if not isinstance(node, (list, dict)):
        raise PatchError(f"{pointer}: the parent is not an object or an array")
    return node, tokens[-1]


def _get(doc: Any, pointer: str) -> Any:
    node = doc
    for tok in _tokens(pointer):
        node = _child(node, pointer, tok)
    return node


def _same(a: Any, b: Any) -> bool:
    """JSON equality: true is not 1, and 1 equals 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _value(op: dict[str, Any]) -> Any:
    if "value" not in op:
        raise PatchError(f"{op.get('op')} {op.get('path')}: the operation has no value")
    return copy.deepcopy(op["value"])


def apply_patch(document: Any, ops: list[dict[str, Any]]) -> Any:
    """Apply an RFC 6902 patch to a copy of ``document``; the input is never modified."""
    doc = copy.deepcopy(document)
    if not isinstance(ops, list):
        raise PatchError("a patch is a list of operations")
    for op in ops:
        if not isinstance(op, dict):
            raise PatchError(f"a patch operation is an object, not {type(op).__name__}")
        kind, path = op.get("op"), op.get("path")
        if not isinstance(path, str):
            raise PatchError(f"{kind}: 'path' must be a JSON pointer string")
        if kind not in ("add", "remove", "replace", "move", "copy", "test"):
            raise PatchError(f"unknown patch operation {kind!r}")
        if kind in ("move", "copy") and not isinstance(op.get("from"), str):
            raise PatchError(f"{kind} {path}: the operation has no 'from' pointer")
        if path == "" and kind in ("add", "replace"):
            doc = _value(op)
            continue
        if kind == "test":
            if not _same(_get(doc, path), _value(op)):
                raise PatchError(f"{path}: test failed")
            continue
        if kind == "copy":
            value = copy.deepcopy(_get(doc, op["from"]))
        elif kind == "move":
            value = _remove(doc, op["from"])
        elif kind == "remove":
            _remove(doc, path)
            continue
        else:
            value = _value(op)
        if kind == "replace":
            _get(doc, path)
            parent, key = _parent(doc, path)
            if isinstance(parent, list):
                parent[_index(path, key, len(parent))] = value
            else:
                parent[key] = value
        else:  # add, copy, move
            parent, key = _parent(doc, path)
            if isinstance(parent, list):
                parent.insert(_index(path, key, len(parent), allow_end=True), value)
            else:
                parent[key] = value
    return doc


def _remove(doc: Any, pointer: str) -> Any:
    if pointer == "":
        raise PatchError("the whole document cannot be removed")
    parent, key = _parent(doc, pointer)
    if isinstance(parent, list):
        return parent.pop(_index(pointer, key, len(parent)))
    if key not in parent:
        raise PatchError(f"{pointer}: nothing to remove")
    return parent.pop(key)


_Step = tuple[dict[str, Any], str | None, list[PatchOp] | None]


class CompiledPlan:
    """A problem's texts and plan for one language, prepared once so that rendering a
    diagnosis costs a few ``str.format_map`` calls (classification's hot path): which texts
    hold placeholders, and which steps are plain copies, is known before the first message."""

    __slots__ = ("problem", "lang", "title", "causes", "steps", "alternatives",
                 "_title_fixed", "_causes_fixed", "_steps_fixed")

    def __init__(self, problem: Problem, lang: str) -> None:
        self.problem = problem
        self.lang = lang
        self.title = problem.title.get(lang)
        self.causes = [c.get(lang) for c in problem.causes]
        self.steps = [self._step(s) for s in problem.remediation.steps]
        self.alternatives = [(alt.title.get(lang), [self._step(s) for s in alt.steps])
                             for alt in problem.remediation.alternatives]
        self._title_fixed = "{" not in self.title
        self._causes_fixed = not any("{" in c for c in self.causes)
        self._steps_fixed = all(template is None and not patch for _, template, patch in self.steps)

    def _step(self, spec: StepSpec) -> _Step:
        base: dict[str, Any] = {"action": spec.action, "system": spec.system, "automatic": spec.automatic,
                                "instructions": spec.instructions.get(self.lang), "confirm": spec.confirm}
        if spec.role:
            base["role"] = spec.role
        template = base["instructions"] if "{" in base["instructions"] else None
        return base, template, list(spec.patch) if spec.patch else None

    @staticmethod
    def _render_step(step: _Step, params: Mapping[str, Any]) -> dict[str, Any]:
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

    def render_title(self, params: Mapping[str, Any]) -> str:
        return self.title if self._title_fixed else render(self.title, params)

    def render_causes(self, params: Mapping[str, Any]) -> list[str]:
        return list(self.causes) if self._causes_fixed else [render(c, params) for c in self.causes]

    def remediation(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The plan as plain data; every call returns fresh dicts and lists (callers may edit them)."""
        if self._steps_fixed:
            steps = [dict(base) for base, _, _ in self.steps]
        else:
            render_step = self._render_step
            steps = [render_step(s, params) for s in self.steps]
        if not self.alternatives:
            return {"steps": steps, "alternatives": []}
        return {
            "steps": steps,
            "alternatives": [
                {"problem": self.problem.id, "title": render(title, params),
                 "steps": [self._render_step(s, params) for s in alt_steps], "alternatives": []}
                for title, alt_steps in self.alternatives
            ],
        }
