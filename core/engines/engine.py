"""The engine interface, and what every engine shares.

An engine answers two questions over a compiled :class:`Catalog`:

* ``decide``: for each (problem, subject) pair, does the problem's condition hold?
* ``accept``: for a rejection, which candidate signatures hold in full?

Everything around those decisions (choosing subjects, correlation counters, params,
findings, diagnoses) is shared in :class:`Engine`, so that the engines differ only where
they really differ and a differential test can compare them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from typing import Any

from ..model.entities import EntityBase
from ..model.reports import Diagnosis, ErrorReport, Finding
from ..model.trusted import trusted
from ..rules.catalog import Catalog, CompiledProblem, CompiledSignature, Scan, normalize_code
from ..rules.conditions.batch import BatchState, count_repeats, first_seen
from ..rules.conditions.calls import PluginCallError
from ..rules.paths import MISSING, Scope
from .program import Fired

__all__ = ["Engine", "Subject", "plugin_error_finding"]

Subject = tuple[CompiledProblem, int | None, Scope]


class Engine:
    """Shared machinery; subclasses implement :meth:`decide` and :meth:`accept`."""

    name = "base"

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._chosen: dict[tuple[Any, ...], list[tuple[CompiledProblem, str, tuple[str, str] | None, list[Any]]]] = {}
        self._travels: dict[tuple[str | None, str | None, int], frozenset[str]] = {}

    # -- what differs between engines

    def decide(self, subjects: Sequence[Subject]) -> list[bool | BaseException]:
        raise NotImplementedError

    def accept(
        self, report: ErrorReport, candidates: Sequence[CompiledSignature], hit: Set[int]
    ) -> list[CompiledSignature]:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the engine holds (the durable engine's facts)."""

    # -- validation

    def subjects(
        self,
        entity: EntityBase,
        contexts: Mapping[str, Any],
        state: BatchState,
        plugins: frozenset[str] | None = None,
        only: str | None = None,
    ) -> list[Subject]:
        chosen: list[Subject] = []
        travel = self._travel(entity)
        # scopes are shared by the problems of one plugin (same context) that look at the
        # same subject, unless a problem counts repeats: it keeps its counts on its scope
        shared: dict[Any, Any] = {}
        for cp, plugin, each_key, repeats in self._problems_for(entity.kind, only, plugins, travel):
            ctx = contexts.get(plugin) if contexts else None
            if each_key is None:
                if repeats:
                    scope = Scope(entity, entity, ctx)
                    scope.pre = count_repeats(cp.id, repeats, scope, state)
                else:
                    scope = shared.get(plugin) or Scope(entity, entity, ctx)
                    shared[plugin] = scope
                chosen.append((cp, None, scope))
                continue
            items = shared.get(each_key)
            if items is None:
                found = cp.for_each.resolve(Scope(entity, entity, ctx))  # type: ignore[union-attr]
                items = shared[each_key] = ([(i, Scope(item, entity, ctx)) for i, item in enumerate(found)
                                             if item is not MISSING and item is not None]
                                            if isinstance(found, list) else [])
            if not repeats:
                chosen += [(cp, i, sc) for i, sc in items]
                continue
            for i, sc in items:
                scope = Scope(sc.subject, entity, ctx)
                scope.pre = count_repeats(cp.id, repeats, scope, state)
                chosen.append((cp, i, scope))
        return chosen

    def _travel(self, entity: EntityBase) -> frozenset[str] | None:
        """The plugins an entity travels between (its source and target, named or by vendor
        alias): only their rules look at it, even when they are not loaded. None when it
        names neither; kept per (source, target), bounded."""
        if not (entity.source or entity.target):
            return None
        key = (entity.source, entity.target, len(self.catalog.problems))
        travel = self._travels.get(key)
        if travel is None:
            # only plugins with problems matter: any other name (a vendor nobody handles) is
            # left out, so that programs and problem lists are kept per plugin set
            owners = {cp.plugin for cp in self.catalog.problems.values()}
            travel = frozenset({self.catalog.plugin_for(v) or v for v in key[:2] if v} & owners)
            if len(self._travels) >= 4096:
                self._travels.clear()
            self._travels[key] = travel
        return travel

    def _problems_for(
        self, kind: str, only: str | None, plugins: frozenset[str] | None, travel: frozenset[str] | None
    ) -> list[tuple[CompiledProblem, str, tuple[str, str] | None, list[Any]]]:
        """The problems that look at an entity of this kind, for these filters, with what
        :meth:`subjects` reads of each: (problem, plugin, key of its list subject, repeats).
        Kept per filter: a stream has few distinct ones."""
        key = (kind, only, plugins, travel, len(self.catalog.problems))  # a catalog only grows
        chosen = self._chosen.get(key)
        if chosen is None:
            chosen = [(cp, cp.plugin, (cp.for_each_text, cp.plugin) if cp.for_each is not None else None, cp.repeats)
                      for cp in self.catalog.for_entity(kind)
                      if (only is None or cp.id == only) and (plugins is None or cp.plugin in plugins)
                      and (travel is None or cp.plugin in travel)]
            if len(self._chosen) < 4096:  # bounded, whatever the input
                self._chosen[key] = chosen
        return chosen

    def validate(
        self,
        entity: EntityBase,
        ref: str | int | None,
        contexts: Mapping[str, Any],
        state: BatchState,
        lang: str = "en",
        plugins: frozenset[str] | None = None,
        only: str | None = None,
    ) -> list[Finding]:
        state.entity_ref = ref
        findings: list[Finding] = []
        for cp, index, scope in self.fired(entity, contexts, state, plugins, only):
            if isinstance(scope, BaseException):
                findings.append(plugin_error_finding(cp.plugin, ref, scope, cp.id))
                continue
            try:
                findings.append(self.finding(cp, index, scope, ref, state, lang))
            except PluginCallError as exc:
                findings.append(plugin_error_finding(cp.plugin, ref, exc, cp.id))
        return findings

    def fired(
        self,
        entity: EntityBase,
        contexts: Mapping[str, Any],
        state: BatchState,
        plugins: frozenset[str] | None = None,
        only: str | None = None,
    ) -> list[Fired]:
        """The subjects whose problem fires, in catalog order, each with its scope, or with
        the error a named check raised while deciding it."""
        subjects = self.subjects(entity, contexts, state, plugins, only)
        if not subjects:
            return []
        return [(cp, index, decision if isinstance(decision, BaseException) else scope)
                for (cp, index, scope), decision in zip(subjects, self.decide(subjects), strict=True)
                if decision is not False]

    def hits(self, entity: EntityBase, contexts: Mapping[str, Any], problem_id: str) -> list[dict[str, Any]]:
        """Params of every place where one problem holds in one entity (for remediation)."""
        state = BatchState()
        found = self.validate(entity, entity.id, contexts, state, only=problem_id)
        return [f.params for f in found if f.problem == problem_id]

    def finding(
        self, cp: CompiledProblem, index: int | None, scope: Scope, ref: str | int | None, state: BatchState, lang: str
    ) -> Finding:
        if index is None:
            path = cp.detect_path
            params: dict[str, Any] = {"pointer": ""}
        else:
            path, pointer = cp.subject_path(index)
            params = {"index": index, "pointer": pointer}
        if cp.repeats:
            first = first_seen(cp.id, cp.repeats, scope, state)
            if first is not None and first != ref:
                params["first"] = first
            counts = [c for c in (scope.pre or []) if c is not None]
            if counts:
                params["occurrence"] = max(counts)
        if cp.params is not None:
            params.update(cp.params(scope))
        message = cp.render_message(params, lang)
        # valid by construction (compiled pack, engine's own ref and params): no re-validation
        return trusted(Finding, _FINDING_FIELDS, {"problem": cp.id, "severity": cp.severity, "entity": ref,
                                                   "path": path, "message": message, "params": params})

    # -- classification

    def scan(self, report: ErrorReport, plugin: str | None, skip: Set[int] = frozenset()) -> Scan:
        """The signature that decides a report (among those the engine accepts), the message
        as UTF-8, and whether a plugin's raw-report pattern matched it."""
        candidates, hit, data, raw = self.catalog.candidates(report, plugin)
        accepted = self.accept(report, [s for s in candidates if s.index not in skip], hit) if candidates else []
        return self.catalog.best(accepted), data, raw

    def classify(
        self, report: ErrorReport, plugin: str | None, lang: str = "en", index: int | None = None,
        scan: Scan | None = None,
    ) -> Diagnosis:
        """The diagnosis of one report; ``scan`` is :meth:`scan`'s answer, when the caller
        already asked."""
        best, data, _ = scan or self.scan(report, plugin)
        fallback = self.catalog.status_fallback(report.http_status)
        if fallback is not None:
            # Issue 14: never a bare unknown when the status says more; and a report that names
            # no vendor gets the core's answer for its status rather than a vendor guessed silently
            if best is not None and plugin is None:
                best = self._vendor_signature(report, best)
            if best is None:
                return self.status_diagnosis(fallback.problem, report, lang, index)
        if best is None:
            return self.unknown(report, lang, index)
        named: dict[str, str] | None = None
        if best.groups is not None:
            named = best.groups(data)
            skip: set[int] = set()
            while named is None and best is not None:  # the set and the pattern disagree: never seen
                skip.add(best.index)
                best, data, _ = self.scan(report, plugin, skip)
                named = best.groups(data) if best is not None and best.groups is not None else {}
            if best is None:
                return self.unknown(report, lang, index)
        params: dict[str, Any] = dict(report.params) if report.params else {}
        if best.params:
            params.update(best.params)
        if named:
            params.update(named)
        return self.diagnosis(best.problem, params, report, lang, index)

    def diagnosis(
        self, cp: CompiledProblem, params: dict[str, Any], report: ErrorReport | None, lang: str,
        index: int | None = None, problem_id: str | None = None, vendor: str | None = None,
    ) -> Diagnosis:
        """``cp``'s diagnosis with these params; ``problem_id`` and ``vendor`` stand in for the
        problem's own (the core's fallback speaks as ``unknown``, for the report's vendor)."""
        values = cp.plan(lang).diagnosis_values(params, index, report.record if report else None)
        if problem_id:
            values.update(problem=problem_id, vendor=vendor, category=None)
        return trusted(Diagnosis, _DIAGNOSIS_FIELDS, values)

    def _vendor_signature(self, report: ErrorReport, best: CompiledSignature) -> CompiledSignature | None:
        """For a report naming no vendor: the signature that also tells its vendor, else None.
        A status fits every vendor; a text or a code tells one, unless signatures of several
        vendors match it. Decided on the catalog's criteria, the same for both engines (they
        agree on them: tests/core/test_differential.py)."""
        if best.problem.plugin == "core":
            return best
        candidates, hit, _, _ = self.catalog.candidates(report, None)
        code, status, holds = normalize_code(report.code), report.http_status, self.catalog.holds
        telling = [s for s in candidates if (s.regex is not None or s.codes) and s.problem.plugin != "core"
                   and holds(s, code, status, hit)]
        if len({s.problem.plugin for s in telling}) != 1:
            return None
        return best if any(s is best for s in telling) else self.catalog.best(telling)

    def status_diagnosis(self, cp: CompiledProblem, report: ErrorReport, lang: str, index: int | None = None) -> Diagnosis:
        """The core's diagnosis of a report that only its HTTP status explains, spoken for the
        report's vendor (its plugin's name when known), or for no vendor at all."""
        values = cp.plan(lang).diagnosis_values(dict(report.params), index, report.record)
        values["vendor"] = self.catalog.plugin_for(report.vendor) or report.vendor
        return trusted(Diagnosis, _DIAGNOSIS_FIELDS, values)

    def unknown(self, report: ErrorReport, lang: str, index: int | None = None) -> Diagnosis:
        params: dict[str, Any] = dict(report.params)
        fallback = self.catalog.problems.get("core.unknown_error")
        if fallback is None:
            return Diagnosis(problem="unknown", vendor=report.vendor, params=params, record=report.record, input=index)
        return self.diagnosis(fallback, params, report, lang, index, problem_id="unknown", vendor=report.vendor)


_DIAGNOSIS_FIELDS = frozenset(Diagnosis.model_fields)
_FINDING_FIELDS = frozenset(Finding.model_fields)


def plugin_error_finding(plugin: str, ref: str | int | None, error: BaseException, problem: str | None = None) -> Finding:
    """A plugin that raised becomes a finding; the batch goes on."""
    where = f" in {problem}" if problem else ""
    detail = f"{type(error).__name__}: {error}"
    if isinstance(error, PluginCallError):
        detail = str(error)
    return Finding(
        problem="core.plugin_error",
        severity="error",
        entity=ref,
        path=None,
        message=f"plugin {plugin} failed{where}: {detail[:300]}",
        params={"plugin": plugin, "error": type(error).__name__, **({"rule": problem} if problem else {})},
    )
