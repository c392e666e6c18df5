"""The host: loads plugins one by one, compiles their packs, and answers in batches."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from importlib.resources import files
from typing import Any

import pluggy
from pydantic import BaseModel

from .. import hookspecs
from ..engines.choice import make_engine
from ..engines.engine import Engine
from ..errors import InputError, PluginLoadError
from ..model.entities import CORE_ENTITY_MODELS, EntityBase
from ..model.parsing import parse_context, parse_entity, parse_report
from ..model.plans import SYSTEMS, RemediationPlan
from ..model.reports import Diagnosis, ErrorReport, Finding
from ..rules.catalog import Catalog
from ..rules.conditions.batch import BatchState
from ..rules.loader import load_pack
from ..rules.remediation import render_plan
from .batches import EntityResult, invalid_input, invalid_report, is_parsed, is_raw, normalize
from .calls import custom_impls, fetch_from, first_answer, plugin_diagnoses, plugin_failed, plugin_findings
from .fixes import apply_fixes
from .guard import Guard, guard_fetch
from .loading import (
    ENV_ENGINE,
    ENV_STRICT,
    ENV_TRACE,
    BrokenPlugin,
    LoadedPlugin,
    discover,
    enable_trace,
    env_flag,
    installed_names,
    provenance,
)
from .loading import hook_timeout as timeout_setting
from .pack_runner import PackRunner
from .plugins import FetchResult, deferred
from .registration import Refused, check_plugin

__all__ = ["BrokenPlugin", "EntityResult", "Host", "LoadedPlugin"]

log = logging.getLogger("syncdoctor")


class Host:
    """Loads plugins and answers for every entity and every rejection.

    Tests and embedding services name the plugins they want; only :meth:`from_entry_points`
    (and the command line) discovers installed ones::

        host = Host.from_entry_points(names=["acd"])
        for result in host.validate_many(records, context={"acd": {...}}):
            ...
    """

    def __init__(
        self,
        plugins: Iterable[Any] = (),
        *,
        engine: str | None = None,
        strict: bool | None = None,
        trace: bool | None = None,
        hook_timeout: float | None = None,
    ) -> None:
        self.strict = strict if strict is not None else env_flag(ENV_STRICT)
        self.guard = Guard(timeout_setting(hook_timeout))
        self._origins: dict[str, str] = {}  # plugin name -> the entry point that brought it
        trace = trace if trace is not None else env_flag(ENV_TRACE)
        self.pm = pluggy.PluginManager("syncdoctor")
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, LoadedPlugin] = {}
        self.broken: list[BrokenPlugin] = []
        self.catalog = Catalog()
        self.entity_models: dict[str, type[EntityBase]] = dict(CORE_ENTITY_MODELS)
        self.context_models: dict[str, type[BaseModel]] = {}
        self._lock = threading.Lock()
        self._normalizers = False
        self._installed: set[str] | None = None
        self._trace = trace
        if trace:
            enable_trace(self.pm)
        self.pm.register(PackRunner(lambda: self.engine, self._classify_packs, self.catalog), name="core")
        self.catalog.add_pack(load_pack(files("syncdoctor") / "packs" / "core.yaml"), "core", {}, "core.yaml")
        for plugin in plugins:
            name, obj = plugin if isinstance(plugin, tuple) else (None, plugin)
            self.add_plugin(obj, name=name)
        self.engine_name = engine or os.environ.get(ENV_ENGINE) or "native"
        self._engine: Engine | None = None

    # ------------------------------------------------------------------ loading

    @classmethod
    def from_entry_points(
        cls,
        names: Iterable[str] | None = None,
        *,
        engine: str | None = None,
        strict: bool | None = None,
        trace: bool | None = None,
        hook_timeout: float | None = None,
    ) -> Host:
        """Load installed plugins of the group ``syncdoctor``, one by one.

        ``names`` (or ``SYNCDOCTOR_PLUGINS``) restricts to an allow-list;
        ``SYNCDOCTOR_DISABLE_PLUGINS`` is a deny-list. A plugin that fails to import is
        reported in :attr:`broken` and the others load, unless strict.
        """
        host = cls(engine=engine, strict=strict, trace=trace, hook_timeout=hook_timeout)
        for found in discover(names):
            if isinstance(found, BrokenPlugin):
                host._broken(found.name, found.version, found.reason, warn=found.warn)
                continue
            ep, obj = found
            distribution, version, origin = provenance(ep)
            host.add_plugin(obj, name=ep.name, version=version, distribution=distribution, origin=origin)
        return host

    def _broken(self, name: str, version: str | None, reason: str, warn: bool = False) -> None:
        if self.strict:
            raise PluginLoadError(name, version, reason)
        (log.warning if warn else log.info)("plugin %s %s not loaded: %s", name, version or "?", reason)
        self.broken.append(BrokenPlugin(name, version, reason))

    def add_plugin(self, obj: Any, *, name: str | None = None, version: str | None = None,
                   distribution: str | None = None, origin: str | None = None) -> LoadedPlugin | None:
        """Register one plugin object (a module or an instance with hook implementations);
        ``origin`` (its entry point) names it when another plugin claims its name."""
        label = str(name or getattr(obj, "name", None) or getattr(obj, "__name__", None) or type(obj).__name__)
        try:
            self.pm.register(obj, name=f"plugin:{label}")
        except Exception as exc:  # PluginValidationError, duplicate registration, ...
            self._broken(label, version, f"invalid hooks: {exc}")
            return None
        origin = origin or f"plugin object {label}"
        try:
            checked = check_plugin(self.pm, obj, label, version, self.plugins, self.guard, self._origins)
        except Refused as refused:
            self.pm.unregister(obj)
            self._broken(refused.name, refused.version, refused.reason, warn="already taken" in refused.reason)
            return None
        spec, staged, plugin_name = checked.spec, checked.catalog, checked.spec.name
        # the packs compiled: only now do they join the host's catalog
        self.catalog.absorb(staged)
        for vendor in (plugin_name, *spec.vendors):
            self.catalog.add_vendor(vendor, plugin_name)
        self.entity_models.update(spec.entity_models)
        if spec.context_model is not None:
            self.context_models[plugin_name] = spec.context_model
        loaded = LoadedPlugin(
            name=plugin_name,
            version=checked.version,
            hooks=tuple(sorted(checked.hooks)),
            problems=len(staged.problems),
            spec=spec,
            distribution=distribution,
        )
        self.plugins[plugin_name] = loaded
        self._origins[plugin_name] = origin
        if spec.normalize_report is not None:
            self._normalizers = True
            if checked.raw_pattern is not None:
                self.catalog.add_raw_pattern(plugin_name, checked.raw_pattern.pattern)
        self._engine = None
        return loaded

    # ------------------------------------------------------------------ engine

    @property
    def engine(self) -> Engine:
        engine = self._engine
        if engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self.make_engine(self.engine_name)
                engine = self._engine
        return engine

    def make_engine(self, name: str) -> Engine:
        """Build an engine over the current catalog (``native`` or ``durable``)."""
        if not self.catalog._frozen:
            self.catalog.freeze()
        return make_engine(name, self.catalog)

    # ------------------------------------------------------------------ parsing

    def parse_entity(self, raw: Any, record: int | str | None = None) -> EntityBase:
        """Parse one entity, or raise :class:`InputError` naming the record and the field."""
        return parse_entity(self.entity_models, raw, record)

    def _contexts(self, context: Any) -> dict[str, Any]:
        if context is None:
            return {}
        if is_parsed(context, self.context_models, self.plugins):
            return dict(context)
        return self.parse_context(context)

    def parse_context(self, raw: Mapping[str, Any] | None) -> dict[str, Any]:
        """Validate the context document, keyed by plugin name, with each plugin's model."""
        return parse_context(self.context_models, set(self.plugins), raw)

    # ------------------------------------------------------------------ validation

    def validate(
        self,
        entity: Any,
        context: Mapping[str, Any] | None = None,
        *,
        lang: str = "en",
        plugins: Iterable[str] | None = None,
    ) -> list[Finding]:
        """Validate one entity (a model or a dict). Bad input becomes a finding, never an exception."""
        result = next(self.validate_many([entity], context, lang=lang, plugins=plugins))
        return result.findings

    def validate_many(
        self,
        records: Iterable[Any],
        context: Mapping[str, Any] | None = None,
        *,
        lang: str = "en",
        plugins: Iterable[str] | None = None,
        state: BatchState | None = None,
    ) -> Iterator[EntityResult]:
        """Stream findings for a stream of entities, in order, with flat memory.

        Each record may be an entity model, a dict, or an :class:`InputError` produced by a
        reader; a bad record yields a ``core.invalid_input`` finding and the batch goes on.
        Rule-pack plugins run inside the engine without a pluggy call per record."""
        contexts = self._contexts(context)
        engine = self.engine
        only = frozenset(plugins) if plugins is not None else None
        state = state or BatchState()
        custom = custom_impls(self.pm, "validate_entry")
        for index, raw in enumerate(records):
            state.position = index
            if isinstance(raw, InputError):
                yield EntityResult(index, [invalid_input(raw, index)])
                continue
            try:
                entity = self.parse_entity(raw, index)
            except InputError as exc:
                bad_ref: str | int = raw["id"] if isinstance(raw, dict) and isinstance(raw.get("id"), str) else index
                yield EntityResult(bad_ref, [invalid_input(exc, index)])
                continue
            ref: str | int = entity.id if entity.id is not None else index
            if entity.target and not self._is_known_target(entity.target):
                error = InputError(index, "target", f"no plugin is named {entity.target!r}; loaded: "
                                   + ", ".join(sorted(self.plugins)))
                yield EntityResult(ref, [invalid_input(error, index).model_copy(update={"entity": ref})])
                continue
            findings = engine.validate(entity, ref, contexts, state, lang, only)
            if custom:
                findings += plugin_findings(custom, {"entity": entity, "context": contexts, "batch": state}, ref,
                                            only, self._trace, self.guard)
            yield EntityResult(ref, findings, entity)

    def _is_known_target(self, name: str) -> bool:
        """A loaded plugin or vendor alias, a system (``pennylane``), or an installed plugin."""
        if self.catalog.plugin_for(name) is not None or name in self.systems():
            return True
        if self._installed is None:
            self._installed = installed_names()
        return name in self._installed

    # ------------------------------------------------------------------ classification

    def _plugin_of(self, vendor: str | None) -> str | None:
        return self.catalog.plugin_for(vendor)

    def normalize(self, report: ErrorReport) -> list[ErrorReport]:
        """Let the owning plugin split or enrich a raw report (e.g. a JSON Fault)."""
        return normalize(report, self._plugin_of(report.vendor), self.plugins)

    def _classify_packs(
        self, report: ErrorReport, vendor: str | None, lang: str, index: int | None = None,
        engine: Engine | None = None,
    ) -> list[Diagnosis]:
        """The packs' diagnoses of a report, through its plugin's normalizer when it is raw
        (the one route of every report, one at a time or in a batch)."""
        if vendor and not report.vendor:
            report = report.model_copy(update={"vendor": vendor})
        engine = engine or self.engine
        plugin_for = self.catalog.plugin_for
        plugin = plugin_for(report.vendor)
        scan = engine.scan(report, plugin)
        # raw when a plugin's normalize_pattern matched (scan[2]: such plugins have a
        # normalizer), or by its shape
        if not (scan[2] or (self._normalizers and is_raw(report))):
            return [engine.classify(report, plugin, lang, index, scan)]
        out = []
        for part in self.normalize(report):
            part_plugin = plugin_for(part.vendor)
            diag = engine.classify(part, part_plugin, lang, index, scan if part is report else None)
            if diag.problem == "unknown" and part_plugin is not None and report.vendor is None:
                diag = engine.classify(part, None, lang, index)
            out.append(diag)
        return out

    def classify(self, report: ErrorReport | Mapping[str, Any] | str, *, vendor: str | None = None,
                 lang: str = "en") -> list[Diagnosis]:
        """Diagnose one rejection; a Fault holding several errors gives several diagnoses."""
        return next(self.classify_many([report], vendor=vendor, lang=lang))

    def classify_many(
        self, reports: Iterable[Any], *, vendor: str | None = None, lang: str = "en"
    ) -> Iterator[list[Diagnosis]]:
        """Stream diagnoses for a stream of reports, in order: one list per input report."""
        custom = custom_impls(self.pm, "classify_error")
        engine = self.engine
        classify_packs = self._classify_packs
        for index, raw in enumerate(reports):
            try:
                report = raw if type(raw) is ErrorReport else parse_report(raw, index)
            except InputError as exc:
                yield [invalid_report(exc, index, lang, self.catalog, engine)]
                continue
            if vendor and not report.vendor:
                report = report.model_copy(update={"vendor": vendor})
            diags = classify_packs(report, None, lang, index, engine)
            yield plugin_diagnoses(custom, diags, {"report": report, "lang": lang}, index, self._trace, self.guard,
                                   partial(plugin_failed, engine, report, lang, index)) if custom else diags

    # ------------------------------------------------------------------ remediation

    def remediate(
        self,
        problem: str,
        params: Mapping[str, Any] | None = None,
        entity: Any = None,
        context: Mapping[str, Any] | None = None,
        *,
        lang: str = "en",
    ) -> list[RemediationPlan]:
        """Plans for a problem: one per place the problem holds in ``entity`` (if given)."""
        params = dict(params or {})
        parsed = self.parse_entity(entity) if entity is not None else None
        contexts = self._contexts(context)
        cp = self.catalog.problems.get(problem)
        if cp is None:
            raise InputError(None, "problem", f"unknown problem id {problem!r}; see `syncdoctor problems`")
        places = [dict(params)]
        if parsed is not None and cp.root is not None:
            hits = self.engine.hits(parsed, contexts, problem)
            if hits:
                places = [{**params, **hit} for hit in hits]
        plans = []
        for place in places:
            plan = first_answer(self.pm, "remediate", {"problem": problem, "params": place, "entity": parsed, "lang": lang},
                                self._trace, self.guard)
            plans.append(plan if isinstance(plan, RemediationPlan) else render_plan(cp.problem, place, lang))
        return plans

    def apply_fixes(
        self, entity: Any, context: Mapping[str, Any] | None = None, *, problem: str | None = None,
        max_rounds: int = 10_000,
    ) -> tuple[EntityBase, list[dict[str, Any]]]:
        """Apply every automatic, unconfirmed patch until none is left; returns the fixed
        entity and what was applied. Applying it again changes nothing."""
        return apply_fixes(self.parse_entity(entity), self._contexts(context), self.engine, self.catalog,
                           self.parse_entity, problem, max_rounds)

    # ------------------------------------------------------------------ sources and sandboxes

    def fetch(self, source: str, options: Mapping[str, Any]) -> FetchResult:
        """Entities from a source; a plugin that fails while answering is named in the error."""
        result = fetch_from(self.pm.hook.fetch_transactions.get_hookimpls(), source, options, self._trace, self.guard)
        if result is None:
            raise InputError(None, "source", f"no loaded plugin fetches from {source!r}; sources: "
                             + ", ".join(sorted(self.sources())))
        guard_fetch(result, source)
        return result

    def systems(self) -> tuple[str, ...]:
        """The systems steps may name: the shared ones, then those loaded plugins declare."""
        declared = [s for loaded in self.plugins.values() for s in loaded.spec.systems if s not in SYSTEMS]
        return (*SYSTEMS, *dict.fromkeys(declared))

    def sources(self) -> dict[str, tuple[Any, ...]]:
        """The sources loaded plugins fetch from, with their options (a later plugin wins)."""
        return {k: v for loaded in self.plugins.values() for k, v in loaded.spec.fetch_options.items()}

    def sandboxes(self) -> dict[str, Callable[..., Any]]:  # a deferred factory imports when called
        return {k: v for loaded in self.plugins.values() for k, v in loaded.spec.sandboxes.items()}

    def tool(self, name: str) -> Callable[..., Any] | None:
        """A function a plugin shares through the host (plugins never import each other)."""
        for loaded in self.plugins.values():
            if name in loaded.spec.tools:
                fn = loaded.spec.tools[name]
                return fn.resolve() if isinstance(fn, deferred) else fn  # a deferred tool: imported now
        return None
