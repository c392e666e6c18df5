"""What makes two rejections "the same issue": the fingerprint.

An issue is one problem on one entity (or on the connection) of one client. Its fingerprint
hashes the tenant, the client, the vendor, the problem id, the entity reference and the
problem's *identifying* params: the facts that say which instance of the problem this is
(``doc_number`` 1781 taken by ``txn_id`` 3188), not the facts of one attempt (a trace id, the
HTTP status, a timestamp), which differ on every retry of the same failure. A problem names
its identifying params with ``identity:`` in its pack; for one that does not, they are its
scalar params but a list of per-attempt names (``VOLATILE_PARAMS``).

Connection problems (authentication, throttling, a disabled sync: the packs file them under
the category "Connection") are about the link between two systems, not a record: their entity
reference is ``"connection"``, so a thousand records refused for an expired token make one
issue, not a thousand.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["CONNECTION", "UNKNOWN_ENTITY", "entity_key", "fingerprint", "identifying_params",
           "is_connection_problem"]

CONNECTION = "connection"
UNKNOWN_ENTITY = "unknown"
CONNECTION_CATEGORIES = frozenset({"connection", "connections"})
# facts of one attempt, not of the problem: they change on every retry of the same failure
VOLATILE_PARAMS = frozenset({
    "trace_id", "request_id", "intuit_tid", "correlation_id", "http_status", "status", "timestamp",
    "time", "at", "retry_after", "occurrence", "first", "target_message", "message", "error",
})


def is_connection_problem(category: str | None) -> bool:
    return (category or "").strip().lower() in CONNECTION_CATEGORIES


def identifying_params(params: Mapping[str, Any], identity: Sequence[str] | None = None) -> dict[str, Any]:
    """The params that name the problem's instance: those ``identity`` names (absent ones as
    null), or without it the scalar values whose name is not volatile."""
    if identity is not None:
        return {k: params.get(k) for k in sorted(set(identity))}
    return {
        k: v for k, v in sorted(params.items())
        if k not in VOLATILE_PARAMS and (v is None or isinstance(v, str | int | float | bool))
    }


def _digest(parts: list[Any]) -> str:
    # JSON of a list keeps the parts apart: ("a|b", "c") and ("a", "b|c") differ
    raw = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def fingerprint(tenant: str, client: str, vendor: str, problem: str, entity: str,
                params: Mapping[str, Any], identity: Sequence[str] | None = None) -> str:
    """The hex SHA-256 naming one issue (``identity``: the problem's, from its pack)."""
    return _digest(["issue/1", tenant, client, vendor, problem, entity, identifying_params(params, identity)])


def entity_key(client: str, vendor: str, entity: str) -> str:
    """The key of one entity's failure streak (escalation counts failures per entity)."""
    return _digest(["entity/1", client, vendor, entity])
