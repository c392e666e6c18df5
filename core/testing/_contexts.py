"""Hypothesis strategies for contexts, built from a plugin's own pydantic context model.

A context model describes a target's settings (accounts, journals, tolerances...). Fields
are read from the model, so a new field is fuzzed as soon as it is declared. Generated
values that the model refuses (a constraint the walker does not know) are dropped, which
leaves the field at its default: every field of a context model is optional by contract.
"""

from __future__ import annotations

import datetime as dt
import enum
import inspect
import types
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin

from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from ._entities import ACCOUNT_KEYS, money

if TYPE_CHECKING:
    from syncdoctor import Host

__all__ = ["contexts", "example_contexts", "plugin_contexts"]

_KEYS = st.one_of(st.sampled_from(ACCOUNT_KEYS + ("AC", "VT", "BQ", "OD", "EUR", "CARD", "CASH")), st.text(max_size=8))
_TEXT = st.one_of(st.sampled_from(["", "EUR", "AC", "40100000", "F", "C", "auto", "0.01"]), st.text(max_size=12))


def _for(annotation: Any, depth: int) -> st.SearchStrategy[Any]:
    """A strategy for values of one type annotation (JSON-shaped, Decimal for money)."""
    origin = get_origin(annotation)
    args = get_args(annotation)
    if annotation is Any or annotation is object:
        return st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), money("-100", "10000"), _TEXT)
    if annotation is type(None):
        return st.none()
    if origin is Annotated:
        return _for(args[0], depth)
    if origin is Union or origin is types.UnionType:
        return st.one_of([_for(a, depth) for a in args])
    if origin is Literal:
        return st.sampled_from(args)
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.integers(-5, 10**6)
    if annotation is float:  # a context may hold a ratio; money never is a float
        return st.floats(-1e6, 1e6, allow_nan=False)
    if annotation is Decimal:
        return st.one_of(money("0", "10"), money("0", "100000"))
    if annotation is str:
        return _TEXT
    if annotation is dt.datetime:
        return st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 12, 31),
                            timezones=st.just(dt.UTC)).map(dt.datetime.isoformat)
    if annotation is dt.date:
        return st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)).map(dt.date.isoformat)
    if inspect.isclass(annotation) and issubclass(annotation, enum.Enum):
        return st.sampled_from(list(annotation))
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return _model_dict(annotation, depth + 1) if depth < 3 else st.just({})
    if origin in (list, tuple, set, frozenset) or annotation in (list, tuple, set, frozenset):
        inner = _for(args[0], depth + 1) if args else _TEXT
        return st.lists(inner, max_size=4)
    if origin in (dict, Mapping) or annotation is dict or (origin is not None and _is_mapping(origin)):
        value = _for(args[1], depth + 1) if len(args) == 2 else _TEXT
        return st.dictionaries(_KEYS, value, max_size=4)
    try:
        return st.from_type(annotation)
    except Exception:  # an exotic type: leave the field at its default
        return st.none()


def _is_mapping(origin: Any) -> bool:
    return inspect.isclass(origin) and issubclass(origin, Mapping)


def _model_dict(model: type[BaseModel], depth: int) -> st.SearchStrategy[dict[str, Any]]:
    fields = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        fields[key] = _for(info.annotation, depth)
    # every field may be absent: three-valued rules must cope with missing data
    return st.fixed_dictionaries({}, optional=fields)


def _keep_valid(model: type[BaseModel], raw: dict[str, Any]) -> BaseModel | None:
    """Validate; drop the fields the model refuses until it accepts the rest (None when
    even that fails: a model with required fields, which the conformance suite reports)."""
    doc = dict(raw)
    for _ in range(len(doc) + 2):
        try:
            return model.model_validate(doc)
        except ValidationError as exc:
            bad = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
            if not bad & set(doc):
                return None
            doc = {k: v for k, v in doc.items() if k not in bad}
    return None


def contexts(model: type[BaseModel]) -> st.SearchStrategy[BaseModel]:
    """Instances of a context model, from empty to fully populated."""
    return _model_dict(model, 0).map(lambda raw: _keep_valid(model, raw)).filter(lambda c: c is not None)  # type: ignore[return-value]


def example_contexts(host: Host, plugin: str) -> list[dict[str, Any]]:
    """The contexts written in a plugin's own examples: the most realistic ones there are."""
    out = []
    for cp in host.catalog.problems.values():
        if cp.plugin != plugin:
            continue
        ex = cp.problem.examples
        for example in [*ex.flagged, *ex.clean]:
            if example.context is not None and example.context not in out:
                out.append(example.context)
    return out


def plugin_contexts(host: Host, plugin: str) -> st.SearchStrategy[dict[str, Any]]:
    """Context documents ``{plugin: ...}``: the examples' contexts, generated ones, none."""
    model = host.context_models.get(plugin)
    options: list[st.SearchStrategy[Any]] = [st.just({})]
    written = example_contexts(host, plugin)
    if written:
        options.append(st.sampled_from(written).map(lambda c: {plugin: c}))
    if model is not None:
        # a model that refuses what is generated gives no context rather than no example
        options.append(_model_dict(model, 0).map(lambda raw: _keep_valid(model, raw))
                       .map(lambda c: {plugin: c} if c is not None else {}))
    return st.one_of(options)
