"""`--record --client C` on `classify` and `validate`: their results go to the issue ledger,
without the service (the same database, so `syncdoctor ledger list` and the service see them).

A classified rejection is recorded as a ``rejected`` event of its client, vendor and entity
(the report's ``record``, else ``--entity``), with the diagnoses already made — nothing is
classified twice. A validation finding is recorded as a rejection the target *would* send:
one event per entity and vendor (the plugin that found it), its diagnosis made from the
finding and its plan. Results are written 256 at a time, each batch one transaction.

A result the ledger would refuse (a vendor name or an entity id too long for it) is checked
before it goes on to the output: it is not recorded, stderr says so naming the input record
and field, and a ``core.invalid_input`` diagnosis (or finding) is put first in its result, so
the output says it too and the command exits 2, as for any bad record.

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

from ..errors import InputError
from ..host.batches import EntityResult, invalid_input, invalid_report
from ..model.labels import counted
from .terminal import visible

__all__ = ["Recorder", "add_record_flags"]

BATCH = 256
_REPORT_FIELDS = ("message", "http_status", "code", "payload")


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
        self._events: list[Any] = []
        self._diagnoses: list[list[Any]] = []
        self._records: list[int] = []  # the input record (0-based) of each event, to name it
        self._results = 0  # results seen so far: the next one's record number
        self.recorded = 0
        self.refused = 0
        self.late = 0  # refused by the ledger when written, after the record's answer went out
        self.issues: set[str] = set()
        self.escalated = 0

    @classmethod
    def from_args(cls, args: argparse.Namespace, host: Any) -> Recorder | None:
        """A recorder when ``--record`` was given; a usage error names what is missing."""
        if not getattr(args, "record", False):
            return None
        from .command import UsageError, missing_extra

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
        from ..ledger.events import parse_event

        try:  # what every event carries: a bad --client or --entity is a usage error, said once
            parse_event({"client": args.client, "vendor": "-", "entity_id": args.record_entity or "-",
                         "outcome": "accepted"}, 0)
        except InputError as exc:
            flag = {"client": "--client", "entity_id": "--entity"}.get(exc.field or "", exc.field)
            raise UsageError(f"{flag}: {exc.reason}") from None
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
            index = self._next()
            report = self._inputs.popleft() if self._inputs else None
            if isinstance(report, dict) and diags and diags[0].problem != "core.invalid_input":
                vendor = report.get("vendor") or diags[0].vendor or "unknown"
                # the fields the report gives: one it leaves out (no message) takes the ledger's default
                event = {"client": self.client, "vendor": vendor, "outcome": "rejected",
                         "entity_id": str(report.get("record") or self.entity or "") or None,
                         "report": {k: report[k] for k in _REPORT_FIELDS if report.get(k) is not None}}
                if event["entity_id"] is None:
                    del event["entity_id"]
                entity_field = "record" if report.get("record") else "--entity"
                refused = self._add(event, diags, index, {"entity_id": entity_field})
                if refused is not None:
                    host = self.host
                    diags = [invalid_report(refused, index, self.lang, host.catalog, host.engine), *diags]
            yield diags

    # ------------------------------------------------------------------ validate

    def validated(self, results: Iterable[Any]) -> Iterator[Any]:
        """Entity results, passed through; an entity's findings are recorded per vendor."""
        for result in results:
            index = self._next()
            by_vendor: dict[str, list[Any]] = {}
            for finding in result.findings:
                if finding.problem.startswith("core."):
                    continue  # invalid input, a plugin's crash: nothing the target said
                by_vendor.setdefault(finding.problem.split(".", 1)[0], []).append(finding)
            refused = None
            for vendor, findings in by_vendor.items():
                event = {"client": self.client, "vendor": vendor, "entity_id": str(result.entity),
                         "outcome": "rejected",
                         "report": {"message": "; ".join(f.message for f in findings),
                                    "payload": {"source": "validate", "paths": [f.path for f in findings]}}}
                refused = self._add(event, [self._diagnosis(f) for f in findings], index, {"entity_id": "id"},
                                    quiet=refused is not None) or refused
            if refused is not None:
                result = EntityResult(result.entity, [invalid_input(refused, index), *result.findings], result.parsed)
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

    def _next(self) -> int:
        self._results += 1
        return self._results - 1

    def _add(self, event: dict[str, Any], diagnoses: list[Any], index: int, fields: dict[str, str],
             quiet: bool = False) -> InputError | None:
        """Queue an event of input record ``index``; one the ledger would refuse is not queued:
        its error, naming the record and the input's field (``fields`` maps the event's), is
        said on stderr (unless ``quiet``) and returned."""
        from ..ledger.events import parse_event

        try:
            parsed = parse_event(event, index)  # checked here, so record_batch takes it as it is
        except InputError as exc:
            field = fields.get(exc.field or "") or (exc.field or "").removeprefix("report.") or None
            error = InputError(index, field, f"not recorded in the issue ledger: {exc.reason}")
            if not quiet:
                self._refuse(error)
            return error
        self._events.append(parsed)
        self._diagnoses.append(diagnoses)
        self._records.append(index)
        if len(self._events) >= BATCH:
            self._flush()
        return None

    def _refuse(self, error: InputError) -> None:
        self.refused += 1
        sys.stderr.write(visible(f"syncdoctor: {error}") + "\n")

    def _flush(self) -> None:
        if not self._events:
            return
        answers = self.ledger.record_batch(self.tenant, self._events, diagnosed=self._diagnoses, lang=self.lang)
        for answer, index in zip(answers, self._records, strict=True):
            if isinstance(answer, dict):
                self.recorded += 1
                self.issues.update(i["id"] for i in answer["issues"])
                self.escalated += len(answer["findings"])
            else:  # checked before: only a ledger that changed its mind gets here; named by the input's record
                self.late += 1
                self._refuse(InputError(index, answer.field, f"not recorded in the issue ledger: {answer.reason}"))
        self._events, self._diagnoses, self._records = [], [], []

    def close(self) -> None:
        """Record what is left and say what was recorded (on stderr: stdout is the command's)."""
        self._flush()
        sys.stderr.write(visible(self.summary()) + "\n")
        self.ledger.db.dispose()

    def summary(self) -> str:
        """What was recorded, in the reader's language, each count agreeing with its noun."""
        n, issues, escalated, refused = self.recorded, len(self.issues), self.escalated, self.refused
        where = f"syncdoctor ledger list --tenant {self.tenant} --client {self.client}"
        if self.lang == "fr":  # French takes the singular for 0 and 1
            text = (f"{counted(n, 'report', 'fr')} {_fr(n, 'enregistré')} dans {issues} {_fr(issues, 'incident')} "
                    f"du client {self.client} (espace {self.tenant})")
            if escalated:
                text += f", {escalated} {_fr(escalated, 'échec')} {_fr(escalated, 'répété')} ({_fr(escalated, 'escaladé')})"
            if refused:
                text += f", {refused} non {_fr(refused, 'enregistré')}"
            return f"{text} : {where}"
        text = (f"recorded {counted(n, 'report', 'en')} in {issues} {_en(issues, 'issue')} of client {self.client} "
                f"(tenant {self.tenant})")
        if escalated:
            text += f", {escalated} repeated {_en(escalated, 'failure')} (escalated)"
        if refused:
            text += f", {refused} not recorded"
        return f"{text}: {where}"


def _en(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def _fr(n: int, word: str) -> str:
    return word if n <= 1 else word + "s"
