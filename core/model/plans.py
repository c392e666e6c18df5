"""Remediation plans: steps, each an action in a system, and alternatives.

``Action`` and ``System`` are the shared vocabulary of steps. Plugins may name systems of
their own (``PluginSpec.systems``); the core keeps the ones every pack may use.
"""

from __future__ import annotations

import warnings
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .trusted import is_shared

__all__ = [
    "ACTIONS",
    "SYSTEMS",
    "Action",
    "DiagnosisPlan",
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

    def __setattr__(self, name: str, value: Any) -> None:
        if is_shared(self):
            _refuse_shared(self, name)
        super().__setattr__(name, value)


def _refuse_shared(model: BaseModel, name: str) -> None:
    raise TypeError(f"this {type(model).__name__} is shared by every diagnosis of its problem (it depends on "
                    f"no param), so it is read-only: change a copy, e.g. .model_copy(update={{{name!r}: ...}})")


class DiagnosisPlan(BaseModel):
    """What to do about a problem: steps in order, and alternative plans.

    A diagnosis carries one as its remediation (the problem and title are the diagnosis's own);
    a RemediationPlan is the same plan naming its problem and title.
    """

    model_config = ConfigDict(extra="forbid")

    steps: list[Step] = Field(default_factory=list)
    alternatives: list[RemediationPlan] = Field(default_factory=list)

    def __setattr__(self, name: str, value: Any) -> None:
        if is_shared(self):
            _refuse_shared(self, name)
        super().__setattr__(name, value)

    # Until 0.1 ``Diagnosis.remediation`` was a dict: code written against it reads
    # ``remediation["steps"]`` and gets plain dicts. That keeps working for one release, with a
    # DeprecationWarning naming the attribute to use; writes to what it returns go nowhere.
    def __getitem__(self, key: str) -> Any:
        _warn_dict_access(key)
        if key not in _PLAN_KEYS:
            raise KeyError(key)
        return plain_plan(self)[key]

    def get(self, key: str, default: Any = None) -> Any:
        """Deprecated dict-style read (``remediation.get("steps", [])``); use the attributes."""
        _warn_dict_access(key)
        return plain_plan(self)[key] if key in _PLAN_KEYS else default

    def __contains__(self, key: object) -> bool:
        return key in _PLAN_KEYS


class RemediationPlan(DiagnosisPlan):
    """A plan for one problem, naming it: what remediate answers, and each alternative of a plan."""

    problem: str
    title: str = ""


DiagnosisPlan.model_rebuild()

_PLAN_KEYS = ("steps", "alternatives")
_STEP_OPTIONAL = ("patch", "role")


def _warn_dict_access(key: object) -> None:
    warnings.warn(f"remediation[{key!r}] is deprecated since 0.2: read remediation.{key} (typed Step and "
                  "RemediationPlan models); dict-style access goes in 0.3", DeprecationWarning, stacklevel=3)


def plain_step(step: Step | dict[str, Any]) -> dict[str, Any]:
    """A step as a diagnosis's JSON writes it: ``patch`` and ``role`` only when given."""
    data = step.__dict__ if isinstance(step, Step) else step
    return {k: v for k, v in data.items() if v is not None or k not in _STEP_OPTIONAL}


def plain_plan(plan: DiagnosisPlan) -> dict[str, Any]:
    """A diagnosis's plan as plain data, ``{"steps": [...], "alternatives": [...]}`` (what it was
    until 0.1); a RemediationPlan (each alternative) also names its ``problem`` and ``title``."""
    data: dict[str, Any] = {"steps": [plain_step(s) for s in plan.steps],
                            "alternatives": [plain_plan(a) for a in plan.alternatives]}
    if isinstance(plan, RemediationPlan):
        data.update(problem=plan.problem, title=plan.title)
    return data
