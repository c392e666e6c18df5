"""Field paths: how a rule names a value in an entity, its context or the batch.

Grammar (documented in docs/rule-packs.md)::

    path     := root? segment*
    root     := "$entity" | "$context" | "$item"      (no root: the current subject)
    segment  := "." name | "[" int "]" | "[*]" | "[" path "]" | "[" quoted "]"

``[*]`` makes the path *multi-valued* (a list of every match). ``[path]`` looks a key up
dynamically, e.g. ``$context.accounts[account].analytics``. A value that is absent or
``null`` resolves to :data:`MISSING`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

__all__ = ["MISSING", "Chain", "Path", "Scope", "compile_path", "PathSyntaxError", "lookup", "read", "value_of"]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


class PathSyntaxError(ValueError):
    pass


@dataclass(slots=True)
class Scope:
    """What a path can reach while one subject is evaluated."""

    subject: Any
    entity: Any
    context: Any
    pre: list[Any] | None = None


_MODEL, _DICT, _OTHER = 1, 2, 0
_SHAPES: dict[type, int] = {dict: _DICT}


def _shape(cls: type) -> int:
    """Whether instances of ``cls`` are read as models, dicts or not at all (cached per type:
    ``isinstance`` against pydantic's ABC-based metaclass is slow on the hot path)."""
    shape = _SHAPES.get(cls)
    if shape is None:
        shape = _SHAPES[cls] = _MODEL if issubclass(cls, BaseModel) else _DICT if issubclass(cls, dict) else _OTHER
    return shape


def _get(obj: Any, name: str) -> Any:
    shape = _SHAPES.get(type(obj))
    if shape is None:
        shape = _shape(type(obj))
    if shape == _MODEL:
        # a model's field values live in its __dict__, its extra fields beside it
        value = obj.__dict__.get(name, MISSING)
        if value is MISSING:
            extra = obj.__pydantic_extra__
            value = extra.get(name, MISSING) if extra else MISSING
    elif shape == _DICT:
        value = obj.get(name, MISSING)
    else:
        return MISSING
    return MISSING if value is None else value


def read(obj: Any, name: str) -> Any:
    """A field of a model (declared or extra) or a key of a dict, or None when it is absent
    or null: :func:`_get` for generated code, which writes "absent" as None."""
    shape = _SHAPES.get(type(obj))
    if shape is None:
        shape = _shape(type(obj))
    if shape == _MODEL:  # as _get: extras only when the name is not a field's
        value = obj.__dict__.get(name, MISSING)
        if value is MISSING:
            extra = obj.__pydantic_extra__
            return extra.get(name) if extra else None
        return value
    if shape == _DICT:
        return obj.get(name)
    return None


def value_of(obj: Any, name: str) -> Any:
    """A field of an entity or context model (declared or extra) or a key of a mapping, or
    None when it is absent: what a plugin's named check uses to read its arguments.

    Faster than ``getattr(model, name, None)``, which makes pydantic raise (slowly) for a
    name the model does not declare; another object's attribute is read with ``getattr``.
    """
    value = _get(obj, name)
    if value is not MISSING:
        return value
    if _SHAPES.get(type(obj)) != _OTHER or obj is None:  # a model or dict without it, or null
        return None
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def _index(obj: Any, i: int) -> Any:
    if isinstance(obj, (list, tuple)) and -len(obj) <= i < len(obj):
        value = obj[i]
        return MISSING if value is None else value
    return MISSING


def _lookup(obj: Any, key: Any) -> Any:
    if key is MISSING or key is None:
        return MISSING
    if isinstance(obj, dict):
        if isinstance(key, (list, dict, set)):
            return MISSING  # a list or object cannot name a key: cannot tell
        value = obj.get(str(key), MISSING)
        if value is MISSING and not isinstance(key, str):
            try:
                value = obj.get(key, MISSING)
            except TypeError:
                return MISSING
        return MISSING if value is None else value
    if isinstance(obj, (list, tuple)) and isinstance(key, int):
        return _index(obj, key)
    return _get(obj, str(key))


_TOKEN = re.compile(r"\s*(\$entity|\$context|\$item|\.|\[|\]|\*|-?\d+|\"[^\"]*\"|'[^']*'|[A-Za-z_][A-Za-z0-9_]*)")


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise PathSyntaxError(f"unexpected {text[pos:pos + 10]!r} in path {text!r}")
        tokens.append(m.group(1))
        pos = m.end()
    return tokens


Resolver = Callable[[Scope], Any]
Chain = tuple[str, tuple[Any, ...]]  # (root, steps): a step is a field name or a key's Chain


def lookup(obj: Any, key: Any) -> Any:
    """``obj[key]`` as a path's ``[key]`` step reads it, None when absent: for generated code,
    which writes "absent" as None."""
    if obj is None:  # as a path stops at an absent value, before reading the key
        return None
    value = _lookup(obj, MISSING if key is None else key)
    return None if value is MISSING else value


@dataclass(frozen=True, slots=True)
class Path:
    text: str
    multi: bool
    resolve: Resolver
    roots: frozenset[str]
    #: (root, steps) when the path is a chain of fields and look-ups keyed by another such
    #: path (``$context.accounts[account].analytics``; no index, star or quoted key): a step
    #: is a field name or the key's own chain. Generated code reads it inline (``engines/program.py``).
    chain: Chain | None = None
    #: (root, fields before the star, fields after it) for ``a.b[*].c.d``: one star, fields only
    star: tuple[str, tuple[str, ...], tuple[str, ...]] | None = None

    def __call__(self, scope: Scope) -> Any:
        return self.resolve(scope)


def compile_path(text: str) -> Path:
    """Compile a path once, at load; the result resolves in a few attribute lookups."""
    if not isinstance(text, str) or not text.strip():
        raise PathSyntaxError("a path must be a non-empty string")
    tokens = _tokenize(text)
    path, rest = _parse(tokens, text)
    if rest:
        raise PathSyntaxError(f"unexpected {' '.join(rest)!r} at the end of path {text!r}")
    return path


def _parse(tokens: list[str], text: str) -> tuple[Path, list[str]]:
    roots: set[str] = set()
    root = "$item"
    if tokens and tokens[0] in ("$entity", "$context", "$item"):
        root = tokens.pop(0)
        if tokens and tokens[0] == ".":
            tokens.pop(0)
    roots.add(root)
    steps: list[tuple[str, Any]] = []
    keys: dict[int, Chain | None] = {}  # the chain of each dynamic key, by step
    multi = False
    expect_name = True
    after_dot = False
    while tokens:
        tok = tokens[0]
        if tok == "]":
            break
        tokens.pop(0)
        if after_dot and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", tok):
            raise PathSyntaxError(f"a field name must follow '.' in path {text!r}")
        after_dot = False
        if tok == ".":
            if not steps and root == "$item" and not roots - {"$item"}:
                raise PathSyntaxError(f"path {text!r} cannot start with '.'")
            expect_name = True
            after_dot = True
            continue
        if tok == "[":
            if not tokens:
                raise PathSyntaxError(f"unclosed '[' in path {text!r}")
            inner = tokens[0]
            if inner == "*":
                tokens.pop(0)
                steps.append(("star", None))
                multi = True
            elif re.fullmatch(r"-?\d+", inner):
                tokens.pop(0)
                steps.append(("index", int(inner)))
            elif inner[0] in "\"'":
                tokens.pop(0)
                steps.append(("key", inner[1:-1]))
            else:
                sub, tokens = _parse(tokens, text)
                if sub.multi:
                    raise PathSyntaxError(f"a lookup key cannot be multi-valued in path {text!r}")
                roots |= sub.roots
                steps.append(("dyn", sub.resolve))
                keys[len(steps) - 1] = sub.chain
            if not tokens or tokens[0] != "]":
                raise PathSyntaxError(f"missing ']' in path {text!r}")
            tokens.pop(0)
            expect_name = False
            continue
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", tok):
            if not expect_name:
                raise PathSyntaxError(f"missing '.' before {tok!r} in path {text!r}")
            steps.append(("attr", tok))
            expect_name = False
            continue
        raise PathSyntaxError(f"unexpected {tok!r} in path {text!r}")
    if after_dot:
        raise PathSyntaxError(f"path {text!r} ends with '.'")
    chain: Chain | None = None
    if not multi and all(kind == "attr" or (kind == "dyn" and keys.get(i)) for i, (kind, _) in enumerate(steps)):
        chain = (root, tuple(arg if kind == "attr" else keys[i] for i, (kind, arg) in enumerate(steps)))
    star = None
    kinds = [kind for kind, _ in steps]
    if kinds.count("star") == 1 and all(kind in ("attr", "star") for kind in kinds):
        at = kinds.index("star")
        star = (root, tuple(arg for _, arg in steps[:at]), tuple(arg for _, arg in steps[at + 1:]))
    return Path(text, multi, _build(root, tuple(steps), multi), frozenset(roots), chain, star), tokens


def _build(root: str, steps: tuple[tuple[str, Any], ...], multi: bool) -> Resolver:
    getter: Callable[[Scope], Any]
    if root == "$entity":
        def getter(s: Scope) -> Any:
            return s.entity
    elif root == "$context":
        def getter(s: Scope) -> Any:
            return s.context if s.context is not None else MISSING
    else:
        def getter(s: Scope) -> Any:
            return s.subject

    if not multi:
        if len(steps) == 1 and steps[0][0] == "attr":
            name = steps[0][1]
            if root == "$item":  # the commonest path: a field of the subject
                def field(s: Scope) -> Any:
                    return _get(s.subject, name)

                return field

            def one(s: Scope) -> Any:
                return _get(getter(s), name)

            return one
        if all(kind == "attr" for kind, _ in steps):
            names = tuple(arg for _, arg in steps)

            def fields(s: Scope) -> Any:
                obj = getter(s)
                for name in names:
                    obj = _get(obj, name)
                    if obj is MISSING:
                        return MISSING
                return obj

            return fields

        def single(s: Scope) -> Any:
            obj = getter(s)
            for kind, arg in steps:
                if obj is MISSING:
                    return MISSING
                if kind == "attr":
                    obj = _get(obj, arg)
                elif kind == "index":
                    obj = _index(obj, arg)
                elif kind == "key":
                    obj = _lookup(obj, arg)
                else:
                    obj = _lookup(obj, arg(s))
            return obj

        return single

    kinds = [kind for kind, _ in steps]
    if kinds.count("star") == 1 and all(k in ("attr", "star") for k in kinds):
        # the commonest list path, ``lines[*].debit``: fields, one star, fields
        star = kinds.index("star")
        head = tuple(arg for _, arg in steps[:star])
        tail = tuple(arg for _, arg in steps[star + 1:])

        def starred(s: Scope) -> Any:
            obj = getter(s)
            for name in head:
                obj = _get(obj, name)
            if isinstance(obj, (list, tuple)):
                items = obj
            elif isinstance(obj, dict):
                items = list(obj.values())
            else:
                return []
            out = []
            for value in items:
                if value is None:
                    value = MISSING
                for name in tail:
                    if value is MISSING:
                        break  # an item missing before the last step is left out, as in ``many``
                    value = _get(value, name)
                else:
                    out.append(value)
            return out

        return starred

    def many(s: Scope) -> Any:
        current = [getter(s)]
        for kind, arg in steps:
            nxt: list[Any] = []
            for obj in current:
                if obj is MISSING:
                    continue
                if kind == "star":
                    if isinstance(obj, (list, tuple)):
                        nxt.extend(MISSING if v is None else v for v in obj)
                    elif isinstance(obj, dict):
                        nxt.extend(MISSING if v is None else v for v in obj.values())
                elif kind == "attr":
                    nxt.append(_get(obj, arg))
                elif kind == "index":
                    nxt.append(_index(obj, arg))
                elif kind == "key":
                    nxt.append(_lookup(obj, arg))
                else:
                    nxt.append(_lookup(obj, arg(s)))
            current = nxt
        return current

    return many
