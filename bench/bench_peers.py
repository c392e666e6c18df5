"""The native engine against its peers on the same three ACD checks (issue 19).

The checks, as the ACD pack states them (plugins/acd/rules): an auxiliary code on a supplier
(40...) or customer (41...) account must start with F or C, and with the letter of the
entry's party (``acd.auxiliary_code_invalid``); debits equal credits
(``acd.unbalanced_entry``); a line on an account with analytics enabled and no automatic
allocation key carries an allocation (``acd.analytics_allocation_missing``).

The same 10,000 journal entries (seeded) go to:

- ``native``: syncdoctor's native engine with a pack of these three problems only (the ACD
  plugin's own functions), entities parsed beforehand. Two figures: deciding what fires
  (``engine.fired``, what the peers answer) and full validation (findings with messages and
  params, what users get);
- ``zen``: GoRules Zen (``zen-engine``), one expression node per check, evaluated by key with
  the entry and the accounts as input (skipped when zen-engine is not installed);
- ``durable``: durable_rules used directly: one fact per line and per entry, the values its
  conditions cannot compute (a code's first letter, an account's prefix, the totals) computed
  in Python as facts are built, and counted in its time;
- ``python``: the three checks written by hand over the same dicts.

Each engine runs in its own process; times are the CPU time (``process_time``) of the loop
only, the median of interleaved runs. The cross-check: every engine must flag the same
(entity, problem) pairs, else the bench fails.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

CHECKS = ("acd.auxiliary_code_invalid", "acd.unbalanced_entry", "acd.analytics_allocation_missing")
ACCOUNTS = {
    "60610000": {"analytics_enabled": True},
    "60640000": {"analytics_enabled": True, "automatic_allocation_key": "ADM"},
    "62260000": {"analytics_enabled": True},
    "62510000": {"analytics_enabled": False},
}


def entries(n: int = 10_000, seed: int = 19) -> list[dict[str, Any]]:
    """Journal entries like a sync sends: 2-6 lines, a few percent of each fault."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        party = rng.choice(["supplier", "customer", "supplier", "customer", "other"])
        third = "40100000" if party == "supplier" else "41100000" if party == "customer" else rng.choice(["40100000", "42100000"])
        letter = {"supplier": "F", "customer": "C"}.get(party, rng.choice("FC"))
        if rng.random() < 0.08:
            letter = rng.choice(["X", " C", "F", "C", "1"])
        total = Decimal(rng.randint(100, 500_000)) / 100
        lines: list[dict[str, Any]] = [{"account": third, "auxiliary": f"{letter}{rng.choice(['AARO', 'MART', 'DUPO'])}",
                                        "credit": str(total)}]
        remaining = total
        for j in range(rng.randint(1, 5)):
            amount = remaining if j == 4 or rng.random() < 0.4 else (remaining / 2).quantize(Decimal("0.01"))
            line: dict[str, Any] = {"account": rng.choice(list(ACCOUNTS) + ["44566000"]), "debit": str(amount)}
            roll = rng.random()
            if roll < 0.6:
                line["analytics"] = [{"section": "ADM", "amount": str(amount)}]
            elif roll < 0.8:
                line["analytics"] = []
            lines.append(line)
            remaining -= amount
            if not remaining:
                break
        if remaining and rng.random() < 0.9:  # most entries balance; some lose their last cents
            lines.append({"account": "44566000", "debit": str(remaining)})
        out.append({"kind": "journal_entry", "id": f"je{i}", "journal": "AC", "party": {"type": party}, "lines": lines})
    return out


# ---------------------------------------------------------------- hand-written Python

def python_checks(entry: dict[str, Any], accounts: dict[str, Any]) -> list[str]:
    fired = []
    party = (entry.get("party") or {}).get("type")
    lines = entry.get("lines") or []
    for line in lines:
        aux = line.get("auxiliary")
        if aux and aux.strip() and line["account"].startswith(("40", "41")):
            first = aux.lstrip()[:1]
            if first not in ("F", "C") or (party == "supplier" and first != "F") or (party == "customer" and first != "C"):
                fired.append(CHECKS[0])
                break
    if sum(Decimal(line.get("debit") or 0) for line in lines) != sum(Decimal(line.get("credit") or 0) for line in lines):
        fired.append(CHECKS[1])
    for line in lines:
        settings = accounts.get(line["account"])
        if settings and settings.get("analytics_enabled") is True and not settings.get("automatic_allocation_key") \
                and not line.get("analytics"):
            fired.append(CHECKS[2])
            break
    return fired


# ---------------------------------------------------------------- GoRules Zen

ZEN_EXPRESSIONS = {
    # string functions, not matches(): Zen compiles a regex on every call (~150 us per entity)
    CHECKS[0]: "some(lines, len(trim(#.auxiliary ?? '')) > 0 and (startsWith(#.account, '40') or "
               "startsWith(#.account, '41')) and not ((startsWith(trim(#.auxiliary), 'F') and party != 'customer') "
               "or (startsWith(trim(#.auxiliary), 'C') and party != 'supplier')))",
    CHECKS[1]: "sum(map(lines, number(#.debit ?? '0'))) != sum(map(lines, number(#.credit ?? '0')))",
    CHECKS[2]: "some(lines, (accounts[#.account].analytics_enabled ?? false) == true and "
               "len(accounts[#.account].automatic_allocation_key ?? '') == 0 and len(#.analytics ?? []) == 0)",
}


def zen_graph() -> str:
    expressions = [{"id": f"x{i}", "key": f"c{i}", "value": v} for i, v in enumerate(ZEN_EXPRESSIONS.values())]
    return json.dumps({
        "nodes": [{"id": "in", "type": "inputNode", "name": "request"},
                  {"id": "checks", "type": "expressionNode", "name": "checks", "content": {"expressions": expressions}},
                  {"id": "out", "type": "outputNode", "name": "response"}],
        "edges": [{"id": "e1", "sourceId": "in", "targetId": "checks", "type": "edge"},
                  {"id": "e2", "sourceId": "checks", "targetId": "out", "type": "edge"}],
    })


# ---------------------------------------------------------------- durable_rules, directly

DURABLE_RULES = {
    "auxiliary": {"all": [{"m": {"$and": [
        {"t": "line"}, {"$neq": {"first": ""}}, {"$or": [{"prefix": "40"}, {"prefix": "41"}]},
        {"$or": [{"$and": [{"$neq": {"first": "F"}}, {"$neq": {"first": "C"}}]},
                 {"$and": [{"party": "supplier"}, {"$neq": {"first": "F"}}]},
                 {"$and": [{"party": "customer"}, {"$neq": {"first": "C"}}]}]}]}}]},
    "analytics": {"all": [{"m": {"$and": [{"t": "line"}, {"enabled": True}, {"keyless": True}, {"allocated": False}]}}]},
    "balance": {"all": [{"m": {"$and": [{"t": "entry"}, {"balanced": False}]}}]},
}
_DURABLE_PROBLEM = {"auxiliary": CHECKS[0], "balance": CHECKS[1], "analytics": CHECKS[2]}


def durable_facts(entry: dict[str, Any], index: int, accounts: dict[str, Any]) -> list[dict[str, Any]]:
    party = (entry.get("party") or {}).get("type") or ""
    facts: list[dict[str, Any]] = []
    debit = credit = Decimal(0)
    for j, line in enumerate(entry.get("lines") or []):
        settings = accounts.get(line["account"]) or {}
        facts.append({"t": "line", "e": index, "sid": f"l{j}", "party": party, "prefix": line["account"][:2],
                      "first": (line.get("auxiliary") or "").lstrip()[:1],
                      "enabled": settings.get("analytics_enabled") is True,
                      "keyless": not settings.get("automatic_allocation_key"),
                      "allocated": bool(line.get("analytics"))})
        debit += Decimal(line.get("debit") or 0)
        credit += Decimal(line.get("credit") or 0)
    facts.append({"t": "entry", "e": index, "sid": "entry", "balanced": debit == credit})
    return facts


# ---------------------------------------------------------------- one engine, in its own process

def _three_problem_host(folder: Path) -> Any:
    """A host whose ACD plugin carries only the three problems (with the plugin's own functions)."""
    import yaml

    from syncdoctor import Host
    from syncdoctor.rules.loader import _Loader
    from syncdoctor_acd import Acd

    problems = []
    for pack in sorted((Path(__import__("syncdoctor_acd").__file__).parent / "rules").glob("*.yaml")):
        data = yaml.load(pack.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - a SafeLoader
        problems += [p for p in data["problems"] if p["id"] in CHECKS]
    yaml.SafeDumper.add_representer(Decimal, lambda d, v: d.represent_str(str(v)))
    (folder / "three.yaml").write_text(yaml.safe_dump({"plugin": "acd", "problems": problems}, allow_unicode=True))

    class ThreeChecks(Acd):
        rules = folder / "three.yaml"

    host = Host()
    host.add_plugin(ThreeChecks())
    return host


def run_engine(name: str, n: int) -> dict[str, Any]:
    import time

    data = entries(n)
    flagged: dict[int, list[str]] = {}
    if name in ("native", "native_validate"):
        from syncdoctor import BatchState

        host = _three_problem_host(Path(tempfile.mkdtemp()))
        contexts = host.parse_context({"acd": {"accounts": ACCOUNTS}})
        parsed = [host.parse_entity(e, i) for i, e in enumerate(data)]
        engine = host.engine
        for i, e in enumerate(parsed[:500]):  # warm-up: the program is generated on first use
            engine.validate(e, i, contexts, BatchState())
        state = BatchState()
        start = time.process_time()
        if name == "native":
            fired = engine.fired
            answers = [fired(e, contexts, state) for e in parsed]
        else:
            validate = engine.validate
            answers = [validate(e, i, contexts, state) for i, e in enumerate(parsed)]
        elapsed = time.process_time() - start
        for i, answer in enumerate(answers):
            problems = sorted({(a.problem if name == "native_validate" else a[0].id) for a in answer})
            if problems:
                flagged[i] = problems
    elif name == "zen":
        import zen

        graph = zen_graph()
        engine = zen.ZenEngine({"loader": lambda key: graph})
        inputs = [{"party": (e.get("party") or {}).get("type"), "lines": e["lines"], "accounts": ACCOUNTS} for e in data]
        engine.evaluate("acd", inputs[0])
        start = time.process_time()
        results = [engine.evaluate("acd", x) for x in inputs]
        elapsed = time.process_time() - start
        for i, r in enumerate(results):
            problems = sorted(p for k, p in enumerate(ZEN_EXPRESSIONS) if r["result"][f"c{k}"])
            if problems:
                flagged[i] = problems
    elif name == "durable":
        from durable import engine as dr

        class QuietHost(dr.Host):  # type: ignore[misc]
            def _run(self) -> None:
                return None

        hits: set[tuple[int, str]] = set()

        def recorder(rule: str) -> Any:
            return lambda c: hits.add((int(c.m["e"]), _DURABLE_PROBLEM[rule]))

        definition = {rule: {**spec, "run": recorder(rule)} for rule, spec in DURABLE_RULES.items()}
        host = QuietHost()
        host.register_rulesets({"acd": definition})
        assert_fact, retract_fact, not_handled = host.assert_fact, host.retract_fact, dr.MessageNotHandledException
        start = time.process_time()
        for i, e in enumerate(data):
            for fact in durable_facts(e, i, ACCOUNTS):
                try:
                    assert_fact("acd", fact)
                    retract_fact("acd", fact)
                except not_handled:
                    pass
        elapsed = time.process_time() - start
        for i, problem in hits:
            flagged.setdefault(i, []).append(problem)
        flagged = {i: sorted(p) for i, p in flagged.items()}
    elif name == "python":
        start = time.process_time()
        answers = [python_checks(e, ACCOUNTS) for e in data]
        elapsed = time.process_time() - start
        flagged = {i: sorted(a) for i, a in enumerate(answers) if a}
    else:
        raise SystemExit(f"unknown engine {name}")
    return {"engine": name, "us_per_entity": elapsed / n * 1e6, "flagged": {str(k): v for k, v in flagged.items()}}


def available() -> list[str]:
    names = ["native", "native_validate", "python"]
    try:
        import zen  # noqa: F401
        names.append("zen")
    except ImportError:
        pass
    try:
        import durable.engine  # noqa: F401
        names.append("durable")
    except ImportError:
        pass
    return names


def run(n: int = 10_000, repeat: int = 5) -> dict[str, Any]:
    names = available()
    times: dict[str, list[float]] = {name: [] for name in names}
    flagged: dict[str, dict[str, list[str]]] = {}
    for _ in range(repeat):  # interleaved: every engine once per round
        for name in names:
            done = subprocess.run([sys.executable, "-m", "bench.bench_peers", name, str(n)], capture_output=True,
                                  text=True, check=True)
            answer = json.loads(done.stdout)
            times[name].append(answer["us_per_entity"])
            flagged[name] = answer["flagged"]
    reference = flagged["python"]
    disagree = {name: sorted(set(f.items() ^ reference.items()))[:5] for name, f in
                ((k, {i: tuple(p) for i, p in v.items()}) for k, v in flagged.items())
                if f != {i: tuple(p) for i, p in reference.items()}}
    if disagree:
        raise AssertionError(f"engines flag different entities: {disagree}")
    med = {name: statistics.median(t) for name, t in times.items()}
    counts = {p: sum(p in v for v in reference.values()) for p in CHECKS}
    out: dict[str, Any] = {
        "entities": n, "runs": repeat, "flagged_entities": len(reference), "flagged_per_problem": counts,
        "us_per_entity": {k: round(v, 2) for k, v in med.items()},
        "native_over_python": round(med["native"] / med["python"], 2),
        "native_validate_over_python": round(med["native_validate"] / med["python"], 2),
    }
    if "zen" in med:
        out["native_over_zen"] = round(med["native"] / med["zen"], 2)
        out["native_validate_over_zen"] = round(med["native_validate"] / med["zen"], 2)
    else:
        out["zen"] = "skipped: zen-engine is not installed (pip install zen-engine)"
    if "durable" in med:
        out["durable_direct_over_native"] = round(med["durable"] / med["native"], 1)
    out["samples_us"] = {k: [round(x, 2) for x in v] for k, v in times.items()}
    return out


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(run_engine(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10_000)))
    else:
        print(json.dumps(run(), indent=2))
