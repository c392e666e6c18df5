"""Prometheus metrics in the text exposition format (version 0.0.4), written here.

Written rather than taken from prometheus_client: the service needs a few counters
(requests, diagnoses, findings, webhook deliveries) and one histogram with fixed label sets,
and a dependency for that would also bring its global registry into every host that mounts
:func:`create_app`. Each app has its own :class:`Metrics`.

Several workers: `serve --workers N` gives them one directory (``metrics_dir``). Each worker
writes its counts there as a JSON snapshot every second, and /metrics, whichever worker
answers it, adds up its own live counts and the others' snapshots: one set of totals per
process group, at most a second behind for the other workers. Without a directory (one
worker, or an app mounted elsewhere) the counts are the process's own.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["Metrics"]

# seconds; a single classification answers in well under a millisecond, a batch in seconds
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
SHARE_EVERY = 1.0  # seconds between a worker's snapshots
WEBHOOK_HELP = "Webhook delivery attempts, by outcome (delivered, failed and to be retried, dead)."


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(names: tuple[str, ...], values: tuple[str, ...]) -> str:
    return ",".join(f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True))


class Metrics:
    """Counters of requests, diagnoses, findings and webhook deliveries, and a latency histogram."""

    def __init__(self, share_dir: str | None = None) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, ...], int] = {}
        self.latency: dict[tuple[str, ...], list[float]] = {}  # bucket counts..., +Inf, sum, count
        self.diagnoses: dict[str, int] = {}
        self.findings: dict[str, int] = {}
        # counters added by name (webhook deliveries): name -> help, label names, counts
        self.extra: dict[str, tuple[str, tuple[str, ...], dict[tuple[str, ...], int]]] = {}
        self.share_dir = Path(share_dir) if share_dir else None
        self._stop = threading.Event()
        self._sharer: threading.Thread | None = None

    # ------------------------------------------------------------------ counting

    def count(self, name: str, help: str, amount: int = 1, **labels: str) -> None:
        """Add to a counter ``syncdoctor_<name>_total`` with these labels (created on first use)."""
        names = tuple(sorted(labels))
        with self._lock:
            entry = self.extra.get(name)
            if entry is None:
                entry = self.extra[name] = (help, names, {})
            elif entry[1] != names:
                raise ValueError(f"metric {name} has labels {entry[1]}, not {names}")
            key = tuple(labels[n] for n in names)
            entry[2][key] = entry[2].get(key, 0) + amount

    def count_webhook_attempt(self, outcome: str) -> None:
        """One webhook delivery attempt (``WebhookDelivery(on_attempt=...)``): ``delivered``,
        ``failed`` (to be retried) or ``dead`` (the last attempt failed, or the row was given up)."""
        self.count("webhook_deliveries", WEBHOOK_HELP, outcome=outcome)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, str(status))
        with self._lock:
            self.requests[key] = self.requests.get(key, 0) + 1
            hist = self.latency.get((method, route))
            if hist is None:
                hist = self.latency[(method, route)] = [0.0] * (len(BUCKETS) + 3)
            hist[bisect.bisect_left(BUCKETS, seconds)] += 1
            hist[-2] += seconds
            hist[-1] += 1

    def count_diagnoses(self, problems: Iterable[str]) -> None:
        self._count(self.diagnoses, problems)

    def count_findings(self, problems: Iterable[str]) -> None:
        self._count(self.findings, problems)

    def _count(self, table: dict[str, int], problems: Iterable[str]) -> None:
        problems = list(problems)
        if not problems:
            return
        with self._lock:
            for p in problems:
                table[p] = table.get(p, 0) + 1

    # ------------------------------------------------------------------ sharing between workers

    def snapshot(self) -> dict[str, Any]:
        """The counts as JSON-able data (what a worker shares with the others)."""
        with self._lock:
            return {
                "requests": [[*k, n] for k, n in self.requests.items()],
                "latency": [[*k, h] for k, h in self.latency.items()],
                "diagnoses": dict(self.diagnoses),
                "findings": dict(self.findings),
                "extra": {name: [text, list(names), [[*k, n] for k, n in counts.items()]]
                          for name, (text, names, counts) in self.extra.items()},
            }

    def start_sharing(self) -> None:
        """Write this worker's snapshot to ``share_dir`` every second (no-op without a directory)."""
        if self.share_dir is None or self._sharer is not None:
            return
        self.share_dir.mkdir(parents=True, exist_ok=True)

        def loop() -> None:
            while not self._stop.wait(SHARE_EVERY):
                self.share()

        self._sharer = threading.Thread(target=loop, name="syncdoctor-metrics", daemon=True)
        self._sharer.start()

    def stop_sharing(self) -> None:
        self._stop.set()
        if self._sharer is not None:
            self._sharer.join(timeout=2)
            self._sharer = None
        self.share()  # the last counts of a worker that stops still add up (counters never go down)

    def share(self) -> None:
        if self.share_dir is None:
            return
        target = self.share_dir / f"{os.getpid()}.json"
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.snapshot()))
        os.replace(temporary, target)  # readers see the old snapshot or the new one, never half

    def _others(self) -> list[dict[str, Any]]:
        if self.share_dir is None:
            return []
        out = []
        for path in self.share_dir.glob("*.json"):
            if path.stem == str(os.getpid()):
                continue
            with contextlib.suppress(OSError, ValueError):
                out.append(json.loads(path.read_text()))
        return out

    # ------------------------------------------------------------------ exposition

    def render(self) -> str:
        """This process's counts, plus the other workers' latest snapshots when they share."""
        total = _Totals()
        for snapshot in (self.snapshot(), *self._others()):
            total.add(snapshot)
        return total.render()


class _Totals:
    def __init__(self) -> None:
        self.requests: dict[tuple[str, ...], int] = {}
        self.latency: dict[tuple[str, ...], list[float]] = {}
        self.diagnoses: dict[str, int] = {}
        self.findings: dict[str, int] = {}
        self.extra: dict[str, tuple[str, tuple[str, ...], dict[tuple[str, ...], int]]] = {}

    def add(self, snapshot: dict[str, Any]) -> None:
        for *key, n in snapshot.get("requests", ()):
            self.requests[tuple(key)] = self.requests.get(tuple(key), 0) + int(n)
        for *key, hist in snapshot.get("latency", ()):
            mine = self.latency.setdefault(tuple(key), [0.0] * len(hist))
            for i, value in enumerate(hist):
                mine[i] += value
        for table, theirs in ((self.diagnoses, snapshot.get("diagnoses", {})),
                              (self.findings, snapshot.get("findings", {}))):
            for problem, n in theirs.items():
                table[problem] = table.get(problem, 0) + int(n)
        for name, (text, names, counts) in snapshot.get("extra", {}).items():
            entry = self.extra.setdefault(name, (text, tuple(names), {}))
            for *key, n in counts:
                entry[2][tuple(key)] = entry[2].get(tuple(key), 0) + int(n)

    def render(self) -> str:
        out: list[str] = [
            "# HELP syncdoctor_http_requests_total HTTP requests answered, by route template and status.",
            "# TYPE syncdoctor_http_requests_total counter",
        ]
        for key, n in sorted(self.requests.items()):
            out.append(f"syncdoctor_http_requests_total{{{_labels(('method', 'route', 'status'), key)}}} {n}")
        out += [
            "# HELP syncdoctor_http_request_duration_seconds Time from request start to the last byte "
            "of the answer.",
            "# TYPE syncdoctor_http_request_duration_seconds histogram",
        ]
        for route_key, hist in sorted(self.latency.items()):
            base = _labels(("method", "route"), route_key)
            cumulative = 0.0
            for bound, count in zip((*BUCKETS, float("inf")), hist[:-2], strict=True):
                cumulative += count
                le = "+Inf" if bound == float("inf") else repr(bound)
                out.append(f'syncdoctor_http_request_duration_seconds_bucket{{{base},le="{le}"}} {int(cumulative)}')
            out.append(f"syncdoctor_http_request_duration_seconds_sum{{{base}}} {hist[-2]:.6f}")
            out.append(f"syncdoctor_http_request_duration_seconds_count{{{base}}} {int(hist[-1])}")
        for metric, table, text in (
            ("syncdoctor_diagnoses_total", self.diagnoses, "Diagnoses answered, by problem id."),
            ("syncdoctor_findings_total", self.findings, "Findings answered, by problem id."),
        ):
            out += [f"# HELP {metric} {text}", f"# TYPE {metric} counter"]
            for problem, n in sorted(table.items()):
                out.append(f"{metric}{{{_labels(('problem',), (problem,))}}} {n}")
        for name, (text, names, counts) in sorted(self.extra.items()):
            metric = f"syncdoctor_{name}_total"
            out += [f"# HELP {metric} {text}", f"# TYPE {metric} counter"]
            for values, n in sorted(counts.items()):
                out.append(f"{metric}{{{_labels(names, values)}}} {n}")
        return "\n".join(out) + "\n"
