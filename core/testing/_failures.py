"""What a conformance check reports: a failure that says what to fix, or why it was skipped."""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CheckOutcome", "ConformanceFailure", "Found", "origin", "short"]

_CORE_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ConformanceFailure:
    """One thing to fix: which check, which problem, which example, why, and how."""

    check: str
    problem: str | None
    example: str | None
    reason: str
    fix: str

    def __str__(self) -> str:
        where = self.problem or "plugin"
        if self.example:
            where += f" [{self.example}]"
        return f"{where}: {self.reason}\n    fix: {self.fix}"


@dataclass
class CheckOutcome:
    """``passed``, ``failed``, ``skipped`` or ``xfailed`` (a known limitation of the core)."""

    check: str
    status: str = "passed"
    failures: list[ConformanceFailure] = field(default_factory=list)
    reason: str = ""

    def message(self, plugin: str, limit: int = 25) -> str:
        head = f"syncdoctor conformance: plugin {plugin}, check {self.check!r}: {len(self.failures)} failure(s)"
        lines = [head, *(f"- {f}" for f in self.failures[:limit])]
        if len(self.failures) > limit:
            lines.append(f"... and {len(self.failures) - limit} more")
        return "\n".join(lines)


class Found(Exception):
    """Raised inside a hypothesis property: carries the failure of the minimal example."""

    def __init__(self, failure: ConformanceFailure) -> None:
        super().__init__(str(failure))
        self.failure = failure


def short(value: object, limit: int = 160) -> str:
    """A repr that fits on a line (huge fuzzed strings are cut in the middle)."""
    text = repr(value)
    if len(text) <= limit:
        return text
    half = limit // 2 - 3
    return f"{text[:half]} ... {text[-half:]} ({len(text)} chars)"


def origin(exc: BaseException, plugin_dirs: list[Path]) -> tuple[str, str]:
    """Where an exception was raised: ``("plugin" | "core" | "other", "file:line")``.

    The innermost frame that belongs to the plugin or to syncdoctor's core (outside this
    kit) decides: a plugin function called by the core and raising is the plugin's bug; an
    exception from inside the core (or a library it calls) is the core's.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        path = Path(frame.filename)
        if any(_inside(path, d) for d in plugin_dirs):
            return "plugin", f"{_rel(frame.filename)}:{frame.lineno}"
        if _inside(path, _CORE_DIR) and not _inside(path, _CORE_DIR / "testing"):
            return "core", f"{_rel(frame.filename)}:{frame.lineno}"
    last = frames[-1] if frames else None
    return "other", f"{_rel(last.filename)}:{last.lineno}" if last else "?"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
    except ValueError:
        return False
    return True


def _rel(filename: str) -> str:
    try:
        return os.path.relpath(filename)
    except ValueError:
        return filename
