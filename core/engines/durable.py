"""The durable engine: the same rule semantics evaluated by durable_rules' RETE network.

How the pitfalls of durable_rules 2.0.28 are handled (see docs/decisions.md):

* **Python 3.13+**: its C extension does not import there; :class:`DurableEngine` raises
  :class:`EngineUnavailable` with the reason instead of an ImportError.
* **Global host, names registered once**: rules run in a worker process that owns one
  private ``Host`` (a subclass without the background dispatch timers, since we never queue
  messages) and registers one ruleset, once.
* **An event fires only one rule**: subjects are asserted as *facts* (every matching rule
  fires) and retracted at once.
* **Lua-like regex dialect**: regex atoms are evaluated natively with RE2; their boolean
  results go into the fact. The same goes for path look-ups, sums, quantifiers, named
  checks and correlation counters: the fact carries each leaf's value (a boolean, or the
  sign of a comparison), and durable_rules evaluates every operator and all the logic.
* **No thread safety**: one process-wide lock serialises every call to the worker.
* **Errors in actions are swallowed**: our actions only record what fired, inside a
  ``try``; anything they catch is sent back and raised to the caller.
* **Memory after retract**: durable_rules keeps memory after retracting facts, and after
  deleting a ruleset (measured in bench/RESULTS.md). The worker process is replaced every
  ``RECYCLE_AFTER`` facts, which bounds it; a crash in the C code kills only the worker.
"""

from __future__ import annotations

import atexit
import itertools
import json
import multiprocessing
import threading
from collections.abc import Sequence, Set
from typing import Any

from ..errors import EngineUnavailable
from ..model.reports import ErrorReport
from ..rules.catalog import Catalog, CompiledSignature, normalize_code
from ..rules.conditions.calls import PluginCallError
from ..rules.conditions.tree import Node
from .engine import Engine, Subject

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
_FACT_IDS = itertools.count()
RECYCLE_AFTER = 500_000
REPLY_TIMEOUT = 120.0
"""Seconds to wait for the worker's answer to one call before replacing it."""

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


def _serve(conn: Any, definition_json: str) -> None:
    """The worker process: one durable_rules host running one ruleset, fed facts by the parent.

    Leaf values are computed in the parent; only plain JSON facts cross the pipe. Each request
    is a list of facts; the answer is the sorted ids of the facts that fired a rule, or an
    error string.
    """
    from durable import engine as dr

    class QuietHost(dr.Host):  # type: ignore[misc]
        def _run(self) -> None:  # no dispatch timers: we never queue messages
            return None

    fired: set[int] = set()
    errors: list[str] = []

    def record(c: Any) -> None:
        try:
            fired.add(int(c.m["n"]))
        except BaseException as exc:  # durable would swallow it: report it to the parent
            errors.append(repr(exc))

    definition = json.loads(definition_json)
    for rule in definition.values():
        rule["run"] = record
    host = QuietHost()
    host.register_rulesets({"syncdoctor": definition})
    while True:
        try:
            facts = conn.recv()
        except EOFError:
            return
        if facts is None:
            return
        fired.clear()
        errors.clear()
        for fact in facts:
            try:
                host.assert_fact("syncdoctor", fact)
            except dr.MessageNotHandledException:
                continue
            except Exception as exc:  # keep serving: report it for this call
                errors.append(repr(exc))
                continue
            try:
                host.retract_fact("syncdoctor", fact)
            except dr.MessageNotHandledException:
                pass
            except Exception as exc:
                errors.append(repr(exc))
        conn.send(("error", errors[0]) if errors else ("ok", sorted(fired)))


class _Worker:
    """A durable_rules process for one ruleset definition, restarted every ``RECYCLE_AFTER``
    facts: durable_rules keeps memory after retracting facts and deleting rulesets, so the
    only way to bound it is to let a process go. It also keeps a crash in its C code (a
    segfault, as reported upstream) from taking the host down.

    Recovery: a worker that died (killed, crashed) or stopped answering for ``REPLY_TIMEOUT``
    seconds is replaced and the same facts are sent to the new one; that is safe because every
    call asserts and retracts its facts, so nothing of a call outlives it. A start that fails
    leaves no half-started worker behind: the next call, from any Host, starts afresh."""

    def __init__(self, definition_json: str) -> None:
        self.definition_json = definition_json
        self.facts = 0
        self.restarts = 0
        self._process: Any = None
        self._conn: Any = None

    def _start(self) -> None:
        ctx = multiprocessing.get_context("spawn")  # fork is unsafe in a threaded host
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_serve, args=(child, self.definition_json), daemon=True,
                              name="syncdoctor-durable")
        try:
            process.start()
        except BaseException:
            parent.close()
            raise
        finally:
            child.close()
        self._process, self._conn, self.facts = process, parent, 0  # only a started worker is kept

    def stop(self) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if process is None:
            return
        try:
            conn.send(None)
        except (OSError, ValueError):
            pass
        process.join(timeout=2)
        if process.is_alive():
            process.kill()
            process.join(timeout=2)
        conn.close()

    def _exchange(self, facts: list[dict[str, Any]]) -> tuple[str, Any]:
        self._conn.send(facts)
        if not self._conn.poll(REPLY_TIMEOUT):
            raise TimeoutError(f"no answer within {REPLY_TIMEOUT:g}s")
        answer: tuple[str, Any] = self._conn.recv()
        return answer

    def run(self, facts: list[dict[str, Any]]) -> set[int]:
        for attempt in (1, 2):
            if self._process is None or self.facts >= RECYCLE_AFTER or not self._process.is_alive():
                self.stop()
                try:
                    self._start()
                except Exception as exc:
                    raise EngineUnavailable(f"the durable_rules worker process could not start: "
                                            f"{type(exc).__name__}: {exc}; the next call tries again") from None
            self.facts += len(facts)
            try:
                status, value = self._exchange(facts)
            except (EOFError, OSError, TimeoutError) as exc:
                self.stop()
                self.restarts += 1
                if attempt == 2:
                    raise EngineUnavailable(f"the durable_rules worker process died twice on the same facts "
                                            f"({type(exc).__name__}: {exc}); the next call starts a new one") from None
                continue  # a fresh worker gets the same facts: nothing of a call outlives it
            if status == "error":
                raise RuntimeError(f"durable_rules action failed: {value}")
            return set(value)
        raise AssertionError("unreachable")


_WORKERS: dict[str, _Worker] = {}


@atexit.register
def _stop_workers() -> None:
    for worker in list(_WORKERS.values()):
        worker.stop()


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
        definition_json = json.dumps(self._rules(), sort_keys=True)
        with _LOCK:
            # engines over the same catalog share one process: fact ids are unique across them
            self._worker = _WORKERS.get(definition_json) or _WORKERS.setdefault(definition_json, _Worker(definition_json))

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

    def _run(self, facts: list[dict[str, Any]]) -> set[int]:
        if not facts:
            return set()
        with _LOCK:
            return self._worker.run(facts)

    def decide(self, subjects: Sequence[Subject]) -> list[bool | BaseException]:
        out: list[bool | BaseException] = [False] * len(subjects)
        facts: list[dict[str, Any]] = []
        ids: list[tuple[int, int]] = []
        for i, (cp, _, scope) in enumerate(subjects):
            n = next(_FACT_IDS)
            fact: dict[str, Any] = {"p": cp.index, "n": n}
            failed = False
            for leaf in cp.leaves:
                try:
                    value = leaf.fn(scope)
                except PluginCallError:
                    failed = True  # left unknown; see below
                    continue
                if value is not None:
                    fact[f"a{leaf.index}"] = bool(value) if leaf.kind == "bool" else int(value)
            if failed:
                # The native engine short-circuits and meets a raising check only when the
                # outcome depends on it; when it does not, the check's value cannot change the
                # outcome, so leaving it unknown here gives the same answer.
                try:
                    cp.fires(scope)  # type: ignore[misc]  # subjects all have a condition
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
        self, report: ErrorReport, candidates: Sequence[CompiledSignature], hit: Set[int]
    ) -> list[CompiledSignature]:
        n = next(_FACT_IDS)
        fact: dict[str, Any] = {"c": 1, "n": n}
        for index in hit:
            fact[f"h{index}"] = True
        code = normalize_code(report.code)
        if code:
            # durable_rules cannot take lone surrogates; no signature code contains one, so an
            # escaped form compares the same way
            fact["code"] = code.encode("utf-8", "backslashreplace").decode("utf-8")
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
        """Nothing to release per engine: the worker process is shared and stops at exit."""
