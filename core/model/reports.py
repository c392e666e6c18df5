"""What the host answers: a vendor's rejection (ErrorReport), a finding before sending, a
diagnosis after a rejection."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, field_serializer

from .plans import DiagnosisPlan, plain_step

__all__ = [
    "Diagnosis",
    "ErrorReport",
    "Finding",
]


class ErrorReport(BaseModel):
    """A rejection as the host received it from a vendor."""

    model_config = ConfigDict(extra="forbid")

    vendor: str | None = None
    message: str = ""
    # an HTTP status is three digits (RFC 9110): 1e999 or 10**400 is an input error, never a
    # number the engines compare against
    http_status: int | None = Field(default=None, ge=100, le=599)
    code: str | None = None
    payload: Any = None
    record: str | None = Field(default=None, description="id of the entity that was rejected, if known")
    params: dict[str, Any] = Field(default_factory=dict, description="facts a plugin extracted from the payload")


class Finding(BaseModel):
    """A problem found in an entity before it is sent."""

    model_config = ConfigDict(extra="forbid")

    problem: str
    severity: Literal["error", "warning"]
    entity: str | int | None
    path: str | None = None
    message: str
    params: dict[str, Any] = Field(default_factory=dict)


class Diagnosis(BaseModel):
    """What a vendor's rejection means and what to do about it."""

    # its JSON has one schema: the plan's serializer below only leaves out null optional keys
    model_config = ConfigDict(extra="forbid", json_schema_mode_override="validation")

    problem: str
    vendor: str | None = None
    category: str | None = None
    title: str | None = None
    severity: Literal["error", "warning"] = "error"
    params: dict[str, Any] = Field(default_factory=dict)
    causes: list[str] = Field(default_factory=list)
    remediation: DiagnosisPlan = Field(default_factory=DiagnosisPlan)
    input: int | None = Field(default=None, description="index of the input record in a batch")
    record: str | None = None

    @field_serializer("remediation", mode="wrap")
    def _plan_as_published(self, plan: DiagnosisPlan, handler: SerializerFunctionWrapHandler) -> Any:
        # The JSON contract (design 7) writes a step's ``patch`` and ``role`` only when given, as
        # diagnoses always did; the typed Step writes them as null (Host.remediate()'s answers)
        data = handler(plan)
        if isinstance(data, dict):
            for alternative in (data, *data.get("alternatives", ())):
                alternative["steps"] = [plain_step(s) for s in alternative.get("steps", ())]
        return data
