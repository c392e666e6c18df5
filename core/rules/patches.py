"""RFC 6902 JSON Patch, strictly: how automatic fixes are applied to an entity."""

from __future__ import annotations

import copy
import re
from typing import Any

from ..errors import PatchError

__all__ = ["apply_patch"]

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
