"""A sync outcome as the host reports it (design section 11): one entity, rejected or accepted.

``{"client": "firm-42", "vendor": "quickbooks", "entity": {...} | "entity_id": "i1",
"outcome": "rejected" | "accepted", "report": {"message", "http_status", "code", "payload"},
"at": "2026-12-02T10:00:00+01:00"}``: ``report`` only with ``rejected``, ``at`` defaults to now
and must carry its zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from syncdoctor import InputError

__all__ = ["Event", "Report", "parse_event"]


class Report(BaseModel):
    """The vendor's rejection, as received."""

    model_config = ConfigDict(extra="forbid")

    message: str = ""
    http_status: int | None = Field(None, ge=100, le=599)
    code: str | int | None = None
    payload: Any = None

    @field_validator("code")
    @classmethod
    def _code(cls, value: str | int | None) -> str | None:
        return None if value is None else str(value)


class Event(BaseModel):
    """One sync outcome for one entity of one client."""

    model_config = ConfigDict(extra="forbid")

    client: str = Field(min_length=1, max_length=200, description="the host's opaque id of the client")
    vendor: str = Field(min_length=1, max_length=100, description="the accounting target (plugin name)")
    entity: dict[str, Any] | None = Field(None, description="the entity that was sent (its `id` names it)")
    entity_id: str | None = Field(None, min_length=1, max_length=300, description="the entity's id, without it")
    outcome: Literal["rejected", "accepted"]
    report: Report | None = None
    at: datetime | None = Field(None, description="when it happened, with its zone (default: now)")

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.utcoffset() is None:
            raise ValueError("a time needs its zone, e.g. 2026-12-02T10:00:00+01:00 or ...Z")
        return value

    @field_validator("entity_id", mode="before")
    @classmethod
    def _entity_id(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

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

