"""What a plugin tells the host about itself, and the base class of rule-pack plugins."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import pluggy
from pydantic import BaseModel

from ..errors import SyncdoctorError
from ..model.entities import EntityBase
from ..model.reports import ErrorReport
from ..rules.loader import pack_files

__all__ = [
    "deferred",
    "FetchOption",
    "FetchResult",
    "PluginSpec",
    "RulePackPlugin",
    "hookimpl",
]

hookimpl = pluggy.HookimplMarker("syncdoctor")
"""Marker for hook implementations: ``@hookimpl def validate_entry(entity, context): ...``."""


class deferred:  # noqa: N801 - used like a function: deferred("pkg.demo:run")
    """A callable named ``"module:attribute"``, imported on its first call.

    For what a plugin registers but a command rarely runs (its demo, sandboxes and tools):
    every command loads every plugin, and a sandbox imports the HTTP server, a demo its
    sandbox, so importing them at registration cost each command ~20 ms of start-up. The
    import error, if any, surfaces at the first call as a :class:`SyncdoctorError` naming the target.
    """

    __slots__ = ("_target", "_fn")

    def __init__(self, target: str) -> None:
        module, sep, name = target.partition(":")
        if not sep or not module or not name:
            raise ValueError(f"deferred target {target!r} must be 'module:attribute'")
        self._target = target
        self._fn: Callable[..., Any] | None = None

    def resolve(self) -> Callable[..., Any]:
        if self._fn is None:
            module, _, name = self._target.partition(":")
            try:
                self._fn = getattr(importlib.import_module(module), name)
            except (ImportError, AttributeError) as exc:  # a message on the command line, not a traceback
                raise SyncdoctorError(f"{self._target} cannot be loaded ({type(exc).__name__}: {exc}); "
                                      "the plugin that registered it is broken") from exc
        return self._fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"deferred({self._target!r})"


@dataclass(frozen=True)
class FetchOption:
    """A command-line option of ``syncdoctor fetch SOURCE`` (also read from ``env``).

    ``example`` is the value ``--help`` shows after "e.g." (or the whole ``--flag value``);
    without one, the CLI shows the option's variable or its default.
    """

    flag: str
    help: str
    env: str | None = None
    secret: bool = False
    default: str | None = None
    example: str | None = None


@dataclass(frozen=True)
class PluginSpec:
    """A plugin's registration, returned by its ``register_plugin`` hook.

    Everything is optional but ``name``: a plugin may be a rule pack and nothing else.
    """

    name: str
    version: str = "0"
    packs: tuple[Path | Traversable, ...] = ()
    context_model: type[BaseModel] | None = None
    functions: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    entity_models: Mapping[str, type[EntityBase]] = field(default_factory=dict)
    vendors: tuple[str, ...] = ()
    #: systems of its own that the plugin's steps may name, beyond the shared SYSTEMS
    systems: tuple[str, ...] = ()
    normalize_report: Callable[[ErrorReport], list[ErrorReport]] | None = None
    normalize_pattern: str | None = None
    fetch_options: Mapping[str, tuple[FetchOption, ...]] = field(default_factory=dict)
    sandboxes: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    #: called with the Host and a language; typed loosely because the host imports this
    #: module (the contract sits below the host that reads it)
    demo: Callable[[Any, str], Any] | None = None
    description: str = ""
    tools: Mapping[str, Callable[..., Any]] = field(default_factory=dict)


class FetchResult:
    """Entities from a source, streamed; ``state`` and ``stats`` are final once iterated.

    ``state`` is what a host persists to resume the next fetch where this one stopped.
    """

    def __init__(self, items: Iterable[EntityBase], state: dict[str, Any] | None = None) -> None:
        self._items = items
        self.state: dict[str, Any] = dict(state or {})
        self.stats: dict[str, int] = {}

    def __iter__(self) -> Iterator[EntityBase]:
        return iter(self._items)


class RulePackPlugin:
    """Base class for a plugin that is mostly a rule pack.

    Subclass it, set the class attributes, and expose one instance as the entry point::

        class Xero(RulePackPlugin):
            name = "xero"
            version = "0.1.0"
            rules = files(__package__) / "rules"
            context_model = XeroContext

        plugin = Xero()
    """

    name: str = ""
    version: str = "0"
    rules: Path | Traversable | None = None
    context_model: type[BaseModel] | None = None
    vendors: tuple[str, ...] = ()
    systems: tuple[str, ...] = ()
    """Systems of its own its steps may name (``system: xero``), beyond ``syncdoctor.SYSTEMS``."""
    description: str = ""
    normalize_pattern: str | None = None
    """RE2 pattern of plain-text messages that :meth:`normalize_report` must also see."""

    def functions(self) -> Mapping[str, Callable[..., Any]]:
        """Named Python checks the pack calls with ``call:`` (the escape hatch)."""
        return {}

    def entity_models(self) -> Mapping[str, type[EntityBase]]:
        return {}

    def normalize_report(self, report: ErrorReport) -> list[ErrorReport]:
        """Split or enrich a raw report (e.g. a JSON Fault) before its patterns are matched.

        Called only for reports that carry a raw document: a ``payload``, a message that is
        itself JSON (a pasted response body), or a message matching ``normalize_pattern`` (RE2)
        when the plugin sets one. Must return ``[report]`` for anything that is not its own.
        """
        return [report]

    def spec(self) -> PluginSpec:
        packs: tuple[Path | Traversable, ...] = ()
        if self.rules is not None:
            packs = tuple(pack_files(self.rules)) if self.rules.is_dir() else (self.rules,)
        return PluginSpec(
            name=self.name,
            version=self.version,
            packs=packs,
            context_model=self.context_model,
            functions=dict(self.functions()),
            entity_models=dict(self.entity_models()),
            vendors=self.vendors,
            systems=tuple(self.systems),
            normalize_report=(self.normalize_report
                              if type(self).normalize_report is not RulePackPlugin.normalize_report else None),
            normalize_pattern=self.normalize_pattern,
            description=self.description,
            **self.extra_spec(),
        )

    def extra_spec(self) -> dict[str, Any]:
        """Override to add fetch options, sandboxes, a demo section or tools."""
        return {}

    @hookimpl
    def register_plugin(self) -> PluginSpec:
        return self.spec()
