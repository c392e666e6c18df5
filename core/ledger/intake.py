"""What one event does to the ledger, inside the transaction the caller holds.

A rejection upserts one issue per diagnosis, adds an occurrence to each, queues the webhooks
of what changed, and lengthens the entity's failure streak (escalating from the third). An
acceptance resolves the entity's issues and ends its streak.

**No deadlocks between replicas, short waits.** A transaction may record a batch of events, and
two replicas may record the same events in different orders. On PostgreSQL a transaction first
takes an advisory lock per entity it will write, sorted; every row of an entity's issues and
streak belongs to that key. A client's *connection* issues are shared by all its entities and
every acceptance may resolve them: that work is deferred to the end of the transaction, where
the connection keys are locked (sorted, always after the entity keys) and the deferred steps run
in their input order. Every transaction takes its locks in one global order, so none waits in a
circle, and the hot connection rows are held only for the last moments before the commit.
SQLite needs none of this: one writer at a time (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import text

from .events import Event
from .fingerprint import CONNECTION, UNKNOWN_ENTITY, fingerprint, is_connection_problem
from .recording import (
    add_occurrences,
    escalate,
    record_failure,
    reset_failures,
    resolve_entity,
    upsert_issue,
    upsert_issue_counting_failure,
)
from .scope import TenantScope
from .views import issue_json
from .webhooks import enqueue_many

__all__ = ["Batch", "accepted", "lock_entities", "rejected"]

# the message of core.repeated_failure (core/packs/core.yaml) when no Host is there to render it
REPEATED = {
    "en": "Failed sync number {failures} of {entity}: fix the cause or skip it",
    "fr": "Échec de synchronisation n° {failures} de {entity} : corrigez la cause ou ignorez l'enregistrement",
}


def repeated_message(host: Any, lang: str, params: dict[str, Any]) -> str:
    """The ``core.repeated_failure`` finding's message, from the core pack when it is loaded."""
    compiled = host.catalog.problems.get("core.repeated_failure") if host is not None else None
    problem = compiled.problem if compiled is not None else None
    if problem is not None and problem.message is not None:
        return str(problem.message.render(lang, params))
    return REPEATED.get(lang, REPEATED["en"]).format(**params)
_LOCKS = text("SELECT pg_advisory_xact_lock(k) FROM (SELECT k FROM unnest(CAST(:keys AS bigint[])) "
              "WITH ORDINALITY AS t(k, n) ORDER BY n) AS ordered")


@dataclass
class Batch:
    """What the events of one transaction do at its end: the deferred connection steps, then
    the occurrences and webhook rows, written together (one round trip each)."""

    now: datetime
    host: Any = None  # renders the finding's message in the request's language
    occurrences: list[dict[str, Any]] = field(default_factory=list)
    notices: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    deferred: list[Callable[[TenantScope], None]] = field(default_factory=list)
    connections: set[tuple[str, str]] = field(default_factory=set)  # (client, vendor)

    def _problem(self, diagnosis: dict[str, Any]) -> Any:
        found = self.host.catalog.problems.get(diagnosis["problem"]) if self.host is not None else None
        return found.problem if found is not None else None

    def fingerprint(self, tenant: str, event: Event, diagnosis: dict[str, Any], entity: str) -> str:
        """The issue's fingerprint, with the ``identity:`` the problem's pack declares, if any."""
        problem = self._problem(diagnosis)
        return fingerprint(tenant, event.client, event.vendor, diagnosis["problem"], entity,
                           diagnosis.get("params") or {}, problem.identity if problem is not None else None)

    def words(self, diagnosis: dict[str, Any]) -> list[str]:
        """The problem's title and category in both languages, for the text filter: a reader
        finds an issue by words of their own language, whichever language recorded it."""
        problem = self._problem(diagnosis)
        if problem is None:
            return []
        params = diagnosis.get("params") or {}
        return [problem.title.render("en", params), problem.title.render("fr", params), problem.category,
                problem.category_fr or ""]

    def later(self, client: str, vendor: str, step: Callable[[TenantScope], None]) -> None:
        self.connections.add((client, vendor))
        self.deferred.append(step)

    def flush(self, scope: TenantScope) -> None:
        if self.deferred:
            if scope.conn.dialect.name == "postgresql":
                keys = sorted({_lock_key(scope.tenant, c, v, CONNECTION) for c, v in self.connections})
                scope.conn.execute(_LOCKS, {"keys": keys})
            for step in self.deferred:
                step(scope)
        add_occurrences(scope, self.occurrences)
        enqueue_many(scope, self.notices, self.now)
        self.occurrences, self.notices, self.deferred, self.connections = [], [], [], set()


def _lock_key(tenant: str, client: str, vendor: str, entity: str) -> int:
    digest = hashlib.blake2b(f"{tenant}\0{client}\0{vendor}\0{entity}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_entities(scope: TenantScope, events: Sequence[tuple[Event, list[dict[str, Any]] | None]]) -> None:
    """Take, in sorted order, the advisory locks of every entity these events (with their
    diagnoses; None for an acceptance) will write (PostgreSQL only)."""
    if scope.conn.dialect.name != "postgresql" or not events:
        return
    keys = {_lock_key(scope.tenant, event.client, event.vendor, event.entity_ref or UNKNOWN_ENTITY)
            for event, _ in events}
    scope.conn.execute(_LOCKS, {"keys": sorted(keys)})


def rejected(scope: TenantScope, batch: Batch, event: Event, diagnoses: list[dict[str, Any]],
             report: dict[str, Any], truncated: bool, *, request_id: str | None, lang: str,
             escalate_after: int) -> dict[str, Any]:
    now = batch.now
    at = event.when(now)
    entity = event.entity_ref or UNKNOWN_ENTITY
    rows: dict[str, Any] = {}
    entity_issues: list[str] = []
    to_escalate: list[str] = []
    failures: int | None = None
    # the usual case on PostgreSQL (one diagnosis, about a known record): one round trip, not two
    together = (scope.conn.dialect.name == "postgresql" and len(diagnoses) == 1 and event.entity_ref is not None
                and not is_connection_problem(diagnoses[0].get("category")))
    answer: dict[str, Any] = {"issues": [], "resolved": [], "findings": []}
    occurrence = {"at": at, "received_at": now, "report": report, "truncated": truncated,
                  "request_id": request_id[:100] if request_id else None}
    for diagnosis in diagnoses:
        if is_connection_problem(diagnosis.get("category")):
            batch.later(event.client, event.vendor, partial(_connection_issue, batch=batch, answer=answer,
                                                            event=event, diagnosis=diagnosis, at=at,
                                                            occurrence=occurrence))
            continue
        fp = batch.fingerprint(scope.tenant, event, diagnosis, entity)
        if together:
            up, failures = upsert_issue_counting_failure(
                scope, fingerprint=fp, diagnosis=diagnosis, client=event.client, vendor=event.vendor, entity=entity,
                at=at, now=now, words=batch.words(diagnosis))
        else:
            up = upsert_issue(scope, fingerprint=fp, diagnosis=diagnosis, client=event.client,
                              vendor=event.vendor, entity=entity, at=at, now=now, words=batch.words(diagnosis))
        batch.occurrences.append({"issue_id": up.row.id, **occurrence})
        rows[up.row.id] = up.row
        _notice_upsert(batch, up)
        entity_issues.append(up.row.id)
        if not up.row.escalated:  # once escalated, an issue stays so: no statement to say it again
            to_escalate.append(up.row.id)
    findings = []
    if entity_issues and event.entity_ref is not None:
        if failures is None:
            failures = record_failure(scope, client=event.client, vendor=event.vendor, entity=entity, now=now)
        if failures >= escalate_after:
            for issue_id in to_escalate:
                row = escalate(scope, issue_id, now)
                if row is not None:
                    rows[issue_id] = row
                    if row.status != "muted":  # muted: no notifications
                        batch.notices.append(("issue.escalated", issue_json(row)))
            findings.append({
                "problem": "core.repeated_failure", "severity": "warning", "entity": entity, "path": None,
                "message": repeated_message(batch.host, lang, {"failures": failures, "entity": entity}),
                "params": {"entity": entity, "failures": failures, "issues": entity_issues},
            })
    # the connection issues (deferred) are added to the same answer when they are recorded
    answer["issues"][:0] = [issue_json(r) for r in rows.values()]
    answer["findings"] = findings
    return answer


def _notice_upsert(batch: Batch, up: Any) -> None:
    if up.opened:
        batch.notices.append(("issue.opened", issue_json(up.row)))
    elif up.regressed:
        batch.notices.append(("issue.regressed", issue_json(up.row)))


def _connection_issue(scope: TenantScope, *, batch: Batch, answer: dict[str, Any], event: Event,
                      diagnosis: dict[str, Any], at: datetime, occurrence: dict[str, Any]) -> None:
    """A connection problem's issue (deferred: see the module doc)."""
    fp = batch.fingerprint(scope.tenant, event, diagnosis, CONNECTION)
    up = upsert_issue(scope, fingerprint=fp, diagnosis=diagnosis, client=event.client, vendor=event.vendor,
                      entity=CONNECTION, at=at, now=batch.now, words=batch.words(diagnosis))
    batch.occurrences.append({"issue_id": up.row.id, **occurrence})
    _notice_upsert(batch, up)
    answer["issues"].append(issue_json(up.row))


def accepted(scope: TenantScope, batch: Batch, event: Event) -> dict[str, Any]:
    entity = event.entity_ref
    assert entity is not None
    answer: dict[str, Any] = {"issues": [], "resolved": [], "findings": []}
    _resolve(scope, batch, answer, event, entity)
    reset_failures(scope, client=event.client, vendor=event.vendor, entity=entity)
    # an accepted record proves the connection works: its connection issues are resolved too (deferred)
    batch.later(event.client, event.vendor, partial(_resolve, batch=batch, answer=answer, event=event,
                                                    entity=CONNECTION))
    return answer


def _resolve(scope: TenantScope, batch: Batch, answer: dict[str, Any], event: Event, entity: str) -> None:
    resolved = resolve_entity(scope, client=event.client, vendor=event.vendor, entity=entity,
                              actor="syncdoctor:accepted-event", now=batch.now)
    for before, row in resolved:
        if before != "muted":  # muted: no notifications
            batch.notices.append(("issue.resolved", issue_json(row)))
    answer["resolved"].extend(row.id for _, row in resolved)
