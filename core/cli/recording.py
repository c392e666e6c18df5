"""`--record --client C` on `classify` and `validate`: their results go to the issue ledger,
without the service (the same database, so `syncdoctor ledger list` and the service see them).

A classified rejection is recorded as a ``rejected`` event of its client, vendor and entity
(the report's ``record``, else ``--entity``), with the diagnoses already made — nothing is
classified twice. A validation finding is recorded as a rejection the target *would* send:
one event per entity and vendor (the plugin that found it), its diagnosis made from the
finding and its plan. Results are written 256 at a time, each batch one transaction.

Wiring (two calls per command)::

    recorder = Recorder.from_args(args, host)          # None without --record
    inputs = recorder.inputs(inputs) if recorder else inputs
    results = recorder.classified(results) if recorder else results   # or .validated(results)
    ...                                                  # the command consumes results as before
    if recorder: recorder.close()                      # the last batch; prints what was recorded
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["Recorder", "add_record_flags"]

BATCH = 256


def add_record_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("recording in the issue ledger")
    group.add_argument("--record", action="store_true",
                       help="record the results in the issue ledger (needs --client) (e.g. --record --client acme-sarl)")
    group.add_argument("--client", help="the client (firm folder, company) the records belong to (e.g. --client acme-sarl)")
    group.add_argument("--tenant", default=None,
                       help="the ledger's tenant (default $SYNCDOCTOR_TENANT, else 'local') (e.g. --tenant firm-42)")
    group.add_argument("--entity", dest="record_entity", metavar="ID",
                       help="the rejected entity's id, for a report that does not name it (its 'record') (e.g. --entity inv-1781)")
    group.add_argument("--db", dest="record_db", metavar="URL",
                       help="the ledger's database (default $SYNCDOCTOR_DB, else sqlite:///syncdoctor.db) "
                            "(e.g. --db sqlite:///ledger.db)")


class Recorder:
    """Taps a command's stream of inputs and results and records them in the ledger."""

    def __init__(self, ledger: Any, host: Any, tenant: str, client: str, entity: str | None, lang: str) -> None:
        self.ledger = ledger
        self.host = host
        self.tenant = tenant
        self.client = client
        self.entity = entity
        self.lang = lang
        self._inputs: deque[Any] = deque()
        self._events: list[dict[str, Any]] = []
        self._diagnoses: list[list[Any]] = []
        self.recorded = 0
        self.issues: set[str] = set()
        self.escalated = 0

    @classmethod
    def from_args(cls, args: argparse.Namespace, host: Any) -> Recorder | None:
        """A recorder when ``--record`` was given; a usage error names what is missing."""
        if not getattr(args, "record", False):
            return None
        from ..errors import UsageError
        from .command import missing_extra

        if not args.client:
            raise UsageError("--record needs --client C: the client (firm, company) the records belong to")
        try:
            from ..ledger import Database, Ledger
        except ImportError as exc:
            raise missing_extra("--record", exc) from None
        db = Database(args.record_db)
        if db.current() is None:
            db.upgrade()  # a new ledger file: create its tables, as `keys create` does
        else:
            db.require_current()
        tenant = args.tenant or os.environ.get("SYNCDOCTOR_TENANT") or "local"
        return cls(Ledger(db, host), host, tenant, args.client, args.record_entity, getattr(args, "lang", "en"))

    # ------------------------------------------------------------------ classify

    def inputs(self, items: Iterable[Any]) -> Iterator[Any]:
        """The command's inputs, passed through and remembered until their results come."""
        for item in items:
            self._inputs.append(item)
            yield item

    def classified(self, results: Iterable[list[Any]]) -> Iterator[list[Any]]:
        """The diagnoses of each input, passed through; each rejection is recorded."""
        for diags in results:
            report = self._inputs.popleft() if self._inputs else None
            if isinstance(report, dict) and diags and diags[0].problem != "core.invalid_input":
                vendor = report.get("vendor") or diags[0].vendor or "unknown"
                event = {"client": self.client, "vendor": vendor, "outcome": "rejected",
                         "entity_id": str(report.get("record") or self.entity or "") or None,
                         "report": {k: report.get(k) for k in ("message", "http_status", "code", "payload")}}
                if event["entity_id"] is None:
                    del event["entity_id"]
                self._add(event, diags)
            yield diags

    # ------------------------------------------------------------------ validate

    def validated(self, results: Iterable[Any]) -> Iterator[Any]:
        """Entity results, passed through; an entity's findings are recorded per vendor."""
        for result in results:
            by_vendor: dict[str, list[Any]] = {}
            for finding in result.findings:
                if finding.problem.startswith("core."):
                    continue  # invalid input, a plugin's crash: nothing the target said
                by_vendor.setdefault(finding.problem.split(".", 1)[0], []).append(finding)
            for vendor, findings in by_vendor.items():
                event = {"client": self.client, "vendor": vendor, "entity_id": str(result.entity),
                         "outcome": "rejected",
                         "report": {"message": "; ".join(f.message for f in findings),
                                    "payload": {"source": "validate", "paths": [f.path for f in findings]}}}
                self._add(event, [self._diagnosis(f) for f in findings])
            yield result

    def _diagnosis(self, finding: Any) -> dict[str, Any]:
        """A finding as the diagnosis of the rejection it predicts: its problem, params and plan."""
        compiled = self.host.catalog.problems.get(finding.problem)
        problem = compiled.problem if compiled is not None else None
        try:
            plans = self.host.remediate(finding.problem, finding.params, lang=self.lang)
        except Exception:  # a plugin's remediate failing must not lose the record
            plans = []
        plan = plans[0].model_dump(mode="json") if plans else {"steps": [], "alternatives": []}
        return {
            "problem": finding.problem,
            "vendor": finding.problem.split(".", 1)[0],
            "category": problem.category if problem is not None else None,
            "title": problem.title.render(self.lang, finding.params) if problem is not None else None,
            "severity": finding.severity,
            "params": finding.params,
            "causes": [c.render(self.lang, finding.params) for c in problem.causes] if problem is not None else [],
            "remediation": {"steps": plan.get("steps", []), "alternatives": plan.get("alternatives", [])},
        }

    # ------------------------------------------------------------------ writing

    def _add(self, event: dict[str, Any], diagnoses: list[Any]) -> None:
        self._events.append(event)
        self._diagnoses.append(diagnoses)
        if len(self._events) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self._events:
            return
        answers = self.ledger.record_batch(self.tenant, self._events, diagnosed=self._diagnoses, lang=self.lang)
        for answer in answers:
            if isinstance(answer, dict):
                self.recorded += 1
                self.issues.update(i["id"] for i in answer["issues"])
                self.escalated += len(answer["findings"])
            else:  # an event the ledger refused (a field too long): say so, go on
                sys.stderr.write(f"syncdoctor: not recorded: {answer}\n")
        self._events, self._diagnoses = [], []

    def close(self) -> None:
        """Record what is left and say what was recorded (on stderr: stdout is the command's)."""
        self._flush()
        escalated = f", {self.escalated} repeated failures (escalated)" if self.escalated else ""
        sys.stderr.write(f"recorded {self.recorded} rejections in {len(self.issues)} issues of client "
                         f"{self.client} (tenant {self.tenant}){escalated}: syncdoctor ledger list "
                         f"--tenant {self.tenant} --client {self.client}\n")
        self.ledger.db.dispose()
