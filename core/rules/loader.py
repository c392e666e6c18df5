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

__all__ = ["load_pack", "load_pack_text", "pack_files"]

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


def load_pack_text(text: str, file: str) -> RulePack:
    try:
        data = cached_parse(text, _parse_yaml)  # parsed once per content (pack_cache.py)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise PackError(file, None, line, f"not valid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise PackError(file, None, None, f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise PackError(file, None, 1, "expected a mapping with `plugin:` and `problems:`")
    try:
        return RulePack.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        more = len(exc.errors()) - 1
        expected = _describe(first) + (f" (and {more} more error{'s' if more > 1 else ''})" if more else "")
        raise PackError(file, _problem_id(data, loc), _line_of(text, loc), expected) from None


def load_pack(source: Path | Traversable | str) -> RulePack:
    path = source if not isinstance(source, str) else Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(str(path), None, None, f"cannot read the file: {exc}") from None
    return load_pack_text(text, str(path))


def pack_files(folder: Path | Traversable) -> Iterable[Path | Traversable]:
    """The ``*.yaml`` files of a folder, sorted so that load order is stable."""
    return sorted((f for f in folder.iterdir() if f.name.endswith((".yaml", ".yml"))), key=lambda f: f.name)
