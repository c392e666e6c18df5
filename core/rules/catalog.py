"""The problem catalog: every loaded problem, compiled once for both engines."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass, field
from typing import Any

import re2

from ..errors import PackError
from ..model.reports import ErrorReport
from .conditions.compiler import Compiler
from .conditions.decide import compile_fires
from .conditions.tree import Leaf, Node
from .params import compile_params
from .paths import Path, PathSyntaxError, Scope, compile_path
from .regex import CompileError, compile_regex, encode
from .remediation import CompiledPlan, compile_text
from .schema import Problem, RulePack, Signature

__all__ = ["Candidates", "Catalog", "CompiledProblem", "CompiledSignature", "Scan", "normalize_code"]

SET_MAX_MEM = 1 << 30
_POINTER_SAFE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def normalize_code(code: Any) -> str | None:
    """Vendor codes compare as text without leading zeros: ``003001`` is ``3001``."""
    if code is None:
        return None
    text = str(code).strip()
    if not text:
        return None
    stripped = text.lstrip("0")
    return stripped if stripped and text.isdigit() else (text if not text.isdigit() else "0")


@dataclass
class CompiledSignature:
    problem: CompiledProblem
    signature: Signature
    regex: Any | None
    codes: frozenset[str]
    statuses: frozenset[int]
    index: int = -1
    score: tuple[int, int, int] = (0, 0, 0)
    groups: Callable[[bytes], dict[str, str] | None] | None = None
    params: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        # the text decides: a pattern beats a code or a status; then more criteria; then priority
        criteria = (self.regex is not None) + bool(self.codes) + bool(self.statuses)
        self.score = (1 if self.regex is not None else 0, criteria, self.signature.priority)
        # what classification reads per message, looked up once
        self.groups = self.regex.groups if self.regex is not None and self.regex.has_groups else None
        self.params = self.signature.params or None


@dataclass
class CompiledProblem:
    problem: Problem
    plugin: str
    kinds: frozenset[str] | None = None
    for_each: Path | None = None
    for_each_text: str = ""
    root: Node | None = None
    leaves: list[Leaf] = field(default_factory=list)
    repeats: list[Any] = field(default_factory=list)
    params: Callable[[Scope], dict[str, Any]] | None = None
    signatures: list[CompiledSignature] = field(default_factory=list)
    index: int = -1
    plans: dict[str, CompiledPlan] = field(default_factory=dict)
    id: str = ""
    fires: Callable[[Scope], bool] | None = None
    severity: str = "error"
    detect_path: str | None = None
    message: dict[str, str] = field(default_factory=dict)  # the finding's message template, by language
    message_text: dict[str, Callable[[Mapping[str, Any]], str]] = field(default_factory=dict)  # compiled, by language

    def __post_init__(self) -> None:
        # read per subject or per finding: attributes, not properties
        self.id = self.problem.id
        self.severity = self.problem.severity
        self.detect_path = self.problem.detect.path if self.problem.detect else None
        text = self.problem.message or self.problem.title
        self.message = {"en": text.en, "fr": text.fr}

    def plan(self, lang: str) -> CompiledPlan:
        """The problem's texts and plan compiled for one language (once; a race only builds twice)."""
        plan = self.plans.get(lang)
        if plan is None:
            plan = self.plans[lang] = CompiledPlan(self.problem, lang, self.plugin)
        return plan

    def render_message(self, params: Mapping[str, Any], lang: str) -> str:
        """The finding's message for these params: ``render`` of its template, through a
        function written on first use (a race only writes it twice)."""
        key = "fr" if lang == "fr" else "en"
        text = self.message_text.get(key)
        if text is None:
            text = self.message_text[key] = compile_text(self.message[key], key)
        return text(params)

    def subject_path(self, index: int | None) -> tuple[str | None, str]:
        """The finding path and the JSON pointer of the subject."""
        rel = self.detect_path
        if index is None:
            return rel, ""
        base = f"{self.for_each_text}[{index}]"
        pointer = "/" + self.for_each_text.replace(".", "/") + f"/{index}"
        return (f"{base}.{rel}" if rel else base), pointer


def compile_problem(problem: Problem, plugin: str, functions: Mapping[str, Callable[..., Any]], file: str) -> CompiledProblem:
    compiled = CompiledProblem(problem=problem, plugin=plugin)
    try:
        if problem.detect is not None:
            detect = problem.detect
            compiled.kinds = None if "*" in detect.kinds else frozenset(detect.kinds)
            if detect.for_each:
                if not _POINTER_SAFE.match(detect.for_each):
                    raise CompileError(f"for_each {detect.for_each!r} must be a plain dotted path to a list")
                compiled.for_each = compile_path(detect.for_each)
                compiled.for_each_text = detect.for_each
            compiler: Compiler = Compiler(problem.id, functions)
            compiled.root = compiler.compile(detect.when)
            compiled.fires = compile_fires(compiled.root, problem.id)
            compiled.leaves = compiler.leaves
            compiled.repeats = compiler.repeats
            compiled.params = compile_params(detect.params, functions)
        for sig in problem.match:
            regex = compile_regex(sig.pattern) if sig.pattern is not None else None
            compiled.signatures.append(
                CompiledSignature(
                    problem=compiled,
                    signature=sig,
                    regex=regex,
                    codes=frozenset(c for c in (normalize_code(c) for c in sig.codes) if c),
                    statuses=frozenset(sig.http_status),
                )
            )
    except (CompileError, PathSyntaxError) as exc:
        raise PackError(file, problem.id, None, str(exc)) from None
    return compiled


Candidates = tuple[list[CompiledSignature], Set[int], bytes, bool]
"""What :meth:`Catalog.candidates` finds in a report: candidates, pattern hits, UTF-8, raw."""
Scan = tuple["CompiledSignature | None", bytes, bool]
"""An engine's pass over a report: the signature that decides, the message as UTF-8, raw."""
_NO_SET: tuple[None, list[CompiledSignature]] = (None, [])
_NO_HITS: frozenset[int] = frozenset()


class _AnyHit:
    """Every index: the pool of :meth:`Catalog.scan` holds only signatures whose pattern matched."""

    def __contains__(self, index: object) -> bool:
        return True


_ANY_HIT: Any = _AnyHit()


class Catalog:
    """All problems of the loaded packs, with the indexes both engines use."""

    def __init__(self) -> None:
        self.problems: dict[str, CompiledProblem] = {}
        self.by_kind: dict[str, list[CompiledProblem]] = {}
        self.any_kind: list[CompiledProblem] = []
        self.signatures: list[CompiledSignature] = []
        self.plugin_of_vendor: dict[str, str] = {}
        self._for_kind: dict[str, list[CompiledProblem]] = {}
        self.raw_patterns: dict[str, str] = {}
        self._sets: dict[str | None, tuple[Any, list[CompiledSignature]]] = {}
        self._by_code: dict[tuple[str | None, str], list[CompiledSignature]] = {}
        self._by_status: dict[tuple[str | None, int], list[CompiledSignature]] = {}
        self._status_fallback: dict[int, CompiledSignature] = {}
        self._scopes: set[str] = set()
        self._frozen = False

    def add_pack(self, pack: RulePack, plugin: str, functions: Mapping[str, Callable[..., Any]], file: str) -> None:
        if pack.plugin != plugin:
            raise PackError(file, None, 1, f"plugin: {pack.plugin!r} but the pack belongs to plugin {plugin!r}")
        compiled = []
        seen: set[str] = set()
        for problem in pack.problems:
            if not problem.id.startswith(plugin + "."):
                raise PackError(file, problem.id, None, f"problem ids of this pack must start with {plugin!r}.")
            if problem.id in self.problems or problem.id in seen:
                raise PackError(file, problem.id, None, "this problem id is defined twice")
            seen.add(problem.id)
            compiled.append(compile_problem(problem, plugin, functions, file))
        for cp in compiled:
            self._add(cp)

    def absorb(self, other: Catalog) -> None:
        """Take every problem of a catalog compiled apart (a plugin's packs, checked first)."""
        for cp in other.problems.values():
            if cp.id in self.problems:
                raise PackError(cp.plugin, cp.id, None, "this problem id is defined twice")
        for cp in other.problems.values():
            self._add(cp)

    def _add(self, cp: CompiledProblem) -> None:
        self._frozen = False
        self._for_kind = {}
        cp.index = len(self.problems)
        self.problems[cp.id] = cp
        if cp.root is not None:
            if cp.kinds is None:
                self.any_kind.append(cp)
            else:
                for kind in cp.kinds:
                    self.by_kind.setdefault(kind, []).append(cp)
        for sig in cp.signatures:
            sig.index = len(self.signatures)
            self.signatures.append(sig)

    def add_raw_pattern(self, plugin: str, pattern: str) -> None:
        """A plugin's ``normalize_pattern`` (already checked as RE2): it joins the set pass, so
        telling a raw report costs nothing more than classifying it."""
        self.raw_patterns[plugin] = pattern
        self._frozen = False

    def add_vendor(self, vendor: str, plugin: str) -> None:
        self.plugin_of_vendor[vendor.lower()] = plugin

    def freeze(self) -> None:
        """Build the classification indexes: the RE2 set of all signatures now, one per plugin
        on first use (most reports name no vendor, and a one-shot command classifies with one
        set: compiling all five was ~20 ms of its start-up)."""
        self._sets, self._by_code, self._by_status = {}, {}, {}
        # the core's status-only signatures (core/packs/core.yaml): what a status alone says
        self._status_fallback = {}
        for sig in self.signatures:
            if sig.problem.plugin == "core" and sig.regex is None and not sig.codes:
                for status in sig.statuses:
                    self._status_fallback.setdefault(status, sig)
        self._scopes = {s.problem.plugin for s in self.signatures} | set(self.raw_patterns)
        self._set_for(None)  # every pattern: a set that cannot compile fails at start-up
        for s in self.signatures:
            for scope in (None, s.problem.plugin):
                for code in s.codes:
                    self._by_code.setdefault((scope, code), []).append(s)
                for status in s.statuses:
                    self._by_status.setdefault((scope, status), []).append(s)
        self._frozen = True

    def _set_for(self, scope: str | None) -> tuple[Any, list[CompiledSignature]]:
        """The RE2 set of a scope (None: every plugin) and its signatures, built once. Two
        threads may both build it; the same set results and one is kept."""
        built = self._sets.get(scope)
        if built is not None:
            return built
        if scope is not None and scope not in self._scopes:
            return _NO_SET
        sigs = [s for s in self.signatures if s.regex is not None and (scope is None or s.problem.plugin == scope)]
        # a plugin's raw-report pattern sits after the signatures: an index past them means "raw"
        raw = [p for owner, p in sorted(self.raw_patterns.items()) if scope is None or owner == scope]
        rset = None
        if sigs or raw:
            options = re2.Options()
            options.log_errors = False
            # the default 8 MB DFA budget is too small for thousands of patterns
            options.max_mem = SET_MAX_MEM
            wrapper = re2.Set.SearchSet(options)
            for pattern in [*(s.signature.pattern for s in sigs), *raw]:
                wrapper.Add(pattern)
            wrapper.Compile()
            rset = wrapper._set  # the C++ set: matched with UTF-8 bytes, no per-call re-encoding
        built = self._sets[scope] = (rset, sigs)
        return built

    def for_entity(self, kind: str) -> list[CompiledProblem]:
        merged = self._for_kind.get(kind)
        if merged is None:
            merged = self._for_kind[kind] = sorted(self.by_kind.get(kind, []) + self.any_kind, key=lambda p: p.index)
        return merged

    def plugin_for(self, vendor: str | None) -> str | None:
        if not vendor:
            return None
        return self.plugin_of_vendor.get(vendor.lower())

    def candidates(self, report: ErrorReport, plugin: str | None) -> Candidates:
        """One pass of an RE2 set over the message, whatever the number of patterns: the
        signatures that may apply, which of them matched by pattern, the message as UTF-8
        (for the named groups of the one that wins), and whether a plugin's raw-report
        pattern matched."""
        rset, sigs = self._sets.get(plugin) or self._set_for(plugin)
        message = report.message
        data = encode(message) if message else b""
        matches = rset.Match(data) if rset is not None and data else None
        found: list[CompiledSignature] = []
        raw = False
        hit: Set[int] = _NO_HITS
        if matches:
            hit = set()
            n = len(sigs)
            for i in matches:
                if i >= n:  # a raw-report pattern sits past the signatures
                    raw = True
                    continue
                sig = sigs[i]
                hit.add(sig.index)
                found.append(sig)
        code = normalize_code(report.code) if report.code is not None else None
        if code:
            for sig in self._by_code.get((plugin, code), ()):
                if sig.index not in hit:
                    found.append(sig)
        if report.http_status is not None:
            for sig in self._by_status.get((plugin, report.http_status), ()):
                if sig.index not in hit:
                    found.append(sig)
        if len(found) > 1:
            unique = {sig.index: sig for sig in found}
            found = [unique[i] for i in sorted(unique)]
        return found, hit, data, raw

    def status_fallback(self, status: int | None) -> CompiledSignature | None:
        """The core's signature for an HTTP status alone (issue 14): it answers when no
        signature of the report's vendor does, and when a report naming no vendor is matched
        only by some vendor's status-only signature."""
        return self._status_fallback.get(status) if status is not None else None

    def scan(self, report: ErrorReport, plugin: str | None, skip: Set[int] = _NO_HITS) -> Scan:
        """The signature that decides, in one pass: what :meth:`candidates`, :meth:`holds` and
        :meth:`best` decide together, without building the candidate list (the native engine's
        hot path; a test checks both ways agree). ``skip`` leaves signatures out by index."""
        rset, sigs = self._sets.get(plugin) or self._set_for(plugin)
        message = report.message
        data = message.encode("utf-8", "surrogatepass") if message else b""  # _regex.encode, inlined
        code = normalize_code(report.code) if report.code is not None else None
        status = report.http_status
        raw = False
        pool: list[CompiledSignature] = []  # signatures whose pattern matched, then those without one
        if rset is not None and data:
            n = len(sigs)
            for i in rset.Match(data) or ():
                if i >= n:  # a raw-report pattern sits past the signatures
                    raw = True
                else:
                    pool.append(sigs[i])
        if code:
            pool += [sig for sig in self._by_code.get((plugin, code), ()) if sig.regex is None]
        if status is not None:
            pool += [sig for sig in self._by_status.get((plugin, status), ()) if sig.regex is None]
        best: CompiledSignature | None = None
        holds = self.holds
        for sig in pool:  # every pattern in the pool matched: hit is the pool itself
            if (sig.index not in skip and holds(sig, code, status, _ANY_HIT)
                    and (best is None or sig.score > best.score or (sig.score == best.score and sig.index < best.index))):
                best = sig
        return best, data, raw

    @staticmethod
    def holds(sig: CompiledSignature, code: str | None, status: int | None, hit: Set[int]) -> bool:
        """Whether every criterion of a signature holds, given the report's normalized code,
        its HTTP status and the pattern hits (the native engine's decision)."""
        if sig.regex is not None and sig.index not in hit:
            return False
        if sig.codes and code not in sig.codes:
            return False
        if sig.statuses and status not in sig.statuses:
            return False
        return True

    def best(self, accepted: Iterable[CompiledSignature]) -> CompiledSignature | None:
        """The text decides: a pattern hit beats a code or status hit; then more criteria; then priority."""
        best: CompiledSignature | None = None
        for sig in accepted:
            if best is None or sig.score > best.score:
                best = sig
        return best
