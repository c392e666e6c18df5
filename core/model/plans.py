"""Remediation plans: steps, each an action in a system, and alternatives.

``Action`` and ``System`` are the shared vocabulary of steps. Plugins may name systems of
their own (``PluginSpec.systems``); the core keeps the ones every pack may use.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "ACTIONS",
    "SYSTEMS",
    "Action",
    "RemediationPlan",
    "Step",
    "System",
    "SystemName",
]

Action = Literal[
    "fix_entity",
    "edit_target",
    "create",
    "mark_verified",
    "resync",
    "requeue",
    "skip",
    "delete",
    "reconnect",
    "change_setting",
    "verify",
    "wait",
    "retry_later",
    "reimport",
    "lower_tolerance",
    "contact_support",
]
ACTIONS: tuple[str, ...] = Action.__args__  # type: ignore[attr-defined]

System = Literal[
    "acd",
    "qonto",
    "quickbooks",
    "taxdome",
    "pennylane",
    "pos",
    "sync_platform",
    "vendor_support",
    "syncdoctor",
]
SYSTEMS: tuple[str, ...] = System.__args__  # type: ignore[attr-defined]
"""The systems every pack may name. A plugin adds its own with ``PluginSpec.systems`` (a
third-party Xero target declares ``systems=("xero",)``); the host refuses a pack that names a
system neither shared nor declared by its plugin."""

SystemName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
"""Where a step happens: a shared system (:data:`SYSTEMS`) or one its plugin declares."""


class Step(BaseModel):
    """One thing to do, where, and whether software may do it alone."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    system: SystemName
    automatic: bool = False
    instructions: str
    patch: list[dict[str, Any]] | None = None
    confirm: bool = False
    role: str | None = None


class RemediationPlan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    problem: str
    title: str = ""
    steps: list[Step] = Field(default_factory=list)
    alternatives: list[RemediationPlan] = Field(default_factory=list)
