"""A problem's detect params: what a finding carries, read from its subject once it fires.

A param is a path, ``{ref: path, default: x}``, ``{value: literal}`` or ``{call: f, args:
[...]}``. Params that make the same call (same function, same args) share one call per
finding, and ``pick`` takes each its key of the mapping the call returns: a plugin computes
related facts once (decision 17).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from .conditions.calls import PluginCallError, bind_call
from .paths import MISSING, Scope, compile_path
from .regex import CompileError
from .schema import ParamCall, ParamValue, Ref
from .values import compile_value

__all__ = ["compile_param", "compile_params"]


def compile_param(spec: Any, functions: Mapping[str, Callable[..., Any]]) -> Callable[[Scope], Any]:
    """A detect param: a path, ``{ref: path, default: x}``, ``{call: f, args: [...]}`` or ``{value: literal}``."""
    if isinstance(spec, ParamValue):
        return lambda s: spec.value
    if isinstance(spec, Ref):
        return compile_value(spec)
    if isinstance(spec, ParamCall):
        try:
            fn = functions[spec.call]
        except KeyError:
            raise CompileError(f"param call {spec.call!r} names no registered function") from None
        return bind_call(fn, [compile_value(a) for a in spec.args], spec.call)
    path = compile_path(spec)
    return path.resolve


def _picked(result: Any, key: str) -> Any:
    if result is MISSING:
        return MISSING
    if not isinstance(result, Mapping):
        raise TypeError(f"returned {type(result).__name__}, not a mapping to pick {key!r} from")
    value = result.get(key)
    return MISSING if value is None else value


def compile_params(
    specs: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]
) -> Callable[[Scope], dict[str, Any]]:
    """A problem's detect params as one function of the subject's scope: the params that are
    known (a missing value leaves its name out). Params making the same call (same function,
    same args) share one call: ``pick`` takes each its key of the mapping it returns."""
    calls: dict[str, int] = {}
    bound: list[Callable[[Scope], Any]] = []
    plan: list[tuple[str, Callable[[Scope], Any] | None, int, str | None]] = []
    for name, spec in specs.items():
        if isinstance(spec, ParamCall):
            key = json.dumps([spec.call, [a.model_dump() if isinstance(a, Ref) else a for a in spec.args]],
                             sort_keys=True, default=repr)
            if key not in calls:
                calls[key] = len(bound)
                bound.append(compile_param(spec.model_copy(update={"pick": None}), functions))
            plan.append((name, None, calls[key], spec.pick))
        else:
            plan.append((name, compile_param(spec, functions), -1, None))

    def values(s: Scope) -> dict[str, Any]:
        results = [call(s) for call in bound] if bound else ()
        out: dict[str, Any] = {}
        for name, fn, slot, pick in plan:
            if fn is not None:
                value = fn(s)
            elif pick is None:
                value = results[slot]
            else:
                try:
                    value = _picked(results[slot], pick)
                except TypeError as exc:
                    raise PluginCallError(specs[name].call, exc) from exc
            if value is not MISSING:
                out[name] = value
        return out

    return values
