"""Checking a plugin object before it joins a host: its hooks, its registration, its packs.

Every reason to refuse a plugin is raised as :class:`Refused` from one place, so the host
reports it the same way (name, version, reason) and unregisters the object once.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import pluggy

from .. import hookspecs
from ..errors import PackError
from ..model.plans import SYSTEMS
from ..rules.catalog import Catalog
from ..rules.loader import load_pack
from ..rules.regex import CompileError, RE2Pattern, compile_regex
from .guard import Guard, contained
from .plugins import PluginSpec

__all__ = ["HOOK_NAMES", "Refused", "Registration", "check_plugin"]

HOOK_NAMES = frozenset({"register_plugin", "validate_entry", "classify_error", "remediate", "fetch_transactions"})


class Refused(Exception):
    """A plugin that cannot join the host, and why (reported as a broken plugin)."""

    def __init__(self, name: str, version: str | None, reason: str) -> None:
        super().__init__(reason)
        self.name = name
        self.version = version
        self.reason = reason


@dataclass(frozen=True)
class Registration:
    """A checked plugin: its spec, the hooks it implements, its packs compiled apart."""

    spec: PluginSpec
    version: str
    hooks: frozenset[str]
    catalog: Catalog
    raw_pattern: RE2Pattern | None


def check_plugin(
    pm: pluggy.PluginManager, obj: Any, label: str, version: str | None, loaded: Collection[str],
    guard: Guard | None = None, taken_by: Mapping[str, str] | None = None,
) -> Registration:
    """Check a plugin object already registered with ``pm``; raise :class:`Refused` if it
    cannot join (unknown hooks, a failing or wrong ``register_plugin``, a name already
    ``loaded``, a broken pack or ``normalize_pattern``)."""
    unknown = [h.name for h in pm.get_hookcallers(obj) or [] if not h.has_spec()]
    if unknown:
        known = ", ".join(sorted(n for n in dir(hookspecs) if n in HOOK_NAMES))
        raise Refused(label, version, f"unknown hook(s) {', '.join(sorted(unknown))}; known hooks are {known}")
    hooks = frozenset(h.name for h in pm.get_hookcallers(obj) or [])
    spec: Any = None
    if "register_plugin" in hooks:
        try:
            spec = (guard or Guard(None)).call(label, "register_plugin", obj.register_plugin)
        except BaseException as exc:  # SystemExit included: a plugin cannot stop the host
            if not contained(exc):
                raise
            raise Refused(label, version, f"register_plugin raised {type(exc).__name__}: {str(exc)[:300]}") from None
    if spec is None:
        spec = PluginSpec(name=str(label), version=version or "0")
    if not isinstance(spec, PluginSpec):
        raise Refused(label, version, f"register_plugin returned {type(spec).__name__}, not a syncdoctor.PluginSpec")
    name = spec.name
    checked_version = version or spec.version
    if not isinstance(name, str) or not name:
        raise Refused(label, checked_version, f"PluginSpec.name must be a non-empty string, not {name!r}")
    if name in loaded:
        holder = (taken_by or {}).get(name)
        raise Refused(name, checked_version, f"the name {name!r} is already taken by "
                      + (holder or "a plugin loaded before") + f"; this one ({label}) is not loaded")
    try:
        staged = Catalog()
        for pack_file in spec.packs:
            staged.add_pack(load_pack(pack_file), name, spec.functions, str(pack_file))
        raw_pattern = compile_regex(spec.normalize_pattern) if spec.normalize_pattern else None
    except PackError as exc:
        raise Refused(name, checked_version, f"invalid rule pack: {exc}") from None
    except CompileError as exc:
        raise Refused(name, checked_version, f"invalid normalize_pattern: {exc}") from None
    _check_systems(spec, checked_version, staged)
    return Registration(spec, checked_version, hooks, staged, raw_pattern)


_SYSTEM_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _check_systems(spec: PluginSpec, version: str, staged: Catalog) -> None:
    """Every step names a shared system or one the plugin declares in ``PluginSpec.systems``."""
    bad_names = [s for s in spec.systems if not isinstance(s, str) or not _SYSTEM_NAME.match(s)]
    if bad_names:
        raise Refused(spec.name, version, f"PluginSpec.systems: {bad_names[0]!r} is not a system name "
                      "(lower-case letters, digits and underscores, starting with a letter)")
    known = set(SYSTEMS) | set(spec.systems)
    for cp in staged.problems.values():
        plan = cp.problem.remediation
        for step in [*plan.steps, *(s for alt in plan.alternatives for s in alt.steps)]:
            if step.system not in known:
                raise Refused(spec.name, version, f"problem {cp.id}: a step names system {step.system!r}, which is "
                              f"neither shared ({', '.join(SYSTEMS)}) nor declared by the plugin; add it to "
                              f"PluginSpec.systems (RulePackPlugin.systems) if it is the plugin's own")
