"""Human output: plain tables that read well in a terminal and in a support ticket."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence
from typing import Any

from ..model.labels import colon, label

__all__ = ["plan_text", "table"]


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], max_width: int | None = None) -> str:
    """A left-aligned table; the last column wraps to the terminal width."""
    width = max_width or shutil.get_terminal_size((120, 20)).columns
    cells = [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row[:-1]):
            widths[i] = min(max(widths[i], len(c)), 40)
    fixed = sum(widths[:-1]) + 2 * (len(headers) - 1)
    last = max(20, width - fixed)
    lines = ["  ".join(h.ljust(widths[i]) for i, h in enumerate(headers[:-1])) + ("  " if len(headers) > 1 else "")
             + headers[-1], ""]
    lines[1] = "-" * min(width, fixed + max(len(headers[-1]), 10))
    for row in cells:
        head = "  ".join((c[: widths[i] - 1] + "…" if len(c) > widths[i] else c).ljust(widths[i])
                         for i, c in enumerate(row[:-1]))
        wrapped = textwrap.wrap(row[-1], last) or [""]
        prefix = head + ("  " if len(row) > 1 else "")
        lines.append(prefix + wrapped[0])
        lines.extend(" " * len(prefix) + w for w in wrapped[1:])
    return "\n".join(lines)


def _step_lines(step: dict[str, Any], n: int, indent: str, lang: str) -> list[str]:
    how = ("automatique" if lang == "fr" else "automatic") if step.get("automatic") else (
        "à faire par une personne" if lang == "fr" else "by a person")
    role = f", {label(step['role'], lang)}" if step.get("role") else ""
    lines = [f"{indent}{n}. [{label(step['system'], lang)} · {label(step['action'], lang)} · {how}{role}] "
             f"{step['instructions']}"]
    if step.get("patch"):
        lines.append(f"{indent}   patch: {step['patch']}")
    return lines


def plan_text(plan: dict[str, Any], lang: str) -> str:
    """A remediation plan as numbered steps, with alternatives."""
    out = []
    for n, step in enumerate(plan.get("steps", []), 1):
        out.extend(_step_lines(step, n, "  ", lang))
    for i, alt in enumerate(plan.get("alternatives", []), 1):
        out.append(f"  Option {i}{colon(lang)} {alt.get('title', '')}")
        for n, step in enumerate(alt.get("steps", []), 1):
            out.extend(_step_lines(step, n, "     ", lang))
    return "\n".join(out)
