"""The host: loads plugins one by one, compiles their packs, and answers in batches."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from importlib.resources import files
from typing import Any

import pluggy
from pydantic import BaseModel, ValidationError

from .. import hookspecs
from ..engines.native import Engine, NativeEngine, plugin_error_finding
from ..errors import EngineUnavailable, InputError, PluginLoadError, SyncdoctorError
from ..model.entities import (
    CORE_ENTITY_MODELS,
    SYSTEMS,
    Diagnosis,
    EntityBase,
    ErrorReport,
    Finding,
    RemediationPlan,
)
from ..model.parsing import parse_context, parse_entity, parse_report
from ..rules.catalog import Catalog
from ..rules.conditions.batch import BatchState
from ..rules.loader import load_pack
from ..rules.patches import apply_patch
from ..rules.remediation import render_plan
from .plugins import FetchResult, PluginSpec, hookimpl
from .registration import Refused, check_plugin

__all__ = ["BrokenPlugin", "EntityResult", "Host", "LoadedPlugin"]

log = logging.getLogger("syncdoctor")
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


@dataclass(frozen=True)
class EntityResult:
    """The findings for one input entity, in input order."""

    entity: str | int
    findings: list[Finding]
    parsed: EntityBase | None = None

    def to_json(self) -> dict[str, Any]:
        return {"entity": self.entity, "findings": [f.model_dump(mode="json") for f in self.findings]}


def _env_list(name: str) -> set[str] | None:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return None
    return {p.strip() for p in raw.split(",") if p.strip()}


class _PackRunner:
    """The core's own plugin: answers the hooks from the compiled rule packs."""

    def __init__(self, host: Host) -> None:
        self.host = host

    @hookimpl(trylast=True)
    def validate_entry(self, entity: EntityBase, context: Mapping[str, Any], batch: BatchState) -> list[Finding]:
        return self.host.engine.validate(entity, entity.id, context, batch)

    @hookimpl(trylast=True)
    def classify_error(self, report: ErrorReport, lang: str) -> list[Diagnosis]:
        return self.host._classify_packs(report, None, lang)

    @hookimpl(trylast=True)
    def remediate(
        self, problem: str, params: Mapping[str, Any], entity: EntityBase | None, lang: str
    ) -> RemediationPlan | None:
        cp = self.host.catalog.problems.get(problem)
        if cp is None:
            return None
        return render_plan(cp.problem, params, lang)


class Host:
    """Loads plugins and answers for every entity and every rejection.

    Tests and embedding services name the plugins they want; only
    :meth:`from_entry_points` (and the command line) discovers installed ones::

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
    ) -> None:
        self.strict = strict if strict is not None else os.environ.get(ENV_STRICT, "") not in ("", "0")
        trace = trace if trace is not None else os.environ.get(ENV_TRACE, "") not in ("", "0")
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
            self._enable_trace()
        self.pm.register(_PackRunner(self), name="core")
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
    ) -> Host:
        """Load installed plugins of the group ``syncdoctor``, one by one.

        ``names`` (or ``SYNCDOCTOR_PLUGINS``) restricts to an allow-list;
        ``SYNCDOCTOR_DISABLE_PLUGINS`` is a deny-list. A plugin that fails to import is
        reported in :attr:`broken` and the others load, unless strict.
        """
        host = cls(engine=engine, strict=strict, trace=trace)
        allow = set(names) if names is not None else _env_list(ENV_ALLOW)
        deny = _env_list(ENV_DENY) or set()
        seen: set[str] = set()
        for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if ep.name in seen or ep.name in deny or (allow is not None and ep.name not in allow):
                continue
            seen.add(ep.name)
            dist = ep.dist
            version = dist.version if dist is not None else None
            try:
                obj = ep.load()
            except Exception as exc:
                host._broken(ep.name, version, f"import failed: {type(exc).__name__}: {exc}")
                continue
            host.add_plugin(obj, name=ep.name, version=version, distribution=dist.name if dist else None)
        if allow is not None:
            for missing in sorted(allow - seen - deny):
                host._broken(missing, None, "not installed (no entry point in the group 'syncdoctor')")
        return host

    def _broken(self, name: str, version: str | None, reason: str) -> None:
        if self.strict:
            raise PluginLoadError(name, version, reason)
        log.info("plugin %s %s not loaded: %s", name, version or "?", reason)
        self.broken.append(BrokenPlugin(name, version, reason))

    def add_plugin(
        self, obj: Any, *, name: str | None = None, version: str | None = None, distribution: str | None = None
    ) -> LoadedPlugin | None:
        """Register one plugin object (a module or an instance with hook implementations)."""
        label = str(name or getattr(obj, "name", None) or getattr(obj, "__name__", None) or type(obj).__name__)
        try:
            self.pm.register(obj, name=f"plugin:{label}")
        except Exception as exc:  # PluginValidationError, duplicate registration, ...
            self._broken(label, version, f"invalid hooks: {exc}")
            return None
        try:
            checked = check_plugin(self.pm, obj, label, version, self.plugins)
        except Refused as refused:
            self.pm.unregister(obj)
            self._broken(refused.name, refused.version, refused.reason)
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
        if spec.normalize_report is not None:
            self._normalizers = True
            if checked.raw_pattern is not None:
                self.catalog.add_raw_pattern(plugin_name, checked.raw_pattern.pattern)
        self._engine = None
        return loaded

    def _enable_trace(self) -> None:
        if not trace_log.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("syncdoctor trace: %(message)s"))
            trace_log.addHandler(handler)
        trace_log.setLevel(logging.DEBUG)

        def before(hook_name: str, impls: Any, kwargs: Any) -> None:
            trace_log.debug("call %s -> %s", hook_name, [i.plugin_name for i in impls])

        def after(outcome: Any, hook_name: str, impls: Any, kwargs: Any) -> None:
            trace_log.debug("done %s", hook_name)

        self.pm.add_hookcall_monitoring(before, after)

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
        if name == "native":
            return NativeEngine(self.catalog)
        if name == "durable":
            from ..engines.durable import DurableEngine

            return DurableEngine(self.catalog)
        raise EngineUnavailable(f"unknown engine {name!r}; choose native or durable")

    def _custom(self, hook: str) -> list[Any]:
        """Hook implementations other than the core's pack runner (called one by one)."""
        return [i for i in getattr(self.pm.hook, hook).get_hookimpls() if i.plugin_name != "core"]

    def _call(self, impl: Any, kwargs: dict[str, Any]) -> Any:
        args = {k: kwargs[k] for k in impl.argnames if k in kwargs}
        if self._trace:
            trace_log.debug("call %s.%s", impl.plugin_name, impl.function.__name__)
        return impl.function(**args)

    # ------------------------------------------------------------------ parsing

    def parse_entity(self, raw: Any, record: int | str | None = None) -> EntityBase:
        """Parse one entity, or raise :class:`InputError` naming the record and the field."""
        return parse_entity(self.entity_models, raw, record)

    def _contexts(self, context: Any) -> dict[str, Any]:
        if context is None:
            return {}
        if _is_parsed(context, self):
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
        Rule-pack plugins run inside the engine without a pluggy call per record.
        """
        contexts = self._contexts(context)
        engine = self.engine
        only = frozenset(plugins) if plugins is not None else None
        state = state or BatchState()
        custom = self._custom("validate_entry")
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
            for impl in custom:
                plugin = impl.plugin_name.removeprefix("plugin:")
                if only is not None and plugin not in only:
                    continue
                try:
                    extra = self._call(impl, {"entity": entity, "context": contexts, "batch": state})
                except Exception as exc:
                    findings.append(plugin_error_finding(plugin, ref, exc))
                    continue
                try:
                    checked = [f if isinstance(f, Finding) else Finding.model_validate(f) for f in extra or ()]
                except (ValidationError, TypeError) as exc:
                    findings.append(plugin_error_finding(plugin, ref, exc))
                    continue
                for f in checked:
                    findings.append(f if f.entity is not None else f.model_copy(update={"entity": ref}))
            yield EntityResult(ref, findings, entity)

    def _is_known_target(self, name: str) -> bool:
        """A loaded plugin or vendor alias, a system of the vocabulary (``pennylane``), or an
        installed plugin this host did not load."""
        if self.catalog.plugin_for(name) is not None or name in SYSTEMS:
            return True
        if self._installed is None:
            self._installed = {ep.name for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}
        return name in self._installed

    # ------------------------------------------------------------------ classification

    def _plugin_of(self, vendor: str | None) -> str | None:
        return self.catalog.plugin_for(vendor)

    def normalize(self, report: ErrorReport) -> list[ErrorReport]:
        """Let the owning plugin split or enrich a raw report (e.g. a JSON Fault)."""
        plugin = self._plugin_of(report.vendor)
        candidates = [self.plugins[plugin]] if plugin in self.plugins else list(self.plugins.values())
        for loaded in candidates:
            normalize = loaded.spec.normalize_report
            if normalize is None:
                continue
            try:
                out = normalize(report)
            except Exception as exc:
                log.warning("plugin %s failed to normalise a report: %s", loaded.name, exc)
                continue
            if plugin is not None or (out and out != [report]):
                return [r if r.vendor else r.model_copy(update={"vendor": loaded.name}) for r in out] or [report]
        return [report]

    @staticmethod
    def _is_raw(report: ErrorReport) -> bool:
        """Whether a report is for the plugins' normalizers by its shape: it carries a payload,
        or its message is itself JSON (a pasted response body). A message that matches a
        plugin's ``normalize_pattern`` is told by the catalog's pass over it."""
        if report.payload is not None:
            return True
        head = report.message[:1]
        if head and head.isspace():
            head = report.message.lstrip()[:1]
        return head == "{" or head == "["

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
        if not (scan[2] or (self._normalizers and self._is_raw(report))):
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
        custom = self._custom("classify_error")
        engine = self.engine
        classify_packs = self._classify_packs
        for index, raw in enumerate(reports):
            try:
                report = raw if type(raw) is ErrorReport else self._report(raw, index)
            except InputError as exc:
                yield [invalid_report(exc, index, lang, self)]
                continue
            if vendor and not report.vendor:
                report = report.model_copy(update={"vendor": vendor})
            diags = classify_packs(report, None, lang, index, engine)
            for impl in custom:
                try:
                    extra = self._call(impl, {"report": report, "lang": lang})
                    extra = [d if isinstance(d, Diagnosis) else Diagnosis.model_validate(d) for d in extra or ()]
                except Exception as exc:  # a broken classifier must not stop the batch
                    log.warning("plugin %s failed in classify_error: %s", impl.plugin_name, exc)
                    continue
                if extra:
                    known = [d for d in diags if d.problem != "unknown"]
                    diags = known + [d.model_copy(update={"input": index}) for d in extra]
            yield diags

    def _report(self, raw: Any, index: int) -> ErrorReport:
        return parse_report(raw, index)

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
            plan = self._first_answer("remediate", {"problem": problem, "params": place, "entity": parsed, "lang": lang})
            plans.append(plan if isinstance(plan, RemediationPlan) else render_plan(cp.problem, place, lang))
        return plans

    def _first_answer(self, hook: str, kwargs: dict[str, Any]) -> Any:
        """A firstresult hook whose raising implementations are left out instead of aborting
        everyone's answer (pluggy stops the whole call at the first exception). Wrappers keep
        working: the call goes through pluggy, without the plugins found to raise."""
        caller = getattr(self.pm.hook, hook)
        try:
            return caller(**kwargs)
        except Exception as exc:
            log.warning("a plugin failed in %s: %s: %s", hook, type(exc).__name__, exc)
        raising = []
        for impl in caller.get_hookimpls():
            if impl.wrapper or impl.hookwrapper:
                continue
            try:
                self._call(impl, kwargs)
            except Exception:
                raising.append(impl.plugin)
        try:
            return self.pm.subset_hook_caller(hook, remove_plugins=raising)(**kwargs)
        except Exception as exc:
            log.warning("%s failed again without the raising plugins: %s", hook, exc)
            return None

    def apply_fixes(
        self, entity: Any, context: Mapping[str, Any] | None = None, *, problem: str | None = None,
        max_rounds: int = 10_000,
    ) -> tuple[EntityBase, list[dict[str, Any]]]:
        """Apply every automatic, unconfirmed patch until none is left; returns the fixed
        entity and what was applied. Applying it again changes nothing."""
        current = self.parse_entity(entity)
        contexts = self._contexts(context)
        applied: list[dict[str, Any]] = []
        for _ in range(max_rounds):
            findings = self.engine.validate(current, current.id, contexts, BatchState())
            progress = False
            for finding in findings:
                if problem is not None and finding.problem != problem:
                    continue
                cp = self.catalog.problems.get(finding.problem)
                if cp is None:
                    continue
                plan = render_plan(cp.problem, finding.params, "en")
                for step in plan.steps:
                    if step.automatic and step.patch and not step.confirm:
                        doc = current.model_dump(mode="json", exclude_none=True, by_alias=True)
                        patched = apply_patch(doc, step.patch)
                        if patched != doc:
                            current = self.parse_entity(patched)
                            applied.append({"problem": finding.problem, "path": finding.path, "patch": step.patch})
                            progress = True
                if progress:
                    break
            if not progress:
                break
        return current, applied

    # ------------------------------------------------------------------ sources and sandboxes

    def fetch(self, source: str, options: Mapping[str, Any]) -> FetchResult:
        """Entities from a source; a plugin that fails while answering is named in the error."""
        result = None
        for impl in reversed(self.pm.hook.fetch_transactions.get_hookimpls()):
            try:
                result = self._call(impl, {"source": source, "options": dict(options)})
            except SyncdoctorError:
                raise
            except Exception as exc:
                name = impl.plugin_name.removeprefix("plugin:")
                raise PluginLoadError(name, None, f"fetch_transactions failed: {type(exc).__name__}: {exc}") from exc
            if result is not None:
                break
        if result is None:
            raise InputError(None, "source", f"no loaded plugin fetches from {source!r}; sources: "
                             + ", ".join(sorted(self.sources())))
        return result

    def sources(self) -> dict[str, tuple[Any, ...]]:
        out: dict[str, tuple[Any, ...]] = {}
        for loaded in self.plugins.values():
            out.update(loaded.spec.fetch_options)
        return out

    def sandboxes(self) -> dict[str, Callable[..., Any]]:
        out: dict[str, Callable[..., Any]] = {}
        for loaded in self.plugins.values():
            out.update(loaded.spec.sandboxes)
        return out

    def tool(self, name: str) -> Callable[..., Any] | None:
        """A function a plugin shares through the host (plugins never import each other)."""
        for loaded in self.plugins.values():
            if name in loaded.spec.tools:
                return loaded.spec.tools[name]
        return None


def _is_parsed(context: Any, host: Host) -> bool:
    if not isinstance(context, Mapping):
        return False
    return all(
        (name in host.context_models and isinstance(part, host.context_models[name]))
        or (name not in host.context_models and name in host.plugins)
        for name, part in context.items()
    )


def invalid_input(error: InputError, index: int) -> Finding:
    return Finding(
        problem="core.invalid_input",
        severity="error",
        entity=error.record if error.record is not None else index,
        path=error.field,
        message=str(error),
        params={"record": index, **({"field": error.field} if error.field else {})},
    )


def invalid_report(error: InputError, index: int, lang: str, host: Host) -> Diagnosis:
    cp = host.catalog.problems["core.invalid_input"]
    diag = host.engine.diagnosis(cp, {"record": index, "field": error.field or "-"}, None, lang, index)
    return diag.model_copy(update={"causes": [str(error), *diag.causes]})
