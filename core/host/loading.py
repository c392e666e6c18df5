"""What loading plugins leaves behind (loaded and broken plugins) and the settings it reads.

The environment names are the documented switches of plugin loading (docs/plugin-authors.md):
an allow-list, a deny-list, tracing, strict loading and the engine.
"""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import pluggy

from .plugins import PluginSpec

__all__ = [
    "ENTRY_POINT_GROUP",
    "ENV_ALLOW",
    "ENV_DENY",
    "ENV_ENGINE",
    "ENV_STRICT",
    "ENV_TRACE",
    "BUNDLED_MODULES",
    "BrokenPlugin",
    "ENV_HOOK_TIMEOUT",
    "LoadedPlugin",
    "describe",
    "discover",
    "hook_timeout",
    "is_bundled",
    "enable_trace",
    "entry_points",
    "installed_names",
    "env_flag",
    "env_list",
    "trace_log",
]

trace_log = logging.getLogger("syncdoctor.trace")

ENTRY_POINT_GROUP = "syncdoctor"
ENV_ALLOW = "SYNCDOCTOR_PLUGINS"
ENV_DENY = "SYNCDOCTOR_DISABLE_PLUGINS"
ENV_TRACE = "SYNCDOCTOR_TRACE"
ENV_STRICT = "SYNCDOCTOR_STRICT"
ENV_ENGINE = "SYNCDOCTOR_ENGINE"
ENV_HOOK_TIMEOUT = "SYNCDOCTOR_HOOK_TIMEOUT"
DEFAULT_HOOK_TIMEOUT = 30.0


def hook_timeout(value: float | None = None) -> float | None:
    """Seconds a plugin's hook may take (``SYNCDOCTOR_HOOK_TIMEOUT``, default 30); 0 means no
    limit (the hook runs in the caller's thread)."""
    if value is None:
        raw = os.environ.get(ENV_HOOK_TIMEOUT, "").strip()
        try:
            value = float(raw) if raw else DEFAULT_HOOK_TIMEOUT
        except ValueError:
            raise ValueError(f"${ENV_HOOK_TIMEOUT} must be a number of seconds, not {raw[:40]!r}") from None
    if value != value or value < 0:
        raise ValueError(f"the hook timeout must be a positive number of seconds, not {value!r}")
    return value or None


@dataclass(frozen=True)
class LoadedPlugin:
    name: str
    version: str
    hooks: tuple[str, ...]
    problems: int
    spec: PluginSpec
    distribution: str | None = None


@dataclass(frozen=True)
class BrokenPlugin:
    name: str
    version: str | None
    reason: str
    warn: bool = field(default=False, compare=False, repr=False)  # say it louder than a log line


def env_list(name: str) -> set[str] | None:
    """A comma-separated list from the environment; None when unset or blank."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return None
    return {p.strip() for p in raw.split(",") if p.strip()}


def env_flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


def enable_trace(pm: pluggy.PluginManager) -> None:
    """Log every hook call and its implementations on ``syncdoctor.trace`` (SYNCDOCTOR_TRACE)."""
    if not trace_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("syncdoctor trace: %(message)s"))
        trace_log.addHandler(handler)
    trace_log.setLevel(logging.DEBUG)

    def before(hook_name: str, impls: Any, kwargs: Any) -> None:
        trace_log.debug("call %s -> %s", hook_name, [i.plugin_name for i in impls])

    def after(outcome: Any, hook_name: str, impls: Any, kwargs: Any) -> None:
        trace_log.debug("done %s", hook_name)

    pm.add_hookcall_monitoring(before, after)


#: the distribution that ships the bundled plugins, and their modules
BUNDLED_DISTRIBUTION = "syncdoctor"
BUNDLED_MODULES = frozenset({"syncdoctor_acd", "syncdoctor_quickbooks", "syncdoctor_pos_pennylane", "syncdoctor_qonto"})


_DISTRIBUTIONS: weakref.WeakKeyDictionary[metadata.Distribution, tuple[str, str]] = weakref.WeakKeyDictionary()


def name_and_version(dist: metadata.Distribution) -> tuple[str, str]:
    """A distribution's name and version. Each ``dist.name`` or ``dist.version`` reads and
    parses its METADATA file again, and start-up asked two dozen times (~10 ms); the facts
    live as long as the distribution object (one discovery's)."""
    known = _DISTRIBUTIONS.get(dist)
    if known is None:
        meta = dist.metadata
        known = _DISTRIBUTIONS[dist] = (meta["Name"], meta["Version"])
    return known


def provenance(ep: metadata.EntryPoint) -> tuple[str | None, str | None, str]:
    """(distribution, version, how a warning names it) of an entry point."""
    dist = getattr(ep, "dist", None)
    name, version = name_and_version(dist) if dist is not None else (None, None)
    return name, version, describe(ep)


def _version(ep: metadata.EntryPoint) -> str | None:
    dist = getattr(ep, "dist", None)
    return name_and_version(dist)[1] if dist is not None else None


def is_bundled(ep: metadata.EntryPoint) -> bool:
    dist = getattr(ep, "dist", None)
    if dist is not None:
        return name_and_version(dist)[0] == BUNDLED_DISTRIBUTION
    return ep.value.split(":")[0].strip() in BUNDLED_MODULES


def describe(ep: metadata.EntryPoint) -> str:
    """``name = module:object (distribution version)``, to name an entry point in a warning."""
    dist = getattr(ep, "dist", None)
    where = " ({} {})".format(*name_and_version(dist)) if dist is not None else ""
    return f"{ep.name} = {ep.value}{where}"


def entry_points(
    names: Iterable[str] | None,
) -> tuple[list[metadata.EntryPoint], list[str], list[tuple[metadata.EntryPoint, metadata.EntryPoint]]]:
    """The installed plugins to load (the bundled ones first, so that no other entry point can
    take their names), the allowed names that are not installed, and the entry points that
    claim a name another one already has, each with the one that keeps it. ``names`` (else
    SYNCDOCTOR_PLUGINS) is an allow-list; SYNCDOCTOR_DISABLE_PLUGINS a deny-list."""
    allow = set(names) if names is not None else env_list(ENV_ALLOW)
    deny = env_list(ENV_DENY) or set()
    chosen: dict[str, metadata.EntryPoint] = {}
    duplicates: list[tuple[metadata.EntryPoint, metadata.EntryPoint]] = []
    order = sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (not is_bundled(e), e.name, e.value))
    for ep in order:
        if ep.name in deny or (allow is not None and ep.name not in allow):
            continue
        if ep.name in chosen:
            if chosen[ep.name].value != ep.value:  # the same target listed twice is not a conflict
                duplicates.append((ep, chosen[ep.name]))
            continue
        chosen[ep.name] = ep
    missing = sorted(allow - set(chosen) - deny) if allow is not None else []
    return list(chosen.values()), missing, duplicates


def installed_names() -> set[str]:
    return {ep.name for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}


def discover(names: Iterable[str] | None) -> Iterator[BrokenPlugin | tuple[metadata.EntryPoint, Any]]:
    """Each installed plugin to load as ``(entry point, loaded object)``, or a BrokenPlugin
    for one that cannot be: a name claimed twice (naming both entry points), an import that
    failed (``SystemExit`` at import included; only Ctrl-C stops), an allowed name not installed."""
    chosen, missing, duplicates = entry_points(names)
    for ep, holder in duplicates:
        yield BrokenPlugin(ep.name, _version(ep),
                           f"entry point {describe(ep)} claims the name of {describe(holder)}, which is loaded instead"
                           + (" (a bundled plugin's name cannot be replaced)" if is_bundled(holder) else ""), warn=True)
    for ep in chosen:
        version = _version(ep)
        try:
            obj = ep.load()
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            yield BrokenPlugin(ep.name, version, f"import failed: {type(exc).__name__}: {str(exc)[:300]}")
            continue
        yield ep, obj
    for name in missing:
        yield BrokenPlugin(name, None, "not installed (no entry point in the group 'syncdoctor')")
