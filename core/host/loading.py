"""What loading plugins leaves behind (loaded and broken plugins) and the settings it reads.

The environment names are the documented switches of plugin loading (docs/plugin-authors.md):
an allow-list, a deny-list, tracing, strict loading and the engine.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
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
    "BrokenPlugin",
    "LoadedPlugin",
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


def entry_points(names: Iterable[str] | None) -> tuple[list[metadata.EntryPoint], list[str]]:
    """The installed plugins to load, by name (the first of each name), and the allowed names
    that are not installed. ``names`` (else SYNCDOCTOR_PLUGINS) is an allow-list;
    SYNCDOCTOR_DISABLE_PLUGINS a deny-list."""
    allow = set(names) if names is not None else env_list(ENV_ALLOW)
    deny = env_list(ENV_DENY) or set()
    chosen: dict[str, metadata.EntryPoint] = {}
    for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if ep.name in chosen or ep.name in deny or (allow is not None and ep.name not in allow):
            continue
        chosen[ep.name] = ep
    missing = sorted(allow - set(chosen) - deny) if allow is not None else []
    return list(chosen.values()), missing


def installed_names() -> set[str]:
    return {ep.name for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}
