"""Classification throughput through the batch API, and its growth with 100x the problems."""

from __future__ import annotations

import copy
import statistics
import tempfile
from pathlib import Path
from typing import Any

import yaml

from syncdoctor import Host, RulePackPlugin

from ._common import cpu_time, cycle, example_messages


def synthetic_plugin(host: Host, factor: int) -> RulePackPlugin:
    """A plugin with (factor - 1) x as many problems as the shipped packs, with distinct patterns."""
    problems: list[dict[str, Any]] = []
    for cp in host.catalog.problems.values():
        if cp.plugin == "core":
            continue
        base = cp.problem.model_dump(mode="json", by_alias=True, exclude_none=True)
        for i in range(factor - 1):
            p = copy.deepcopy(base)
            p["id"] = f"synthetic.p{len(problems)}"
            p.pop("detect", None)
            p["match"] = [{"pattern": f"SYN{len(problems)}-{i} " + (s.get("pattern") or "code"), "codes": []}
                          for s in base.get("match", [])] or [{"pattern": f"SYN{len(problems)} never"}]
            p["examples"] = {}
            problems.append(p)
    folder = Path(tempfile.mkdtemp())
    # several files: one pack of 5,800 problems would exceed a pack's size budget (issue 20)
    for start in range(0, len(problems), 200):
        chunk = {"plugin": "synthetic", "problems": problems[start:start + 200]}
        (folder / f"synthetic{start // 200:03d}.yaml").write_text(yaml.safe_dump(chunk))

    class Synthetic(RulePackPlugin):
        name = "synthetic"
        rules = folder

    return Synthetic()


def throughput(host: Host, n: int, repeat: int = 3) -> float:
    """Median CPU-time rate of ``repeat`` runs, after one warm-up pass (RE2 builds its DFA lazily)."""
    reports = example_messages(Host.from_entry_points())
    for _ in host.classify_many(reports):
        pass
    rates = []
    for _ in range(repeat):
        start = cpu_time()
        for _diags in host.classify_many(cycle(reports, n)):
            pass
        rates.append(n / (cpu_time() - start))
    return statistics.median(rates)


def run(n: int = 200_000) -> dict[str, Any]:
    host = Host.from_entry_points()
    shipped = sum(1 for cp in host.catalog.problems.values() if cp.plugin != "core")
    base = throughput(host, n)
    big = Host.from_entry_points()
    big.add_plugin(synthetic_plugin(big, 100))
    grown = sum(1 for cp in big.catalog.problems.values() if cp.plugin != "core")
    if grown < shipped * 50:
        raise RuntimeError(f"the synthetic plugin did not load: {big.broken}")
    slow = throughput(big, n)
    return {"problems": shipped, "problems_100x": grown, "messages_per_s": round(base),
            "messages_per_s_100x": round(slow), "time_ratio_100x": round(base / slow, 2)}


if __name__ == "__main__":
    print(run())
