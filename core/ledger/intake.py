"""What one event does to the ledger, inside the transaction the caller holds.

A rejection upserts one issue per diagnosis, adds an occurrence to each, queues the webhooks
of what changed, and lengthens the entity's failure streak (escalating from the third). An
acceptance resolves the entity's issues and ends its streak.

**No deadlocks between replicas.** A transaction may record a batch of events, and two
replicas may record the same events in different orders. Before touching a row, a transaction
on PostgreSQL takes an advisory lock per entity it will touch (and per client connection, for
connection problems and acceptances), in one global order: every row an event writes belongs to
one of those keys, so two transactions wait for each other at most once, never in a circle.
SQLite needs none of this: one writer at a time (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
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
    """What the events of one transaction write together at its end (one round trip each)."""

    now: datetime
    host: Any = None  # renders the finding's message in the request's language
    occurrences: list[dict[str, Any]] = field(default_factory=list)
    notices: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def flush(self, scope: TenantScope) -> None:
        add_occurrences(scope, self.occurrences)
        enqueue_many(scope, self.notices, self.now)
        self.occurrences, self.notices = [], []


def _lock_key(tenant: str, client: str, vendor: str, entity: str) -> int:
    digest = hashlib.blake2b(f"{tenant}\0{client}\0{vendor}\0{entity}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_entities(scope: TenantScope, events: Sequence[tuple[Event, list[dict[str, Any]] | None]]) -> None:
    """Take, in sorted order, the advisory locks of every entity and connection these events
    (with their diagnoses; None for an acceptance) will write (PostgreSQL only)."""
    if scope.conn.dialect.name != "postgresql" or not events:
        return
    keys = set()
    for event, diagnoses in events:
        keys.add(_lock_key(scope.tenant, event.client, event.vendor, event.entity_ref or UNKNOWN_ENTITY))
        if diagnoses is None or any(is_connection_problem(d.get("category")) for d in diagnoses):
            keys.add(_lock_key(scope.tenant, event.client, event.vendor, CONNECTION))
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
    for diagnosis in diagnoses:
        connection = is_connection_problem(diagnosis.get("category"))
        ref = CONNECTION if connection else entity
        fp = fingerprint(scope.tenant, event.client, event.vendor, diagnosis["problem"], ref,
                         diagnosis.get("params") or {})
        if together:
            up, failures = upsert_issue_counting_failure(
                scope, fingerprint=fp, diagnosis=diagnosis, client=event.client, vendor=event.vendor, entity=ref,
                at=at, now=now)
        else:
            up = upsert_issue(scope, fingerprint=fp, diagnosis=diagnosis, client=event.client,
                              vendor=event.vendor, entity=ref, at=at, now=now)
        batch.occurrences.append({"issue_id": up.row.id, "at": at, "received_at": now, "report": report,
                                  "request_id": request_id[:100] if request_id else None, "truncated": truncated})
        rows[up.row.id] = up.row
        if up.opened:
            batch.notices.append(("issue.opened", issue_json(up.row)))
        elif up.regressed:
            batch.notices.append(("issue.regressed", issue_json(up.row)))
        if not connection:
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
    return {"issues": [issue_json(r) for r in rows.values()], "resolved": [], "findings": findings}


def accepted(scope: TenantScope, batch: Batch, event: Event) -> dict[str, Any]:
    now = batch.now
    entity = event.entity_ref
    assert entity is not None
    resolved = resolve_entity(scope, client=event.client, vendor=event.vendor, entity=entity,
                              actor="syncdoctor:accepted-event", now=now)
    reset_failures(scope, client=event.client, vendor=event.vendor, entity=entity)
    for before, row in resolved:
        if before != "muted":  # muted: no notifications
            batch.notices.append(("issue.resolved", issue_json(row)))
    return {"issues": [], "resolved": [row.id for _, row in resolved], "findings": []}
