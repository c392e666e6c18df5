"""Prometheus metrics in the text exposition format (version 0.0.4), written here.

Written rather than taken from prometheus_client: the service needs two counters and one
histogram with fixed label sets, and a dependency for that would also bring its global registry
into every host that mounts :func:`create_app`. Each app has its own :class:`Metrics`.

Per process: with several uvicorn workers each worker counts its own requests and a scrape sees
the worker that answers it (the ``worker`` label tells them apart); run one worker per
container when exact totals per scrape matter (docs/service.md, "Deployment").
"""

from __future__ import annotations

import bisect
import os
import threading
from collections.abc import Iterable

__all__ = ["Metrics"]

# seconds; a single classification answers in well under a millisecond, a batch in seconds
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(names: tuple[str, ...], values: tuple[str, ...]) -> str:
    return ",".join(f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True))


class Metrics:
    """Counters of requests, diagnoses and findings, and a latency histogram."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, str], int] = {}
        self.latency: dict[tuple[str, str], list[float]] = {}  # bucket counts..., sum, count
        self.diagnoses: dict[str, int] = {}
        self.findings: dict[str, int] = {}
        # counters other parts add (the ledger's writes, webhook deliveries): name -> help, counts
        self.extra: dict[str, tuple[str, tuple[str, ...], dict[tuple[str, ...], int]]] = {}
        self.worker = str(os.getpid())

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

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, str(status))
        with self._lock:
            self.requests[key] = self.requests.get(key, 0) + 1
            hist = self.latency.get((method, route))
            if hist is None:
                hist = self.latency[(method, route)] = [0.0] * (len(BUCKETS) + 3)  # +Inf, sum, count
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

    def render(self) -> str:
        with self._lock:
            requests = dict(self.requests)
            latency = {k: list(v) for k, v in self.latency.items()}
            diagnoses = dict(self.diagnoses)
            findings = dict(self.findings)
            extra = {name: (help, names, dict(counts)) for name, (help, names, counts) in self.extra.items()}
        w = ("worker",), (self.worker,)
        out: list[str] = [
            "# HELP syncdoctor_http_requests_total HTTP requests answered, by route template and status.",
            "# TYPE syncdoctor_http_requests_total counter",
        ]
        request_names: tuple[str, ...] = ("method", "route", "status", *w[0])
        for key, n in sorted(requests.items()):
            out.append(f"syncdoctor_http_requests_total{{{_labels(request_names, (*key, *w[1]))}}} {n}")
        out += [
            "# HELP syncdoctor_http_request_duration_seconds Time from request start to the last byte "
            "of the answer.",
            "# TYPE syncdoctor_http_request_duration_seconds histogram",
        ]
        latency_names: tuple[str, ...] = ("method", "route", *w[0])
        for route_key, hist in sorted(latency.items()):
            base = _labels(latency_names, (*route_key, *w[1]))
            cumulative = 0.0
            for bound, count in zip((*BUCKETS, float("inf")), hist[:-2], strict=True):
                cumulative += count
                le = "+Inf" if bound == float("inf") else repr(bound)
                out.append(f'syncdoctor_http_request_duration_seconds_bucket{{{base},le="{le}"}} {int(cumulative)}')
            out.append(f"syncdoctor_http_request_duration_seconds_sum{{{base}}} {hist[-2]:.6f}")
            out.append(f"syncdoctor_http_request_duration_seconds_count{{{base}}} {int(hist[-1])}")
        for metric, table, text in (
            ("syncdoctor_diagnoses_total", diagnoses, "Diagnoses answered, by problem id."),
            ("syncdoctor_findings_total", findings, "Findings answered, by problem id."),
        ):
            out += [f"# HELP {metric} {text}", f"# TYPE {metric} counter"]
            for problem, n in sorted(table.items()):
                out.append(f"{metric}{{{_labels(('problem', *w[0]), (problem, *w[1]))}}} {n}")
        for name, (text, names, counts) in sorted(extra.items()):
            metric = f"syncdoctor_{name}_total"
            out += [f"# HELP {metric} {text}", f"# TYPE {metric} counter"]
            for values, n in sorted(counts.items()):
                out.append(f"{metric}{{{_labels((*names, *w[0]), (*values, *w[1]))}}} {n}")
        return "\n".join(out) + "\n"
