"""A sync outcome as the host reports it (design section 11): one entity, rejected or accepted.

``{"client": "firm-42", "vendor": "quickbooks", "entity": {...} | "entity_id": "i1",
"outcome": "rejected" | "accepted", "report": {"message", "http_status", "code", "payload"},
"at": "2026-12-02T10:00:00+01:00"}``: ``report`` only with ``rejected``, ``at`` defaults to now
and must carry its zone.

This is the ledger's edge, where input that neither database can store is stopped with an
error naming the field: values nested more than :data:`MAX_DEPTH` levels, an ``at`` more than
:data:`FUTURE_SKEW` ahead, an entity id that is not text or an integer, and NUL characters
(PostgreSQL refuses them; SQLite would keep them, and both must answer alike). The host's own
identifiers (client, vendor, entity id) with a NUL or a lone surrogate are refused; in the
vendor's report, which the host only relays, each becomes U+FFFD and the record goes on.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from syncdoctor import InputError

__all__ = ["FUTURE_SKEW", "MAX_DEPTH", "Event", "Report", "holds_unstorable", "in_utc", "nested_too_deep",
           "parse_event", "relayed", "storable", "unstorable"]

MAX_DEPTH = 200  # arrays and objects in one value: past reason, and below what pydantic and orjson write (~255)
FUTURE_SKEW = timedelta(days=1)  # a host's clock may run ahead; an outcome from next year is a bug
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_TOO_DEEP = f"nested too deep: at most {MAX_DEPTH} levels of arrays and objects"


def unstorable(text: str) -> str | None:
    """What in ``text`` no database stores (``a NUL character (\\u0000)``, a lone surrogate), or None."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    return "a NUL character (\\u0000)" if found.group() == "\x00" else "a lone surrogate (\\ud800-\\udfff)"


def nested_too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``value`` nests arrays and objects more than ``limit`` levels (``[]`` is one).
    Iterative: a value of any depth is measured without recursion."""
    stack = [(value, 1)] if isinstance(value, dict | list | tuple) else []
    while stack:
        item, level = stack.pop()
        if level > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list | tuple))
    return False


def holds_unstorable(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):  # ASCII text (most of it) can only hold a NUL
            if "\x00" in item or (not item.isascii() and _UNSTORABLE.search(item)):
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def storable(value: Any) -> Any:
    """``value`` with every NUL and lone surrogate, in text and keys at any depth, as U+FFFD."""
    if isinstance(value, str):
        if _UNSTORABLE.search(value) is None:
            return value
        return value.replace("\x00", "\ufffd").encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


def in_utc(when: datetime) -> bool:
    """Whether an aware time has a UTC equivalent, which the ledger stores and compares
    (9999-12-31T23:59-14:00 and 0001-01-01T00:00+14:00 have none)."""
    try:
        when.astimezone(UTC)
    except OverflowError:
        return False
    return True


def relayed(value: Any) -> Any:
    """Vendor text (a report's payload, a diagnosis made from it) as the ledger stores it: each
    NUL and lone surrogate as U+FFFD, copied only when something must change. A diagnosis's
    texts are its packs' templates filled with its params: only its params are looked at."""
    looked_at = value.get("params") if isinstance(value, dict) and "remediation" in value else value
    return storable(value) if holds_unstorable(looked_at) else value


def _identifier(value: str | None) -> str | None:
    reason = unstorable(value) if value is not None else None
    if reason:
        raise ValueError(f"an identifier cannot hold {reason}")
    return value


class Report(BaseModel):
    """The vendor's rejection, as received (a NUL character or a lone surrogate in it becomes U+FFFD)."""

    model_config = ConfigDict(extra="forbid")

    message: str = ""
    http_status: int | None = Field(None, ge=100, le=599)
    code: str | int | None = None
    payload: Any = None

    @field_validator("message")
    @classmethod
    def _message(cls, value: str) -> str:
        return str(storable(value))

    @field_validator("code")
    @classmethod
    def _code(cls, value: str | int | None) -> str | None:
        return None if value is None else str(storable(str(value)))

    @field_validator("payload", mode="before")
    @classmethod
    def _payload(cls, value: Any) -> Any:
        if isinstance(value, dict | list | tuple) and nested_too_deep(value):
            raise ValueError(_TOO_DEEP)
        return relayed(value)


class Event(BaseModel):
    """One sync outcome for one entity of one client."""

    model_config = ConfigDict(extra="forbid")

    client: str = Field(min_length=1, max_length=200, description="the host's opaque id of the client")
    vendor: str = Field(min_length=1, max_length=100, description="the accounting target (plugin name)")
    entity: dict[str, Any] | None = Field(None, description="the entity that was sent (its `id`, a string or an "
                                          "integer, names it)")
    entity_id: str | None = Field(None, min_length=1, max_length=300, description="the entity's id, without it")
    outcome: Literal["rejected", "accepted"]
    report: Report | None = None
    at: datetime | None = Field(None, description="when it happened, with its zone (default: now; at most a day "
                                "ahead)")

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.utcoffset() is None:
            raise ValueError("a time needs its zone, e.g. 2026-12-02T10:00:00+01:00 or ...Z")
        if value is None:
            return value
        if not in_utc(value):
            raise ValueError("out of range: no such time in UTC")
        if value - datetime.now(UTC) > FUTURE_SKEW:
            raise ValueError("more than a day in the future: send the time the outcome happened, with its zone")
        return value

    @field_validator("client", "vendor")
    @classmethod
    def _identifiers(cls, value: str) -> str:
        return str(_identifier(value))

    @field_validator("entity_id", mode="before")
    @classmethod
    def _entity_id(cls, value: Any) -> Any:
        value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        return _identifier(value) if isinstance(value, str) else value

    @field_validator("entity", mode="before")
    @classmethod
    def _entity(cls, value: Any) -> Any:
        if isinstance(value, dict) and nested_too_deep(value):
            raise ValueError(_TOO_DEEP)
        entity_id = value.get("id") if isinstance(value, dict) else None
        reason = None
        if entity_id is not None and (isinstance(entity_id, bool) or not isinstance(entity_id, str | int)):
            reason = "an entity id is a string or an integer"
        elif isinstance(entity_id, str) and (why := unstorable(entity_id)):
            reason = f"an identifier cannot hold {why}"
        if reason:  # named as entity.id, not entity: a field error carries its own place
            raise ValidationError.from_exception_data("Event", [InitErrorDetails(
                type=PydanticCustomError("entity_id", reason), loc=("id",), input=entity_id)])
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        if self.outcome == "rejected" and self.report is None:
            raise ValueError("a rejected event needs its report: {\"message\": ..., \"http_status\": ...}")
        if self.outcome == "accepted" and self.report is not None:
            raise ValueError("an accepted event has no report (report only with outcome rejected)")
        if self.outcome == "accepted" and self.entity_ref is None:
            raise ValueError("an accepted event names its entity: entity_id, or entity with an id")
        if self.entity is not None and self.entity.get("id") in (None, ""):
            raise ValueError("the entity needs an id (entity.id) so that its issues can be found again")
        if self.entity is not None and self.entity_id is not None and str(self.entity["id"]) != self.entity_id:
            raise ValueError("entity.id and entity_id differ; give one of them")
        return self

    @property
    def entity_ref(self) -> str | None:
        """The entity's reference within the client and vendor: its id."""
        if self.entity_id is not None:
            return self.entity_id
        if self.entity is not None and self.entity.get("id") not in (None, ""):
            return str(self.entity["id"])[:300]
        return None

    def when(self, now: datetime) -> datetime:
        return (self.at or now).astimezone(UTC)

    def error_report(self) -> dict[str, Any]:
        """What the Host classifies: the report with the event's vendor and entity."""
        assert self.report is not None
        return {"vendor": self.vendor, "record": self.entity_ref, **self.report.model_dump()}


def parse_event(raw: Any, index: int) -> Event:
    """An :class:`Event` from JSON data, or an :class:`InputError` naming the record and field."""
    if isinstance(raw, Event):
        return raw
    if not isinstance(raw, dict):
        raise InputError(index, None, f"an event is a JSON object, not {type(raw).__name__}")
    try:
        return Event.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or None
        message = err["msg"].removeprefix("Value error, ")
        raise InputError(index, field, message) from None
