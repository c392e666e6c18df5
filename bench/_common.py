"""Shared helpers for the benchmarks (run by hand: python bench/run.py)."""

from __future__ import annotations

import itertools
import random
import re
import resource
import time
from collections.abc import Callable, Iterator
from typing import Any

from syncdoctor import ErrorReport, Host


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_mb() -> float:
    """This process's peak RSS. VmHWM belongs to the process's own memory map; ru_maxrss would
    also count the parent's peak before the fork (run.py measures memory in a child)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], Any], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def example_messages(host: Host) -> list[ErrorReport]:
    """Realistic messages: every match example of every pack, with varied values."""
    rng = random.Random(7)
    out = []
    for cp in host.catalog.problems.values():
        for ex in cp.problem.examples.match:
            message = ex if isinstance(ex, str) else ex.message
            code = None if isinstance(ex, str) else ex.code
            status = None if isinstance(ex, str) else ex.http_status
            for _ in range(5):
                varied = re.sub(r"\d+", lambda m: str(rng.randint(1, 99999)), message)
                out.append(ErrorReport(vendor=cp.plugin, message=varied, code=code, http_status=status))
    out.append(ErrorReport(message="something nobody knows about " * 3))
    return out


def example_entities(host: Host) -> list[dict[str, Any]]:
    out = []
    for cp in host.catalog.problems.values():
        for ex in [*cp.problem.examples.flagged, *cp.problem.examples.clean]:
            if not ex.batch:
                out.append(ex.entity)
    return out


def valid_traffic(host: Host) -> list[dict[str, Any]]:
    """What a healthy sync sends: every example entity, naming as its target the plugin whose
    pack it comes from, kept only when no rule flags it."""
    pool = []
    for cp in host.catalog.problems.values():
        for ex in [*cp.problem.examples.flagged, *cp.problem.examples.clean]:
            if not ex.batch:
                pool.append({"target": cp.plugin, **ex.entity})
    return [raw for raw, result in zip(pool, host.validate_many(pool), strict=True) if not result.findings]


def cycle(items: list[Any], n: int) -> Iterator[Any]:
    return itertools.islice(itertools.cycle(items), n)
