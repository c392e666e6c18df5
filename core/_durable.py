"""The durable engine: the same rule semantics evaluated by durable_rules' RETE network.

How the pitfalls of durable_rules 2.0.28 are handled (see docs/decisions.md):

* **Python 3.13+**: its C extension does not import there; :class:`DurableEngine` raises
  :class:`EngineUnavailable` with the reason instead of an ImportError.
* **Global host, names registered once**: each engine owns a private ``Host`` subclass
  instance and registers one ruleset under a fresh, unique name.
* **An event fires only one rule**: subjects are asserted as *facts* (every matching rule
  fires) and retracted at once.
* **Lua-like regex dialect**: regex atoms are evaluated natively with RE2; their boolean
  results go into the fact. The same goes for path look-ups, sums, quantifiers, named
  checks and correlation counters: the fact carries each leaf's value (a boolean, or the
  sign of a comparison), and durable_rules evaluates every operator and all the logic.
* **No thread safety**: one process-wide lock serialises every call; the host's timer
  threads (dispatch of queued messages, which we never use) are not started.
* **Errors in actions are swallowed**: our actions only record what fired, inside a
  ``try``; anything they catch is re-raised to the caller after the call.
* **Memory after retract**: measured in bench/ (flat with assert+retract); the ruleset is
  still recycled every ``RECYCLE_AFTER`` facts so that a long-lived host stays bounded.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from ._catalog import Catalog, CompiledSignature, normalize_code
from ._conditions import Node, PluginCallError
from ._engine import Engine, Subject
from ._exceptions import EngineUnavailable
from ._models import ErrorReport

__all__ = ["DurableEngine", "durable_available"]

try:  # pragma: no cover - depends on the interpreter
    import durable_rules_engine as _dre
    from durable import engine as _dr

    _IMPORT_ERROR: str | None = None
except Exception as exc:  # ImportError, or undefined symbol on CPython 3.13
    _dr = None
    _dre = None
    _IMPORT_ERROR = f"{type(exc).__name__}: {exc}"

_LOCK = threading.RLock()
_NAMES = itertools.count()
_FACT_IDS = itertools.count()
RECYCLE_AFTER = 200_000

_NEGATE = {"eq": "ne", "ne": "eq", "lt": "ge", "le": "gt", "gt": "le", "ge": "lt"}
_DR_OP = {"ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


def durable_available() -> tuple[bool, str | None]:
    """Whether durable_rules can run here, and why not."""
    return _dr is not None, _IMPORT_ERROR


def _leaf_expr(field: str, kind: str, op: str, truth: bool) -> dict[str, Any]:
    if kind == "bool":
        return {field: truth}
    if not truth:
        op = _NEGATE[op]
    if op == "eq":
        return {field: 0}
    return {_DR_OP[op]: {field: 0}}


def to_durable(node: Node, truth: bool = True) -> dict[str, Any]:
    """The durable_rules expression that holds when ``node`` is definitely ``truth``.

    Three-valued logic falls out of durable's semantics: a leaf whose value is unknown is
    absent from the fact, and no comparison on an absent field matches, so neither the
    expression for true nor the one for false holds.
    """
    if node.kind == "leaf":
        assert node.leaf is not None
        return _leaf_expr(f"a{node.leaf.index}", node.leaf.kind, node.leaf.op, truth)
    if node.kind == "not":
        return to_durable(node.children[0], not truth)
    conj = (node.kind == "and") == truth
    parts = [to_durable(c, truth) for c in node.children]
    if len(parts) == 1:
        return parts[0]
    return {"$and" if conj else "$or": parts}


def _any_of(field: str, values: Sequence[Any]) -> dict[str, Any]:
    parts = [{field: v} for v in values]
    return parts[0] if len(parts) == 1 else {"$or": parts}


if _dr is not None:

    class _QuietHost(_dr.Host):  # type: ignore[misc, name-defined]
        """A host without the background dispatch timers (we never queue messages)."""

        def _run(self) -> None:
            return None


class DurableEngine(Engine):
    """durable_rules behind the engine interface; see the module docstring."""

    name = "durable"

    def __init__(self, catalog: Catalog) -> None:
        if _dr is None:
            raise EngineUnavailable(
                "the durable engine needs durable-rules, which is not importable here "
                f"({_IMPORT_ERROR}); it does not support Python 3.13 or later. Use --engine native."
            )
        super().__init__(catalog)
        self._fired: set[int] = set()
        self._errors: list[BaseException] = []
        self._facts = 0
        self._definition = self._rules()
        with _LOCK:
            self._host = _QuietHost()
            self._register()

    def _rules(self) -> dict[str, Any]:
        rules: dict[str, Any] = {}
        for cp in self.catalog.problems.values():
            if cp.root is None:
                continue
            rules[f"p{cp.index}"] = {"all": [{"m": {"$and": [{"p": cp.index}, to_durable(cp.root)]}}]}
        for sig in self.catalog.signatures:
            parts: list[dict[str, Any]] = [{"c": 1}, {"only": sig.index}]
            if sig.regex is not None:
                parts.append({f"h{sig.index}": True})
            if sig.codes:
                parts.append(_any_of("code", sorted(sig.codes)))
            if sig.statuses:
                parts.append(_any_of("status", sorted(sig.statuses)))
            rules[f"s{sig.index}"] = {"all": [{"m": {"$and": parts}}]}
        if not rules:
            rules["idle"] = {"all": [{"m": {"never": 1}}]}
        return rules

    def _register(self) -> None:
        self._name = f"syncdoctor_{next(_NAMES)}"
        definition = copy.deepcopy(self._definition)  # durable mutates the dict it is given
        for rule in definition.values():
            rule["run"] = self._record
        self._host.register_rulesets({self._name: definition})
        self._facts = 0

    def _record(self, c: Any) -> None:
        try:
            self._fired.add(int(c.m["n"]))
        except BaseException as exc:  # durable would swallow it: keep it for the caller
            self._errors.append(exc)

    def _recycle(self) -> None:
        ruleset = self._host._ruleset_directory.pop(self._name, None)
        if ruleset is not None:
            self._host._ruleset_list.remove(ruleset)
            _dre.delete_ruleset(ruleset._handle)
        self._register()

    def _run(self, facts: list[dict[str, Any]]) -> set[int]:
        with _LOCK:
            self._fired = set()
            self._errors = []
            for fact in facts:
                try:
                    self._host.assert_fact(self._name, fact)
                except _dr.MessageNotHandledException:
                    continue
                try:
                    self._host.retract_fact(self._name, fact)
                except _dr.MessageNotHandledException:
                    pass
            self._facts += len(facts)
            if self._facts >= RECYCLE_AFTER:
                self._recycle()
            if self._errors:
                raise RuntimeError(f"durable_rules action failed: {self._errors[0]!r}")
            return self._fired

    def decide(self, subjects: Sequence[Subject]) -> list[bool | BaseException]:
        out: list[bool | BaseException] = [False] * len(subjects)
        facts: list[dict[str, Any]] = []
        ids: list[tuple[int, int]] = []
        for i, (cp, _, scope) in enumerate(subjects):
            n = next(_FACT_IDS)
            fact: dict[str, Any] = {"p": cp.index, "n": n}
            try:
                for leaf in cp.leaves:
                    value = leaf.fn(scope)
                    if value is not None:
                        fact[f"a{leaf.index}"] = bool(value) if leaf.kind == "bool" else int(value)
            except PluginCallError as exc:
                out[i] = exc
                continue
            facts.append(fact)
            ids.append((i, n))
        fired = self._run(facts)
        for i, n in ids:
            out[i] = n in fired
        return out

    def accept(
        self, report: ErrorReport, candidates: Sequence[CompiledSignature], groups: Mapping[int, Any]
    ) -> list[CompiledSignature]:
        n = next(_FACT_IDS)
        fact: dict[str, Any] = {"c": 1, "n": n}
        for index in groups:
            fact[f"h{index}"] = True
        code = normalize_code(report.code)
        if code:
            fact["code"] = code
        if report.http_status is not None:
            fact["status"] = report.http_status
        # one fact per candidate: the rule of signature s matches only the fact with only=s
        facts = []
        owners: dict[int, CompiledSignature] = {}
        for sig in candidates:
            m = next(_FACT_IDS)
            facts.append({**fact, "n": m, "only": sig.index})
            owners[m] = sig
        fired = self._run(facts)
        return [owners[m] for m in sorted(fired) if m in owners]

    def close(self) -> None:
        with _LOCK:
            ruleset = self._host._ruleset_directory.pop(self._name, None)
            if ruleset is not None:
                self._host._ruleset_list.remove(ruleset)
                _dre.delete_ruleset(ruleset._handle)
