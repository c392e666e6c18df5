"""The writes of one event, each one statement, none after a read of the same row.

* a rejection upserts its issue (``INSERT ... ON CONFLICT (tenant, fingerprint) DO UPDATE``):
  the count, the times, reopening a resolved issue and counting the regression are computed by
  the database from the row it holds locked, so two replicas receiving the same rejection at
  once make one issue with a count of two;
* the entity's failure streak is an upsert too, ``RETURNING`` the new count: exactly one
  transaction sees the third failure, so exactly one escalates, across processes;
* an acceptance locks the entity's live issues in id order and resolves them; it ends the
  entity's streak, so it clears the escalation of the entity's issues (resolved ones included).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, literal, select, true
from sqlalchemy.engine import Row

from .fingerprint import CONNECTION, entity_key
from .schema import entity_failures, issue_actions, issues, occurrences
from .scope import TenantScope
from .where import fold

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


_ISSUE_COLUMNS = ("id", "fingerprint", "status", "problem", "vendor", "client", "entity", "category", "severity",
                  "params", "title", "first_seen", "last_seen", "count", "regressed", "escalated", "opened_at_count",
                  "diagnosis", "updated_at", "search")


def _upsert_statement(scope: TenantScope) -> Any:
    statement = scope.insert(issues, {c: bindparam(c) for c in _ISSUE_COLUMNS})
    new = statement.excluded
    reopen = issues.c.status == "resolved"
    return statement.on_conflict_do_update(
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
            "search": new.search,
        },
    ).returning(*issues.c)


def search_text(issue: Mapping[str, Any], words: Sequence[str] = ()) -> str:
    """What the issue list's text filter looks in, folded (``where.fold``): the title, problem, client,
    entity, vendor and category, the params' values (a word is found in any one of them), and
    ``words`` (the title and category in the other language)."""
    params = issue.get("params")
    parts = [issue.get(k) for k in ("title", "problem", "client", "entity", "vendor", "category")]
    parts += list(params.values()) if isinstance(params, dict) else []
    parts += [w for w in words if w and w not in parts]
    return fold("\n".join(str(v) for v in parts if v is not None))


def _issue_values(fingerprint: str, diagnosis: dict[str, Any], client: str, vendor: str, entity: str,
                  at: datetime, now: datetime, words: Sequence[str]) -> dict[str, Any]:
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
        "params": diagnosis.get("params") or {},
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
    values["search"] = search_text(values, words)
    return values


def upsert_issue(scope: TenantScope, *, fingerprint: str, diagnosis: dict[str, Any], client: str, vendor: str,
                 entity: str, at: datetime, now: datetime, words: Sequence[str] = ()) -> Upserted:
    values = _issue_values(fingerprint, diagnosis, client, vendor, entity, at, now, words)
    row = scope.execute(scope.cached("upsert_issue", _upsert_statement), values).one()
    count = row._mapping["count"]  # row.count is tuple.count
    return Upserted(row, opened=count == 1, regressed=count > 1 and row.opened_at_count == count)


def _upsert_with_failure_statement(scope: TenantScope) -> Any:
    up = _upsert_statement(scope).cte("up")
    failed = _failure_statement(scope).cte("failed")
    # one row each: joined on true, which says so (a bare cross product draws a warning)
    return select(up, failed.c.failures).select_from(up.join(failed, true()))


def upsert_issue_counting_failure(scope: TenantScope, *, fingerprint: str, diagnosis: dict[str, Any], client: str,
                                  vendor: str, entity: str, at: datetime, now: datetime,
                                  words: Sequence[str] = ()) -> tuple[Upserted, int]:
    """:func:`upsert_issue` and :func:`record_failure` in one round trip (PostgreSQL: two
    data-modifying CTEs in one statement); the issue and the streak's new length."""
    values = _issue_values(fingerprint, diagnosis, client, vendor, entity, at, now, words)
    values.update(key=entity_key(client, vendor, entity), now=now)
    row = scope.execute(scope.cached("upsert_issue_counting_failure", _upsert_with_failure_statement), values).one()
    count = row._mapping["count"]
    upserted = Upserted(row, opened=count == 1, regressed=count > 1 and row.opened_at_count == count)
    return upserted, int(row._mapping["failures"])


_OCCURRENCE_COLUMNS = ("issue_id", "at", "received_at", "request_id", "report", "truncated")


def add_occurrences(scope: TenantScope, rows: list[dict[str, Any]]) -> None:
    """Insert occurrences (``issue_id, at, received_at, request_id, report, truncated``) in one
    round trip: a batch of events writes its occurrences together, before its commit."""
    if rows:
        statement = scope.cached("add_occurrence",
                                 lambda s: s.insert(occurrences, {c: bindparam(c) for c in _OCCURRENCE_COLUMNS}))
        scope.execute_many(statement, rows)


def _failure_statement(scope: TenantScope) -> Any:
    statement = scope.insert(entity_failures, {"key": bindparam("key"), "failures": 1,
                                               "last_failure_at": bindparam("now")})
    return statement.on_conflict_do_update(
        index_elements=[entity_failures.c.tenant, entity_failures.c.key],
        set_={"failures": entity_failures.c.failures + 1, "last_failure_at": statement.excluded.last_failure_at},
    ).returning(entity_failures.c.failures)


def record_failure(scope: TenantScope, *, client: str, vendor: str, entity: str, now: datetime) -> int:
    """Count one more failure of the entity; the streak's new length."""
    statement = scope.cached("record_failure", _failure_statement)
    return int(scope.execute(statement, {"key": entity_key(client, vendor, entity), "now": now}).scalar_one())


def reset_failures(scope: TenantScope, *, client: str, vendor: str, entity: str) -> None:
    statement = scope.cached("reset_failures", lambda s: s.update(entity_failures)
                             .where(entity_failures.c.key == bindparam("failure_key")).values(failures=0))
    scope.execute(statement, {"failure_key": entity_key(client, vendor, entity)})


def escalate(scope: TenantScope, issue_id: str, now: datetime) -> Row[Any] | None:
    """Flag the issue escalated; the row if this call did it (None if it already was: an issue is
    escalated once per streak, and an accepted sync, which ends the streak, clears the flag)."""
    statement = scope.cached("escalate", lambda s: (
        s.update(issues)
        .where(issues.c.id == bindparam("issue_id"), issues.c.escalated.is_(False))
        .values(escalated=True, updated_at=bindparam("now"))
        .returning(*issues.c)
    ))
    return scope.execute(statement, {"issue_id": issue_id, "now": now}).first()


_ACTION_COLUMNS = ("issue_id", "at", "actor", "action", "note", "from_status", "to_status")


def record_action(scope: TenantScope, *, issue_id: str, actor: str, action: str, note: str | None,
                  from_status: str, to_status: str, now: datetime) -> dict[str, Any]:
    entry = {"issue_id": issue_id, "at": now, "actor": actor, "action": action, "note": note,
             "from_status": from_status, "to_status": to_status}
    statement = scope.cached("record_action",
                             lambda s: s.insert(issue_actions, {c: bindparam(c) for c in _ACTION_COLUMNS}))
    scope.execute(statement, entry)
    return entry


def _live_issues(scope: TenantScope) -> Any:
    return (
        scope.select(issues)
        .where(
            issues.c.client == bindparam("client"),
            issues.c.vendor == bindparam("vendor"),
            issues.c.entity == bindparam("entity"),
            issues.c.status.in_(["open", "muted", "skipped"]),
        )
        .order_by(issues.c.id)  # lock in one order: two acceptances cannot deadlock
        .with_for_update()
    )


def resolve_entity(scope: TenantScope, *, client: str, vendor: str, entity: str, actor: str,
                   now: datetime) -> list[tuple[str, Row[Any]]]:
    """Resolve the live issues of one entity (or, with ``entity="connection"``, the client's
    connection issues with that vendor) and clear the escalation of all its issues; each
    resolved row with its status before."""
    rows = scope.execute(scope.cached("live_issues", _live_issues),
                         {"client": client, "vendor": vendor, "entity": entity}).all()
    # the streak ends here: the escalation with it, so a new streak escalates (and announces) again
    resolve = scope.cached("resolve_issue", lambda s: (
        s.update(issues)
        .where(issues.c.id == bindparam("issue_id"), issues.c.status == bindparam("before"))
        .values(status="resolved", escalated=False, updated_at=bindparam("now"))
        .returning(*issues.c)
    ))
    resolved = []
    for row in rows:
        updated = scope.execute(resolve, {"issue_id": row.id, "before": row.status, "now": now}).first()
        if updated is not None:
            record_action(scope, issue_id=row.id, actor=actor, action="resolve",
                          note="an accepted sync of the entity resolved it", from_status=row.status,
                          to_status="resolved", now=now)
            resolved.append((row.status, updated))
    if entity != CONNECTION:  # connection issues are never escalated
        # issues a person resolved while the streak went on kept their flag until now
        scope.execute(scope.cached("deescalate_resolved", _deescalate_resolved),
                      {"d_client": client, "d_vendor": vendor, "d_entity": entity, "now": now})
    return resolved


def _deescalate_resolved(scope: TenantScope) -> Any:
    return (
        scope.update(issues)
        .where(issues.c.client == bindparam("d_client"), issues.c.vendor == bindparam("d_vendor"),
               issues.c.entity == bindparam("d_entity"), issues.c.status == "resolved", issues.c.escalated.is_(True))
        .values(escalated=False, updated_at=bindparam("now"))
    )
