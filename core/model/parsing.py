"""Turning user input into models, with errors that name the record and the field."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import ContextError, InputError
from .entities import EntityBase
from .reports import ErrorReport

__all__ = ["parse_context", "parse_entity", "parse_report"]


def _first_error(exc: ValidationError) -> tuple[str | None, str]:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or None
    msg = "required field is missing" if err["type"] == "missing" else err["msg"]
    more = len(exc.errors()) - 1
    return field, msg + (f" (and {more} more)" if more else "")


def parse_entity(models: Mapping[str, type[EntityBase]], raw: Any, record: int | str | None = None) -> EntityBase:
    """One entity of a known kind, or :class:`InputError` naming the record and the field."""
    if isinstance(raw, EntityBase):
        return raw
    if not isinstance(raw, dict):
        raise InputError(record, None, f"expected a JSON object, got {type(raw).__name__}")
    kind = raw.get("kind")
    if kind is None:
        raise InputError(record, "kind", "missing; one of " + ", ".join(sorted(models)))
    model = models.get(kind) if isinstance(kind, str) else None
    if model is None:
        shown = str(kind)[:40]
        raise InputError(record, "kind", f"unknown kind {shown!r}; one of " + ", ".join(sorted(models)))
    if not model.__pydantic_complete__:
        _build(model)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        field, msg = _first_error(exc)
        raise InputError(record, field, msg) from None


_BUILDING = threading.Lock()


def _build(model: type[BaseModel]) -> None:
    """Entity models are built on their first use (``defer_build``: a command that validates
    nothing does not pay for them at start-up). Building one from several threads at once is
    not safe in every pydantic version this package allows, and the service validates from
    many threads: the first build happens here, under a lock."""
    with _BUILDING:
        if not model.__pydantic_complete__:
            model.model_rebuild()


def parse_context(
    models: Mapping[str, type[BaseModel]], plugins: set[str], raw: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The context document, keyed by plugin name, each part validated by its plugin's model."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ContextError("context", None, "the context must be a JSON object keyed by plugin name")
    parsed: dict[str, Any] = {}
    for name, part in raw.items():
        model = models.get(name)
        if model is None:
            if name in plugins:
                parsed[name] = part
                continue
            raise ContextError("context", name, f"no loaded plugin is named {name!r} (loaded: "
                               + ", ".join(sorted(plugins)) + ")")
        if isinstance(part, model):
            parsed[name] = part
            continue
        try:
            parsed[name] = model.model_validate(part)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise ContextError("context", ".".join([name, *(str(p) for p in err["loc"])]), err["msg"]) from None
    return parsed


_validate_report = ErrorReport.__pydantic_validator__.validate_python


def parse_report(raw: Any, index: int) -> ErrorReport:
    """One error report (a model, a dict, or bare text), or :class:`InputError`."""
    if isinstance(raw, InputError):
        raise raw
    if isinstance(raw, ErrorReport):
        return raw
    if isinstance(raw, str):
        return ErrorReport(message=raw)
    if not isinstance(raw, Mapping):
        raise InputError(index, None, f"expected a JSON object, got {type(raw).__name__}")
    try:
        return _validate_report(raw)  # ErrorReport.model_validate(raw), without its wrapper
    except ValidationError as exc:
        field, msg = _first_error(exc)
        raise InputError(index, field, msg) from None
