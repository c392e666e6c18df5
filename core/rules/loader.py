"""Reads rule packs from YAML and turns schema errors into messages that name the
file, the problem id, the line and what was expected."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import PackError
from .pack_cache import cached_parse
from .schema import RulePack

__all__ = ["MAX_PACK_BYTES", "MAX_PACK_DEPTH", "MAX_PACK_NODES", "load_pack", "load_pack_text", "pack_files"]

MAX_PACK_BYTES = 4 * 1024 * 1024
"""The largest pack file read (the biggest shipped pack is about 60 kB)."""
MAX_PACK_NODES = 100_000
"""Values in a pack once its YAML aliases are expanded: an alias is cheap to write and
expensive to validate, and a few hundred bytes of nested aliases ("billion laughs") expand to
billions of values; the biggest shipped pack has about 2,000."""
MAX_PACK_DEPTH = 100

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe YAML with exact decimals: ``0.01`` becomes Decimal('0.01'), never a float."""


def _decimal(loader: Any, node: Any) -> Decimal:
    text = loader.construct_scalar(node).replace("_", "")
    try:
        value = Decimal(text)
    except ArithmeticError:
        value = Decimal("NaN")
    if not value.is_finite():
        raise yaml.constructor.ConstructorError(None, None, f"{text!r} is not a finite number", node.start_mark)
    return value


_Loader.add_constructor("tag:yaml.org,2002:float", _decimal)


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """Follow a pydantic error location through the YAML node tree to a line number."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    best = node
    for part in loc:
        if node is None:
            break
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part) or key.value == str(part).rstrip("_"):
                    node = value
                    best = node
                    break
            # a part that is not a key (a union tag) leaves us where we are
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part < len(node.value):
                node = node.value[part]
                best = node
            else:
                break
    return best.start_mark.line + 1 if best is not None else None


def _problem_id(data: Any, loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "problems" and isinstance(loc[1], int) and isinstance(data, dict):
        problems = data.get("problems")
        if isinstance(problems, list) and loc[1] < len(problems) and isinstance(problems[loc[1]], dict):
            pid = problems[loc[1]].get("id")
            return str(pid) if pid is not None else f"#{loc[1] + 1}"
    return None


def _describe(error: Any) -> str:
    loc = ".".join(str(p) for p in error["loc"])
    msg = error["msg"]
    if error["type"] == "extra_forbidden":
        msg = "unknown field (check its spelling against `syncdoctor rules schema`)"
    elif error["type"] == "missing":
        msg = "this field is required"
    return f"{loc}: {msg}" if loc else msg


def _parse_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader


def _parse_and_measure(text: str) -> tuple[Any, tuple[int, int]]:
    """The parsed YAML and its expanded size: both follow from the text alone, so the cache
    keeps them together (walking the bundled packs' data was ~40 ms of every start-up)."""
    data = _parse_yaml(text)
    return data, _expanded_size(data) if isinstance(data, dict) else (1, 0)


def _expanded_size(data: Any) -> tuple[int, int]:
    """(values, depth) of the data as validation will walk it: with every alias expanded,
    counted without expanding it (a shared object's size is computed once)."""
    sizes: dict[int, tuple[int, int]] = {}
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        obj, children_done = stack.pop()
        if not isinstance(obj, (dict, list)) or id(obj) in sizes:
            continue
        children = [v for pair in obj.items() for v in pair] if isinstance(obj, dict) else obj
        if not children_done:
            stack.append((obj, True))
            stack.extend((c, False) for c in children if isinstance(c, (dict, list)) and id(c) not in sizes)
            continue
        total, depth = 1, 1
        for child in children:
            size, child_depth = sizes.get(id(child), (1, 0))
            total += size
            depth = max(depth, child_depth + 1)
        sizes[id(obj)] = (min(total, MAX_PACK_NODES + 1), depth)
    return sizes.get(id(data), (1, 0))


def load_pack_text(text: str, file: str) -> RulePack:
    if len(text) > MAX_PACK_BYTES:
        raise PackError(file, None, None, f"the pack is {len(text)} characters long, more than the {MAX_PACK_BYTES} "
                        "a pack may have; split it into several files")
    try:
        data, (values, depth) = cached_parse(text, _parse_and_measure)  # once per content (pack_cache.py)
    except RecursionError:
        raise PackError(file, None, None, "not valid YAML: nested too deeply") from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise PackError(file, None, line, f"not valid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise PackError(file, None, None, f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise PackError(file, None, 1, "expected a mapping with `plugin:` and `problems:`")
    if values > MAX_PACK_NODES:
        raise PackError(file, None, None, f"the pack expands to more than {MAX_PACK_NODES} values once its YAML "
                        "aliases (*name) are replaced by what they point to; use fewer nested aliases")
    if depth > MAX_PACK_DEPTH:
        raise PackError(file, None, None, f"the pack is nested {depth} levels deep, more than {MAX_PACK_DEPTH}")
    try:
        return RulePack.model_validate(data)
    except ValidationError as exc:
        found = [PackError(file, _problem_id(data, tuple(e["loc"])), _line_of(text, tuple(e["loc"])), _describe(e))
                 for e in exc.errors()]
        distinct = list({(e.problem, e.line, e.expected): e for e in found}.values())
        more = len(distinct) - 1
        first = distinct[0]
        error = PackError(file, first.problem, first.line,
                          first.expected + (f" (and {more} more error{'s' if more > 1 else ''})" if more else ""))
        error.errors = distinct  # every one, for rules lint
        raise error from None


def load_pack(source: Path | Traversable | str) -> RulePack:
    path = source if not isinstance(source, str) else Path(source)
    try:
        with path.open("rb") as fh:  # bounded: a pack path may be /dev/zero or a huge file
            raw = fh.read(MAX_PACK_BYTES + 1)
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(str(path), None, None, f"cannot read the file: {exc}") from None
    return load_pack_text(text, str(path))


def pack_files(folder: Path | Traversable) -> Iterable[Path | Traversable]:
    """The ``*.yaml`` files of a folder, sorted so that load order is stable."""
    return sorted((f for f in folder.iterdir() if f.name.endswith((".yaml", ".yml"))), key=lambda f: f.name)
