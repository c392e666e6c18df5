"""Conformance checks driven by hypothesis: the host never raises on what it is given, a
plugin's named checks and hooks never fail, automatic patches fix what they flag, and the
two engines give the same answers."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky, FlakyFailure

from syncdoctor import ACTIONS, Host
from syncdoctor.engines.engine import Engine
from syncdoctor.errors import InputError
from syncdoctor.model.parsing import parse_report
from syncdoctor.rules.conditions.batch import BatchState

from . import strategies as sds
from ._failures import ConformanceFailure, Found, origin, short
from ._static import automatic_patch, patch_failure, problems_of

__all__ = ["Fuzzer"]


class _Warnings(logging.Handler):
    """Collects what the host logs when it swallows a plugin's exception."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


@contextmanager
def _host_warnings() -> Iterator[_Warnings]:
    logger = logging.getLogger("syncdoctor")
    handler = _Warnings()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


class Fuzzer:
    """The property checks of one plugin on one host."""

    def __init__(self, host: Host, plugin: str, plugin_dirs: list[Path], max_examples: int) -> None:
        self.host = host
        self.plugin = plugin
        self.plugin_dirs = plugin_dirs
        # derandomized: a conformance run gives the same verdict on every machine and every run
        self.settings = settings(max_examples=max_examples, deadline=None, database=None, report_multiple_bugs=False,
                                 suppress_health_check=list(HealthCheck), print_blob=False, derandomize=True)
        spec = host.plugins[plugin].spec
        self.vendors: list[str | None] = [plugin, *spec.vendors, None]

    # -- running a property and turning its minimal failure into a ConformanceFailure

    def _run(self, check: str, strategy: st.SearchStrategy[Any], prop: Callable[[Any], None]) -> list[ConformanceFailure]:
        @self.settings
        @given(strategy)
        def property_(value: Any) -> None:
            prop(value)

        try:
            property_()
        except Found as found:
            return [found.failure]
        except (Flaky, FlakyFailure) as exc:
            return [ConformanceFailure(
                check, None, None, f"the same input failed once and passed once ({type(exc).__name__}: "
                f"{short(str(exc), 200)})",
                "something in your plugin is not deterministic (time, randomness, global state): "
                "the same entity or report must always get the same answer")]
        except Exception as exc:  # not the plugin's answer: generating the input itself failed
            return [ConformanceFailure(
                check, None, None, f"generating input failed: {type(exc).__name__}: {short(str(exc), 300)}",
                "this is a limitation of syncdoctor.testing (an unusual context model or entity kind?): "
                "report it with the plugin")]
        return []

    def _raised(self, check: str, what: str, value: Any, exc: BaseException) -> Found:
        who, where = origin(exc, self.plugin_dirs)
        reason = f"{what} raised {type(exc).__name__}: {short(str(exc), 200)} (at {where})"
        if who == "plugin":
            fix = "your plugin raised on this input: make it return None/False (or no finding) for data it cannot judge"
        elif who == "core":
            fix = "the exception comes from syncdoctor's core, not from your plugin: report it with this input"
        else:
            fix = "find which of your functions let this exception through and make it cope with this input"
        return Found(ConformanceFailure(check, None, f"input {short(value)}", reason, fix))

    # -- classify

    def _classify_prop(self, check: str) -> Callable[[Any], None]:
        host = self.host

        def prop(report: Any) -> None:
            for lang in ("en", "fr"):
                with _host_warnings() as warnings:
                    try:
                        diags = host.classify(report, lang=lang)
                    except Exception as exc:
                        raise self._raised(check, "classify", report, exc) from exc
                self._check_warnings(check, report, warnings)
                if not diags:
                    raise Found(ConformanceFailure(check, None, f"input {short(report)}", "classify returned no diagnosis",
                                                   "a classify_error hook must not replace the diagnoses with nothing"))
                for diag in diags:
                    known = diag.problem in ("unknown", "core.invalid_input") or diag.problem in host.catalog.problems
                    steps = [*diag.remediation.steps, *(s for alt in diag.remediation.alternatives for s in alt.steps)]
                    bad = [s.model_dump(exclude_none=True) for s in steps
                           if s.action not in ACTIONS or s.system not in host.systems()]
                    if not known or bad:
                        raise Found(ConformanceFailure(
                            check, diag.problem, f"input {short(report)}",
                            "a diagnosis names an unknown problem" if not known else f"a step is outside the vocabulary: {bad[0]}",
                            "diagnoses returned by hooks must name problems of a loaded pack and use ACTIONS/SYSTEMS"))

        return prop

    def _check_warnings(self, check: str, value: Any, warnings: _Warnings) -> None:
        mine = [m for m in warnings.records if self.plugin in m]
        if mine:
            raise Found(ConformanceFailure(check, None, f"input {short(value)}", f"the host caught: {short(mine[0], 300)}",
                                           "a hook of your plugin (normalize_report, classify_error, remediate) raised "
                                           "on this input; the host survived, but your plugin answered nothing"))

    def fuzz_classify(self) -> list[ConformanceFailure]:
        strategy = sds.error_reports(self.host, self.plugin, surrogates=False, vendors=self.vendors)
        return self._run("fuzz-classify", strategy, self._classify_prop("fuzz-classify"))

    # -- validate

    def _contexts(self) -> st.SearchStrategy[dict[str, Any]]:
        return sds.plugin_contexts(self.host, self.plugin)

    def _batches(self) -> st.SearchStrategy[list[Any]]:
        one = sds.plugin_entities(self.host, self.plugin)
        # a batch repeats entities now and then, so that correlation rules fire
        return st.lists(one, min_size=1, max_size=3).flatmap(
            lambda xs: st.sampled_from([xs, xs + xs[:1]]))

    def _validate_prop(self, check: str) -> Callable[[Any], None]:
        host, plugin = self.host, self.plugin

        def prop(value: Any) -> None:
            batch, context = value
            for lang in ("en", "fr"):
                try:
                    results = list(host.validate_many(batch, context, lang=lang))
                except Exception as exc:
                    raise self._raised(check, "validate", value, exc) from exc
                if len(results) != len(batch):
                    raise Found(ConformanceFailure(check, None, f"input {short(value)}",
                                                   f"{len(batch)} entities gave {len(results)} results",
                                                   "validate_entry must never drop or add entities"))
                for result in results:
                    for finding in result.findings:
                        if finding.problem == "core.plugin_error" and finding.params.get("plugin") == plugin:
                            rule = finding.params.get("rule")
                            raise Found(ConformanceFailure(
                                check, rule, f"input {short(value)}", finding.message,
                                "a named check (`call:`) or validate_entry hook of your plugin raised on this entity: "
                                "make it return None (cannot tell) or False for data it does not expect"))
                        if finding.problem not in host.catalog.problems:
                            raise Found(ConformanceFailure(check, finding.problem, f"input {short(value)}",
                                                           "a finding names a problem no pack defines",
                                                           "findings of a validate_entry hook must use problem ids of your pack"))

        return prop

    def fuzz_validate(self) -> list[ConformanceFailure]:
        return self._run("fuzz-validate", st.tuples(self._batches(), self._contexts()), self._validate_prop("fuzz-validate"))

    # -- patches on generated entities

    def fuzz_patches(self) -> list[ConformanceFailure] | None:
        """None when the plugin has no automatic patch (nothing to check)."""
        patched = [cp for cp in problems_of(self.host, self.plugin)
                   if any(s.automatic and s.patch and not s.confirm for s in cp.problem.remediation.steps)]
        if not patched:
            return None
        host = self.host
        ids = {cp.id: cp for cp in patched}

        def prop(value: Any) -> None:
            doc, context = value
            try:
                entity = host.parse_entity(doc)
                contexts = host.parse_context(context)
            except (InputError, Exception):
                return
            for finding in host.engine.validate(entity, entity.id, contexts, BatchState()):
                cp = ids.get(finding.problem)
                if cp is None or not automatic_patch(cp, finding.params):
                    continue
                failure = patch_failure(host, cp, entity, contexts, f"entity {short(doc)} with context {short(context)}",
                                        "fuzz-patches")
                if failure is not None:
                    raise Found(failure)

        return self._run("fuzz-patches", st.tuples(sds.plugin_entities(host, self.plugin), self._contexts()), prop)

    # -- non-UTF-8 text

    def fuzz_non_utf8(self) -> tuple[list[ConformanceFailure], str | None]:
        """Failures, and the reason to xfail when only the core fails on lone surrogates."""
        text = sds.non_utf8_text()
        reports = st.builds(lambda v, m: {"vendor": v, "message": m}, st.sampled_from(self.vendors), text)
        entities = st.tuples(sds.plugin_entities(self.host, self.plugin), text, st.integers(0, 99)).map(
            lambda v: _inject(*v))
        out = self._run("fuzz-non-utf8", reports, self._classify_prop("fuzz-non-utf8"))
        out += self._run("fuzz-non-utf8", st.tuples(st.lists(entities, min_size=1, max_size=2), self._contexts()),
                         self._validate_prop("fuzz-non-utf8"))
        core = [f for f in out if "syncdoctor's core" in f.fix and "UnicodeEncodeError" in f.reason]
        if out and len(core) == len(out):
            return [], ("known limitation of syncdoctor's core, not of this plugin: text that is not valid UTF-8 "
                        f"(lone surrogates) makes it raise — {core[0].reason}")
        return out, None

    # -- engines

    def engines_agree(self, durable: Engine) -> list[ConformanceFailure]:
        native, host, plugin = self.host.engine, self.host, self.plugin
        only = frozenset({plugin})

        def findings(engine: Engine, docs: list[Any], contexts: dict[str, Any]) -> list[Any]:
            state = BatchState()
            out: list[Any] = []
            for i, doc in enumerate(docs):
                try:
                    entity = host.parse_entity(doc, i)
                except InputError:
                    out.append("invalid")
                    continue
                state.position = i
                found = engine.validate(entity, entity.id if entity.id is not None else i, contexts, state, "en", only)
                out.append(sorted((f.model_dump(mode="json") for f in found), key=repr))
            return out

        def prop(value: Any) -> None:
            (docs, context), report = value
            try:
                contexts = host.parse_context(context)
            except Exception:
                return
            a, b = findings(native, docs, contexts), findings(durable, docs, contexts)
            if a != b:
                i = next(i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y)
                raise Found(ConformanceFailure(
                    "engines-agree", None, f"entity #{i + 1} of batch {short(docs)} with context {short(context)}",
                    f"native found {short(a[i], 300)} but durable found {short(b[i], 300)}",
                    "the two engines must agree; if a named check (`call:`) is not deterministic make it so, "
                    "otherwise this is a bug in syncdoctor's engines: report it with this input"))
            try:
                parts = host.normalize(parse_report(report, 0))
            except InputError:
                return
            for part in parts:
                scope = host._plugin_of(part.vendor)
                x = native.classify(part, scope).model_dump(mode="json")
                y = durable.classify(part, scope).model_dump(mode="json")
                if x != y:
                    raise Found(ConformanceFailure(
                        "engines-agree", x["problem"], f"report {short(report)}",
                        f"native classified it as {x['problem']} {x['params']}, durable as {y['problem']} {y['params']}",
                        "the two engines must agree: report it to syncdoctor's maintainers with this input"))

        reports = sds.error_reports(host, plugin, surrogates=False, vendors=self.vendors)
        return self._run("engines-agree", st.tuples(st.tuples(self._batches(), self._contexts()), reports), prop)


def _injectable(value: Any, key: Any) -> bool:
    """A string whose change keeps the entity parseable (not a kind, a date, an amount)."""
    if not isinstance(value, str) or key in ("kind", "side", "type", "status", "currency"):
        return False
    return not sds._is_number(value) and not (len(value) >= 10 and value[:4].isdigit() and value[4:5] == "-")


def _inject(doc: Any, text: str, pick: int) -> Any:
    """Append non-UTF-8 text to one string field of an entity (chosen by ``pick``)."""
    if not isinstance(doc, dict):
        return doc
    places: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            if _injectable(value, key):
                places.append((node, key))
            else:
                walk(value)

    out = copy.deepcopy(doc)
    walk(out)
    if places:
        node, key = places[pick % len(places)]
        node[key] = node[key] + text
    return out
