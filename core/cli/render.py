"""Human output of remediation plans: numbered steps that read well in a terminal and in a ticket
(tables and terminal layout are in terminal.py)."""

from __future__ import annotations

from typing import Any

from ..model.labels import colon, label

__all__ = ["plan_text"]


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
