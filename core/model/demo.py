"""What a demo scenario (or any end-to-end run) reports: events, grouped in sections."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["DemoEvent", "DemoSection"]

Outcome = Literal["ok", "info", "flagged", "rejected", "fixed", "accepted", "needs_person", "skipped"]


@dataclass
class DemoEvent:
    """One line of a run: what happened to which entity, and who must act where."""

    stage: str  # fetch | validate | push | classify | fix | resend | diagnose
    outcome: Outcome
    detail: str
    entity: str | None = None
    problem: str | None = None
    automatic: bool | None = None
    system: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class DemoSection:
    """A scenario's report: a title, its events, and counts by outcome."""

    name: str
    title: str
    events: list[DemoEvent] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, stage: str, outcome: Outcome, detail: str, **kw: Any) -> DemoEvent:
        event = DemoEvent(stage, outcome, detail, **kw)
        self.events.append(event)
        return event

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in self.events:
            out[e.outcome] = out.get(e.outcome, 0) + 1
        return out

    @property
    def problems(self) -> list[str]:
        return sorted({e.problem for e in self.events if e.problem})

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "counts": self.counts,
            "problems": self.problems,
            "events": [e.to_json() for e in self.events],
            "notes": self.notes,
        }
