"""Rows as the JSON of the contracts (design section 11), and the list's opaque cursor."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Row

from .events import unstorable

__all__ = ["action_json", "decode_cursor", "encode_cursor", "issue_json", "occurrence_json"]


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def issue_json(row: Row[Any] | Any) -> dict[str, Any]:
    # Row is a tuple: ``row.count`` would be tuple.count, hence the mapping for that column
    count = row._mapping["count"]
    return {
        "id": row.id,
        "status": row.status,
        "problem": row.problem,
        "vendor": row.vendor,
        "client": row.client,
        "entity": row.entity,
        "category": row.category,
        "severity": row.severity,
        "params": row.params,
        "title": row.title,
        "first_seen": _time(row.first_seen),
        "last_seen": _time(row.last_seen),
        "count": int(count),
        "regressed": int(row.regressed),
        "escalated": bool(row.escalated),
        "diagnosis": row.diagnosis,
    }


def occurrence_json(row: Row[Any]) -> dict[str, Any]:
    return {
        "at": _time(row.at),
        "received_at": _time(row.received_at),
        "request_id": row.request_id,
        "report": row.report,
        "truncated": bool(row.truncated),
    }


def action_json(row: Row[Any] | dict[str, Any]) -> dict[str, Any]:
    get = row.get if isinstance(row, dict) else row._mapping.get
    return {
        "at": _time(get("at")),
        "actor": get("actor"),
        "action": get("action"),
        "note": get("note"),
        "from_status": get("from_status"),
        "to_status": get("to_status"),
    }


def encode_cursor(last_seen: datetime, issue_id: str) -> str:
    raw = f"{last_seen.isoformat()}|{issue_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The position a cursor names; ValueError if it is not one this service gave."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, issue_id = raw.split("|", 1)
        at = datetime.fromisoformat(when)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("the cursor is not one this service gave: pass next_cursor as it came") from exc
    if at.utcoffset() is None or not issue_id or unstorable(issue_id):
        raise ValueError("the cursor is not one this service gave: pass next_cursor as it came")
    return at, issue_id
