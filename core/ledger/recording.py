"""The writes of one event, each one statement, none after a read of the same row.

* a rejection upserts its issue (``INSERT ... ON CONFLICT (tenant, fingerprint) DO UPDATE``):
  the count, the times, reopening a resolved issue and counting the regression are computed by
  the database from the row it holds locked, so two replicas receiving the same rejection at
  once make one issue with a count of two;
* the entity's failure streak is an upsert too, ``RETURNING`` the new count: exactly one
  transaction sees the third failure, so exactly one escalates, across processes;
* an acceptance locks the entity's live issues in id order and resolves them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, literal
from sqlalchemy.engine import Row

from .fingerprint import CONNECTION, entity_key
from .schema import entity_failures, issue_actions, issues, occurrences
from .scope import TenantScope

__all__ = ["Upserted", "escalate", "new_id", "record_action", "record_failure", "resolve_entity", "upsert_issue"]

_ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def new_id(prefix: str) -> str:
    """A random public id (``iss_`` + 16 characters, 80 bits)."""
    return prefix + "_" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


@dataclass(frozen=True)
class Upserted:
    row: Row[Any]
    opened: bool  # this occurrence created the issue
    regressed: bool  # this occurrence reopened a resolved issue


def upsert_issue(scope: TenantScope, *, fingerprint: str, diagnosis: dict[str, Any], client: str, vendor: str,
                 entity: str, at: datetime, now: datetime) -> Upserted:
    params = diagnosis.get("params") or {}
    values = {
        "id": new_id("iss"),
        "fingerprint": fingerprint,
        "status": "open",
        "problem": diagnosis["problem"],
        "vendor": vendor,
        "client": client,
        "entity": entity,
        "category": diagnosis.get("category"),
        "severity": diagnosis.get("severity") or "error",
        "params": params,
        "title": diagnosis.get("title"),
        "first_seen": at,
        "last_seen": at,
        "count": 1,
        "regressed": 0,
        "escalated": False,
        "opened_at_count": 1,
        "diagnosis": diagnosis,
        "updated_at": now,
    }
    statement = scope.insert(issues, values)
    new = statement.excluded
    reopen = issues.c.status == "resolved"
    statement = statement.on_conflict_do_update(
        index_elements=[issues.c.tenant, issues.c.fingerprint],
        set_={
            "count": issues.c.count + 1,
            "first_seen": case((new.first_seen < issues.c.first_seen, new.first_seen), else_=issues.c.first_seen),
            "last_seen": case((new.last_seen > issues.c.last_seen, new.last_seen), else_=issues.c.last_seen),
            "status": case((reopen, literal("open")), else_=issues.c.status),
            "regressed": issues.c.regressed + case((reopen, 1), else_=0),
            "opened_at_count": case((reopen, issues.c.count + 1), else_=issues.c.opened_at_count),
            # the latest words of the vendor and the latest plan
            "params": new.params,
            "diagnosis": new.diagnosis,
            "title": new.title,
            "category": new.category,
            "severity": new.severity,
            "updated_at": new.updated_at,
        },
    ).returning(*issues.c)
    row = scope.execute(statement).one()
    count = row._mapping["count"]  # row.count is tuple.count
    return Upserted(row, opened=count == 1, regressed=count > 1 and row.opened_at_count == count)


def add_occurrence(scope: TenantScope, *, issue_id: str, at: datetime, now: datetime, request_id: str | None,
                   report: dict[str, Any], truncated: bool) -> None:
    scope.execute(scope.insert(occurrences, {
        "issue_id": issue_id, "at": at, "received_at": now, "request_id": request_id,
        "report": report, "truncated": truncated,
    }))


def record_failure(scope: TenantScope, *, client: str, vendor: str, entity: str, now: datetime) -> int:
    """Count one more failure of the entity; the streak's new length."""
    statement = scope.insert(entity_failures, {
        "key": entity_key(client, vendor, entity), "failures": 1, "last_failure_at": now,
    })
    statement = statement.on_conflict_do_update(
        index_elements=[entity_failures.c.tenant, entity_failures.c.key],
        set_={"failures": entity_failures.c.failures + 1, "last_failure_at": statement.excluded.last_failure_at},
    ).returning(entity_failures.c.failures)
    return int(scope.execute(statement).scalar_one())


def reset_failures(scope: TenantScope, *, client: str, vendor: str, entity: str) -> None:
    key = entity_key(client, vendor, entity)
    scope.execute(scope.update(entity_failures).where(entity_failures.c.key == key).values(failures=0))


def escalate(scope: TenantScope, issue_id: str, now: datetime) -> Row[Any] | None:
    """Flag the issue escalated; the row if this call did it (None if it already was)."""
    statement = (
        scope.update(issues)
        .where(issues.c.id == issue_id, issues.c.escalated.is_(False))
        .values(escalated=True, updated_at=now)
        .returning(*issues.c)
    )
    return scope.execute(statement).first()


def record_action(scope: TenantScope, *, issue_id: str, actor: str, action: str, note: str | None,
                  from_status: str, to_status: str, now: datetime) -> dict[str, Any]:
    entry = {"issue_id": issue_id, "at": now, "actor": actor, "action": action, "note": note,
             "from_status": from_status, "to_status": to_status}
    scope.execute(scope.insert(issue_actions, entry))
    return entry


def resolve_entity(scope: TenantScope, *, client: str, vendor: str, entity: str, actor: str,
                   now: datetime) -> list[tuple[str, Row[Any]]]:
    """Resolve the entity's live issues, and the client's connection issues with that vendor
    (an accepted record proves the connection works); each resolved row with its status before."""
    live = (
        scope.select(issues)
        .where(
            issues.c.client == client,
            issues.c.vendor == vendor,
            issues.c.entity.in_([entity, CONNECTION]),
            issues.c.status.in_(["open", "muted", "skipped"]),
        )
        .order_by(issues.c.id)  # lock in one order: two acceptances cannot deadlock
        .with_for_update()
    )
    rows = scope.execute(live).all()
    resolved = []
    for row in rows:
        updated = scope.execute(
            scope.update(issues)
            .where(issues.c.id == row.id, issues.c.status == row.status)
            .values(status="resolved", updated_at=now)
            .returning(*issues.c)
        ).first()
        if updated is not None:
            record_action(scope, issue_id=row.id, actor=actor, action="resolve",
                          note="an accepted sync of the entity resolved it", from_status=row.status,
                          to_status="resolved", now=now)
            resolved.append((row.status, updated))
    return resolved
