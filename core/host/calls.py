"""Calling plugins one by one, so that one that raises is named and left out, not fatal.

pluggy stops a whole hook call at the first exception; the host instead calls the
implementations of the per-item hooks itself (``custom_impls`` and ``call``), and for
firstresult hooks retries without the implementations found to raise (``first_answer``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import pluggy
from pydantic import ValidationError

from ..engines.engine import plugin_error_finding
from ..errors import PluginLoadError, PluginTimeout, SyncdoctorError
from ..model.reports import Diagnosis, Finding
from .guard import Guard, contained
from .loading import trace_log

__all__ = ["call", "custom_impls", "fetch_from", "first_answer", "plugin_diagnoses", "plugin_failed", "plugin_findings"]

log = logging.getLogger("syncdoctor")


def custom_impls(pm: pluggy.PluginManager, hook: str) -> list[Any]:
    """Hook implementations other than the core's pack runner (called one by one)."""
    return [i for i in getattr(pm.hook, hook).get_hookimpls() if i.plugin_name != "core"]


def call(impl: Any, kwargs: dict[str, Any], trace: bool = False, guard: Guard | None = None) -> Any:
    """One implementation with the arguments it declares (pluggy lets a hook take fewer),
    under the host's time limit when a ``guard`` is given."""
    args = {k: kwargs[k] for k in impl.argnames if k in kwargs}
    if trace:
        trace_log.debug("call %s.%s", impl.plugin_name, impl.function.__name__)
    if guard is None:
        return impl.function(**args)
    return guard.call(impl.plugin_name.removeprefix("plugin:"), impl.function.__name__, impl.function, **args)


def first_answer(pm: pluggy.PluginManager, hook: str, kwargs: dict[str, Any], trace: bool = False,
                 guard: Guard | None = None) -> Any:
    """A firstresult hook whose raising implementations are left out instead of aborting
    everyone's answer. Wrappers keep working: the call goes through pluggy, without the
    plugins found to raise. A call that hangs past the time limit answers None (the host's
    own answer then stands)."""
    caller = getattr(pm.hook, hook)
    guard = guard or Guard(None)
    try:
        return guard.call(f"{hook} hook", hook, caller, **kwargs)
    except PluginTimeout as exc:
        log.warning("%s: %s", hook, exc)
        return None
    except BaseException as exc:
        if not contained(exc):
            raise
        log.warning("a plugin failed in %s: %s: %s", hook, type(exc).__name__, exc)
    raising = []
    for impl in caller.get_hookimpls():
        if impl.wrapper or impl.hookwrapper:
            continue
        try:
            call(impl, kwargs, trace, guard)
        except BaseException as exc:
            if not contained(exc):
                raise
            raising.append(impl.plugin)
    try:
        return guard.call(f"{hook} hook", hook, pm.subset_hook_caller(hook, remove_plugins=raising), **kwargs)
    except BaseException as exc:
        if not contained(exc):
            raise
        log.warning("%s failed again without the raising plugins: %s", hook, exc)
        return None


def plugin_findings(
    impls: list[Any], kwargs: dict[str, Any], ref: str | int, only: frozenset[str] | None, trace: bool = False,
    guard: Guard | None = None,
) -> list[Finding]:
    """What the plugins' own ``validate_entry`` implementations add for one entity; one that
    raises or answers something that is not a finding becomes a finding naming it."""
    findings: list[Finding] = []
    for impl in impls:
        plugin = impl.plugin_name.removeprefix("plugin:")
        if only is not None and plugin not in only:
            continue
        try:
            extra = call(impl, kwargs, trace, guard)
        except BaseException as exc:  # SystemExit from a plugin too: only Ctrl-C stops the host
            if not contained(exc):
                raise
            findings.append(plugin_error_finding(plugin, ref, exc))
            continue
        try:
            checked = [f if isinstance(f, Finding) else Finding.model_validate(f) for f in extra or ()]
        except (ValidationError, TypeError) as exc:
            findings.append(plugin_error_finding(plugin, ref, exc))
            continue
        findings += [f if f.entity is not None else f.model_copy(update={"entity": ref}) for f in checked]
    return findings


def plugin_diagnoses(
    impls: list[Any], diags: list[Diagnosis], kwargs: dict[str, Any], index: int, trace: bool = False,
    guard: Guard | None = None, failed: Callable[[str, BaseException], Diagnosis] | None = None,
) -> list[Diagnosis]:
    """The packs' diagnoses with what the plugins' own ``classify_error`` say: a plugin's
    answer replaces an ``unknown``. A broken classifier must not stop the batch: it is logged,
    and ``failed`` (the host's) makes the ``core.plugin_error`` diagnosis naming it."""
    for impl in impls:
        try:
            extra = call(impl, kwargs, trace, guard)
            extra = [d if isinstance(d, Diagnosis) else Diagnosis.model_validate(d) for d in extra or ()]
        except BaseException as exc:
            if not contained(exc):
                raise
            plugin = impl.plugin_name.removeprefix("plugin:")
            log.warning("plugin %s failed in classify_error: %s: %s", plugin, type(exc).__name__, exc)
            if failed is not None:
                diags = [*diags, failed(plugin, exc)]
            continue
        if extra:
            known = [d for d in diags if d.problem != "unknown"]
            diags = known + [d.model_copy(update={"input": index}) for d in extra]
    return diags


def plugin_failed(engine: Any, report: Any, lang: str, index: int, plugin: str, exc: BaseException) -> Diagnosis:
    """The ``core.plugin_error`` diagnosis naming a plugin whose ``classify_error`` raised."""
    cp = engine.catalog.problems["core.plugin_error"]
    return engine.diagnosis(cp, {"plugin": plugin, "error": type(exc).__name__}, report, lang, index)  # type: ignore[no-any-return]


def fetch_from(impls: list[Any], source: str, options: Mapping[str, Any], trace: bool = False,
               guard: Guard | None = None) -> Any:
    """The first ``fetch_transactions`` answer for a source (None when no plugin answers);
    a plugin that fails while answering is named in the error."""
    for impl in reversed(impls):
        try:
            result = call(impl, {"source": source, "options": dict(options)}, trace, guard)
        except SyncdoctorError:
            raise
        except BaseException as exc:
            if not contained(exc):
                raise
            name = impl.plugin_name.removeprefix("plugin:")
            raise PluginLoadError(name, None, f"fetch_transactions failed: {type(exc).__name__}: {exc}") from exc
        if result is not None:
            return result
    return None
