"""Human output of remediation plans: numbered steps that read well in a terminal and in a ticket
(tables and terminal layout are in terminal.py)."""

from __future__ import annotations

from typing import Any

from ..model.labels import colon, label
from ..model.money import dumps
from .terminal import visible

__all__ = ["plan_text"]


def _step_lines(step: dict[str, Any], n: int, indent: str, lang: str) -> list[str]:
    how = ("automatique" if lang == "fr" else "automatic") if step.get("automatic") else (
        "à faire par une personne" if lang == "fr" else "by a person")
    role = f", {label(step['role'], lang)}" if step.get("role") else ""
    lines = [f"{indent}{n}. [{visible(label(step['system'], lang))} · {visible(label(step['action'], lang))} · "
             f"{how}{visible(role)}] {visible(step['instructions'])}"]
    if step.get("patch"):
        # JSON, as --json and `remediate --apply` take it (Decimals as their exact text), on one line
        lines.append(f"{indent}   patch: {visible(dumps(step['patch'], separators=(',', ':')))}")
    return lines


def plan_text(plan: dict[str, Any], lang: str) -> str:
    """A remediation plan as numbered steps, with alternatives: one line each (the values,
    which may come from input, with their control characters escaped)."""
    out = []
    for n, step in enumerate(plan.get("steps", []), 1):
        out.extend(_step_lines(step, n, "  ", lang))
    for i, alt in enumerate(plan.get("alternatives", []), 1):
        out.append(f"  Option {i}{colon(lang)} {visible(alt.get('title', ''))}")
        for n, step in enumerate(alt.get("steps", []), 1):
            out.extend(_step_lines(step, n, "     ", lang))
    return "\n".join(out)
