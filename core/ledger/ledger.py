"""The ledger's API: record events, list and show issues, act on them, manage webhooks.

Every method takes the tenant first and works through a :class:`TenantScope`. Each event is
its own transaction (retried on a deadlock or a serialization failure), so a batch that fails
half-way keeps what it recorded and a bad record never stops the others.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import func, select, tuple_
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from syncdoctor import Host, InputError

from ..errors import IssueNotFound
from .database import Database
from .events import Event, parse_event, relayed, unstorable
from .intake import Batch, accepted, lock_entities, rejected
from .keys import ensure_tenant
from .lifecycle import STEP_ACTIONS, transition
from .recording import (
    record_action,
)
from .redact import cap_report, redact_diagnosis
from .schema import issue_actions, issues, occurrences, tenants, webhook_deliveries, webhook_outbox
from .scope import TenantScope
from .views import action_json, decode_cursor, encode_cursor, issue_json, occurrence_json
from .webhooks import create_subscription, delete_subscription, deliveries, enqueue, list_subscriptions
from .where import issue_filters

__all__ = ["Ledger", "LedgerConfig", "ledger_config"]

T = TypeVar("T")
log = logging.getLogger("syncdoctor.ledger")


@dataclass(frozen=True)
class LedgerConfig:
    """The ledger's settings (the service maps its own onto these)."""

    report_bytes: int = 16_384  # a stored raw report is cut past this
    retention_days: float = 90  # occurrences older than this are pruned; issues are kept
    escalate_after: int = 3  # the Nth consecutive failure of one entity escalates
    occurrences_shown: int = 20  # on an issue's page
    private_webhooks: bool = False  # webhook URLs may reach private addresses (egress.py)


def _diagnosis_json(diagnosis: Any) -> dict[str, Any]:
    if isinstance(diagnosis, dict):
        return {k: v for k, v in diagnosis.items() if k not in ("input", "record")}
    return dict(diagnosis.model_dump(mode="json", exclude={"input", "record"}))


def ledger_config(settings: Any = None) -> LedgerConfig:
    """A :class:`LedgerConfig` from the service's settings (fields it lacks keep their default)."""
    base = LedgerConfig()
    return LedgerConfig(
        report_bytes=int(getattr(settings, "ledger_report_bytes", base.report_bytes)),
        retention_days=float(getattr(settings, "ledger_retention_days", base.retention_days)),
        escalate_after=int(getattr(settings, "escalate_after", base.escalate_after)),
        private_webhooks=bool(getattr(settings, "webhooks_private", base.private_webhooks)),
    )


def _not_recorded(record: int, exc: DBAPIError) -> InputError:
    """An event the database would not take alone, named without its values (a driver may quote them)."""
    log.warning("event %s not recorded: %s", record, type(exc.orig).__name__)  # no trace: a command's stderr
    log.debug("event %s not recorded", record, exc_info=exc)
    refused = isinstance(exc, DataError | IntegrityError)
    error = InputError(record, None, f"the database {'refused' if refused else 'failed on'} this event "
                       f"({type(exc.orig).__name__}); it was not recorded" + ("" if refused else ": send it again"))
    error.__cause__ = exc
    return error


def _transient(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None)
    if code in ("40P01", "40001"):  # deadlock detected, serialization failure
        return True
    return "database is locked" in str(exc.orig)


class Ledger:
    """Issues of every tenant in one database; see the module doc."""

    def __init__(self, db: Database, host: Host | None = None, config: LedgerConfig | None = None) -> None:
        self.db = db
        self.host = host
        self.config = config or LedgerConfig()
        self._tenants: set[str] = set()

    def __repr__(self) -> str:
        return f"Ledger({self.db!r})"

    # ------------------------------------------------------------------ plumbing

    def _write(self, tenant: str, work: Callable[[TenantScope], T]) -> T:
        for attempt in range(8):
            try:
                with self.db.connect() as conn:
                    if tenant not in self._tenants:
                        ensure_tenant(conn, tenant)
                    result = work(TenantScope(conn, tenant))
                self._tenants.add(tenant)
                return result
            except DBAPIError as exc:
                if not _transient(exc) or attempt == 7:
                    raise
                time.sleep(random.uniform(0.005, 0.02) * 2**attempt)
        raise AssertionError("unreachable")

    def _read(self, tenant: str, work: Callable[[TenantScope], T]) -> T:
        with self.db.connect(readonly=True) as conn:
            return work(TenantScope(conn, tenant))

    # ------------------------------------------------------------------ events

    def record(self, tenant: str, event: Event | dict[str, Any], *, request_id: str | None = None,
               lang: str = "en", index: int = 0) -> dict[str, Any]:
        """Record one sync outcome: ``{"issues": [...], "resolved": [...], "findings": [...]}``.

        Raises :class:`InputError` (naming the record and field) for an invalid event."""
        (answer,) = self.record_batch(tenant, [parse_event(event, index)], request_id=request_id, lang=lang,
                                      first=index)
        if isinstance(answer, InputError):  # the database failing (not refusing) is not the event's fault
            cause = answer.__cause__
            raise cause if isinstance(cause, DBAPIError) and not isinstance(cause, DataError | IntegrityError) else answer
        return answer

    def record_many(self, tenant: str, events: Iterable[Any], *, request_id: str | None = None,
                    lang: str = "en", chunk: int = 256) -> Iterator[dict[str, Any] | InputError]:
        """One answer per event, in order; an invalid event gives its :class:`InputError`.
        Events are recorded ``chunk`` at a time (see :meth:`record_batch`)."""
        batch: list[Any] = []
        start = 0
        for raw in events:
            batch.append(raw)
            if len(batch) >= chunk:
                yield from self.record_batch(tenant, batch, request_id=request_id, lang=lang, first=start)
                start += len(batch)
                batch = []
        if batch:
            yield from self.record_batch(tenant, batch, request_id=request_id, lang=lang, first=start)

    def record_batch(self, tenant: str, events: Sequence[Any], *, request_id: str | None = None,
                     lang: str = "en", first: int = 0,
                     diagnosed: Sequence[list[Any]] | None = None) -> list[dict[str, Any] | InputError]:
        """Record many events in one transaction: one commit for all of them, which is what
        makes a batch fast on PostgreSQL. Invalid events answer their :class:`InputError`
        (record numbers start at ``first``) and take no part. A deadlock retries the batch;
        any other database error falls back to one transaction per event.

        ``diagnosed`` gives each event's diagnoses (Diagnosis objects or their JSON) when the
        caller has them already (the CLI's); rejections need the Host either way (identity:)."""
        now = datetime.now(UTC)
        answers: list[Any] = [None] * len(events)
        parsed: list[tuple[int, Event]] = []
        for n, raw in enumerate(events):
            try:
                if isinstance(raw, InputError):
                    raise raw
                parsed.append((n, parse_event(raw, first + n)))
            except InputError as exc:
                answers[n] = exc
        to_classify = [event for _, event in parsed if event.outcome == "rejected"]
        if to_classify and self.host is None:  # given diagnoses too: its packs say each problem's identity
            raise RuntimeError("this Ledger has no Host to record rejections: Ledger(db, host)")
        if diagnosed is not None:
            given = iter([diagnosed[n] for n, event in parsed if event.outcome == "rejected"])
        else:
            given = iter(self.host.classify_many([e.error_report() for e in to_classify], lang=lang)
                         if to_classify and self.host is not None else [])
        work: list[tuple[int, Event, Any, Any, bool]] = []
        for n, event in parsed:
            if event.outcome == "accepted":
                work.append((n, event, None, None, False))
                continue
            diagnoses = [redact_diagnosis(relayed(_diagnosis_json(d))) for d in next(given)]  # NUL-free, as report
            assert event.report is not None
            try:  # events.py bounds the report; whatever still cannot be written is this record's error
                report, truncated = cap_report(event.report.model_dump(mode="json"), self.config.report_bytes)
            except (ValueError, RecursionError) as exc:
                answers[n] = InputError(first + n, "report", f"cannot be stored: {exc}")
                continue
            work.append((n, event, diagnoses, report, truncated))

        def apply(items: list[tuple[int, Event, Any, Any, bool]], scope: TenantScope) -> list[tuple[int, Any]]:
            lock_entities(scope, [(item[1], item[2]) for item in items])
            batch = Batch(now, self.host)
            done = []
            for n, event, diagnoses, report, truncated in items:
                if diagnoses is None:
                    done.append((n, accepted(scope, batch, event)))
                else:
                    done.append((n, rejected(scope, batch, event, diagnoses, report, truncated, request_id=request_id,
                                             lang=lang, escalate_after=self.config.escalate_after)))
            batch.flush(scope)
            return done

        try:
            results = self._write(tenant, partial(apply, work)) if work else []
        except DBAPIError:  # one event alone at a time: each stored one is answered, each refused one too
            results = []
            for item in work:
                try:
                    results += self._write(tenant, partial(apply, [item]))
                except DBAPIError as exc:
                    results.append((item[0], _not_recorded(first + item[0], exc)))
        for n, answer in results:
            answers[n] = answer
        return answers

    # ------------------------------------------------------------------ reading

    def issues(self, tenant: str, *, status: str | Sequence[str] | None = None, vendor: str | Sequence[str] | None = None,
               client: str | None = None, problem: str | None = None, since: datetime | None = None,
               escalated: bool | None = None, text: str | None = None, limit: int = 50,
               cursor: str | None = None) -> dict[str, Any]:
        """A page of issues, most recently seen first: ``{"items": [...], "next_cursor"}``.
        ``text``: issues holding every word (any case) in their title, problem, client,
        entity, vendor, category or a param's value."""
        if not 1 <= limit <= 1000:
            raise ValueError("limit is between 1 and 1000")
        where = issue_filters(status=status, vendor=vendor, client=client, problem=problem, since=since,
                         escalated=escalated, text=text)

        def page(scope: TenantScope) -> dict[str, Any]:
            query = where(scope.select(issues))
            if cursor:
                last_seen, issue_id = decode_cursor(cursor)
                query = query.where(tuple_(issues.c.last_seen, issues.c.id) < tuple_(last_seen, issue_id))
            query = query.order_by(issues.c.last_seen.desc(), issues.c.id.desc()).limit(limit + 1)
            rows = scope.execute(query).all()
            more = len(rows) > limit
            rows = rows[:limit]
            following = encode_cursor(rows[-1].last_seen, rows[-1].id) if more else None
            return {"items": [issue_json(r) for r in rows], "next_cursor": following}

        return self._read(tenant, page)

    def issue(self, tenant: str, issue_id: str, *, occurrences_shown: int | None = None) -> dict[str, Any]:
        """One issue with its latest occurrences, its actions, its plan and the steps done."""
        shown = occurrences_shown if occurrences_shown is not None else self.config.occurrences_shown
        if unstorable(issue_id):  # no issue has one; PostgreSQL would refuse to look
            raise IssueNotFound(issue_id)

        def read(scope: TenantScope) -> dict[str, Any]:
            row = scope.execute(scope.select(issues).where(issues.c.id == issue_id)).first()
            if row is None:
                raise IssueNotFound(issue_id)
            seen = scope.execute(
                scope.select(occurrences).where(occurrences.c.issue_id == issue_id)
                .order_by(occurrences.c.at.desc(), occurrences.c.id.desc()).limit(shown)
            ).all()
            acts = scope.execute(
                scope.select(issue_actions).where(issue_actions.c.issue_id == issue_id).order_by(issue_actions.c.id)
            ).all()
            out = issue_json(row)
            out["occurrences"] = [occurrence_json(o) for o in seen]
            out["actions"] = [action_json(a) for a in acts]
            out["plan"] = (row.diagnosis or {}).get("remediation", {"steps": [], "alternatives": []})
            out["steps_done"] = sorted({a.action for a in acts if a.action in STEP_ACTIONS})
            return out

        return self._read(tenant, read)

    def counts(self, tenant: str, *, status: str | Sequence[str] | None = None, vendor: str | Sequence[str] | None = None,
               client: str | None = None, problem: str | None = None, since: datetime | None = None,
               escalated: bool | None = None, text: str | None = None, top: int = 15) -> dict[str, Any]:
        """How many issues match the filters of :meth:`issues`, and the ``top`` problems and
        clients among them, counted by the database: ``{"total", "by_problem": [{"problem",
        "issues"}, ...], "by_client": [{"client", "issues"}, ...]}``, most frequent first (ties by
        name, compared byte by byte whatever the database's collation)."""
        if not 1 <= top <= 1000:
            raise ValueError("top is between 1 and 1000")
        where = issue_filters(status=status, vendor=vendor, client=client, problem=problem, since=since,
                         escalated=escalated, text=text)

        def count(scope: TenantScope) -> dict[str, Any]:
            total = scope.execute(where(scope.select(issues, func.count()))).scalar_one()
            out: dict[str, Any] = {"total": total}
            for name, column in (("problem", issues.c.problem), ("client", issues.c.client)):
                n = func.count().label("n")
                # ties by name in byte order on both databases: SQLite's default, PostgreSQL's "C"
                tie = column.collate("C") if scope.conn.dialect.name == "postgresql" else column
                query = where(scope.select(issues, column, n)).group_by(column).order_by(n.desc(), tie).limit(top)
                out[f"by_{name}"] = [{name: value, "issues": count} for value, count in map(tuple, scope.execute(query))]
            return out

        return self._read(tenant, count)

    def export(self, tenant: str, **filters: Any) -> Iterator[dict[str, Any]]:
        """Every issue matching ``filters`` (as :meth:`issues`), 500 at a time in id order. An id
        never changes, so each issue there when the export starts comes exactly once, however
        issues are seen, acted on or added meanwhile (one added meanwhile may come or not)."""
        where = issue_filters(**{"status": None, "vendor": None, "client": None, "problem": None, "since": None,
                                 **filters})

        def page(scope: TenantScope, after: str) -> list[Any]:
            query = where(scope.select(issues)).where(issues.c.id > after).order_by(issues.c.id).limit(500)
            return list(scope.execute(query).all())

        after = ""
        while rows := self._read(tenant, partial(page, after=after)):
            yield from (issue_json(r) for r in rows)
            after = rows[-1].id

    # ------------------------------------------------------------------ actions

    def act(self, tenant: str, issue_id: str, action: str, *, actor: str, note: str | None = None) -> dict[str, Any]:
        """Apply ``action`` (design section 11); the issue after it. :class:`ActionNotAllowed`
        (HTTP 409) when its status does not allow it, :class:`IssueNotFound` when it is not the
        tenant's."""
        if action == "note" and not (note or "").strip():
            raise ValueError("a note action needs its text in note")
        if note and (what := unstorable(note)):
            raise ValueError(f"a note cannot hold {what}")
        if unstorable(issue_id):
            raise IssueNotFound(issue_id)

        def apply(scope: TenantScope) -> dict[str, Any]:
            now = datetime.now(UTC)
            # the row lock makes "read the status, then change it" one step for other writers
            row = scope.execute(scope.select(issues).where(issues.c.id == issue_id).with_for_update()).first()
            if row is None:
                raise IssueNotFound(issue_id)
            before = row.status
            after = transition(issue_id, action, before)
            if after != before:
                row = scope.execute(
                    scope.update(issues).where(issues.c.id == issue_id)
                    .values(status=after, updated_at=now).returning(*issues.c)
                ).one()
            record_action(scope, issue_id=issue_id, actor=actor, action=action, note=note,
                          from_status=before, to_status=after, now=now)
            # muted means no notifications: resolving a muted issue is not announced either
            if action == "resolve" and before != "muted":
                enqueue(scope, "issue.resolved", issue_json(row), now)
            elif action == "mute":
                enqueue(scope, "issue.muted", issue_json(row), now)
            return issue_json(row)

        return self._write(tenant, apply)

    # ------------------------------------------------------------------ webhooks

    def subscribe(self, tenant: str, url: str, events: Sequence[str] | None = None,
                  secret: str | None = None) -> tuple[dict[str, Any], str]:
        """A new webhook subscription and its signing secret (shown once)."""
        now = datetime.now(UTC)
        subscription, plain = self._write(tenant, lambda scope: create_subscription(
            scope, url, events, secret, now, self.config.private_webhooks))
        return subscription.to_json(), plain

    def subscriptions(self, tenant: str) -> list[dict[str, Any]]:
        return [s.to_json() for s in self._read(tenant, list_subscriptions)]

    def unsubscribe(self, tenant: str, subscription_id: str) -> None:
        """Delete a subscription (:class:`SubscriptionNotFound` if it is not the tenant's)."""
        now = datetime.now(UTC)
        self._write(tenant, lambda scope: delete_subscription(scope, subscription_id, now))

    def deliveries(self, tenant: str, subscription_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """The delivery log of one subscription, newest attempt first."""
        return self._read(tenant, lambda scope: deliveries(scope, subscription_id, limit))

    # ------------------------------------------------------------------ retention

    def prune(self, *, older_than: timedelta | None = None, now: datetime | None = None) -> int:
        """Delete occurrences received longer ago than the retention; issues stay. The count of
        occurrences deleted. Webhook rows delivered (or dead) that long ago go too, with their
        delivery log."""
        if older_than is None:
            older_than = timedelta(days=self.config.retention_days)
        limit = (now or datetime.now(UTC)) - older_than
        with self.db.connect(readonly=True) as conn:
            every = conn.execute(select(tenants.c.id)).scalars().all()
        removed = 0
        for tenant in every:
            removed += self._write(tenant, lambda scope: _prune(scope, limit))
        return removed


def _prune(scope: TenantScope, limit: datetime) -> int:
    done = scope.execute(scope.delete(occurrences).where(occurrences.c.received_at < limit))
    finished = webhook_outbox.c.state.in_(["delivered", "dead"])
    old = scope.select(webhook_outbox, webhook_outbox.c.id).where(finished, webhook_outbox.c.created_at < limit)
    scope.execute(scope.delete(webhook_deliveries).where(webhook_deliveries.c.outbox_id.in_(old)))
    scope.execute(scope.delete(webhook_outbox).where(finished, webhook_outbox.c.created_at < limit))
    return int(done.rowcount or 0)

