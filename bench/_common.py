"""Shared helpers for the benchmarks (run by hand: python bench/run.py)."""

from __future__ import annotations

import itertools
import os
import random
import re
import resource
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

from syncdoctor import ErrorReport, Host


def installed_env(**extra: str) -> dict[str, str]:
    """The environment of a command run as an installed package runs: with bytecode.

    ``PYTHONDONTWRITEBYTECODE`` (set on this machine) made every command compile every module
    from source (+0.7 s); it is cleared and ``.pyc`` files go to a private
    ``PYTHONPYCACHEPREFIX``, warmed by a first run. ``PYTHONUNBUFFERED`` (also set here) is
    cleared: it made every reference pipeline's stdout a system call per line. ``SYNCDOCTOR_*``
    settings of the caller are left out so that the bench measures the defaults.
    """
    import tempfile

    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED") and not k.startswith("SYNCDOCTOR_")}
    env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="bench-pyc-")
    return {**env, **extra}


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


def cpu_time() -> float:
    """CPU seconds (user + system) of this process, its reaped children and the live durable
    workers: on a shared machine, wall time measures the neighbours' load as much as the code
    (decision 21); the durable engine's work happens in its worker process."""
    self_s = time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = self_s + children.ru_utime + children.ru_stime
    try:
        from syncdoctor.engines import durable as _durable
    except ImportError:
        return total
    ticks = os.sysconf("SC_CLK_TCK")
    for worker in list(_durable._WORKERS.values()):
        process = getattr(worker, "_process", None)
        if process is None or process.pid is None:
            continue
        try:
            with open(f"/proc/{process.pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return total


def timed(fn: Callable[[], Any], repeat: int = 3) -> float:
    """The median CPU time of ``repeat`` runs."""
    samples = []
    for _ in range(repeat):
        start = cpu_time()
        fn()
        samples.append(cpu_time() - start)
    return statistics.median(samples)


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
