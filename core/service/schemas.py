"""Shapes of the service's answers, for the OpenAPI document and for clients' type generators.

The routes write their answers with the models' own JSON serialisation (no second validation
pass per request); these wrappers name what the answer holds. Request bodies are read by the
routes themselves (streamed, size-limited), so their schemas are declared here for OpenAPI.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from syncdoctor import Diagnosis, ErrorReport, Finding, RemediationPlan

__all__ = [
    "COMPONENTS",
    "ClassifyAnswer",
    "FixAnswer",
    "KeyCreated",
    "KeyInfo",
    "KeyRequest",
    "PlanAnswer",
    "PluginInfo",
    "PluginsAnswer",
    "ProblemSummary",
    "ProblemsAnswer",
    "ValidateLine",
    "component",
    "request_body",
]

COMPONENTS: dict[str, Any] = {}
"""JSON Schemas added to ``components/schemas`` of the OpenAPI document (see app.py)."""


def component(model: type[BaseModel]) -> dict[str, str]:
    """Register ``model`` (and the models it uses) as components; return a ``$ref`` to it."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        COMPONENTS.setdefault(name, sub)
    COMPONENTS.setdefault(model.__name__, schema)
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def request_body(media: dict[str, dict[str, Any]], required: bool = True) -> dict[str, Any]:
    """An ``openapi_extra`` that declares the request body the route reads itself
    (``{media type: JSON Schema}``)."""
    content = {name: {"schema": schema} for name, schema in media.items()}
    return {"requestBody": {"required": required, "content": content}}


ENTITY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "an entity; `kind` says which (journal_entry, invoice, payment, service, pos_order, ...)",
    "required": ["kind"],
    "properties": {"kind": {"type": "string"}, "id": {"type": "string"}},
    "additionalProperties": True,
}
CONTEXT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "the context, keyed by plugin name ({\"acd\": {...}})",
    "additionalProperties": {"type": "object"},
}


class ClassifyAnswer(BaseModel):
    diagnoses: list[Diagnosis] = Field(description="one per error in the report (a Fault may hold several)")


class ValidateLine(BaseModel):
    """One NDJSON line of /v1/validate's answer, per input entity, in input order."""

    entity: str | int = Field(description="the entity's id, else its index in the input")
    findings: list[Finding]


class PlanAnswer(BaseModel):
    plans: list[RemediationPlan] = Field(description="one plan per place the problem holds in the entity")


class FixAnswer(BaseModel):
    entity: dict[str, Any] = Field(description="the entity after every automatic fix")
    applied: list[dict[str, Any]] = Field(description="the patches applied: problem, path, patch")
    remaining: list[Finding] = Field(description="error findings the automatic fixes could not clear")


class ProblemSummary(BaseModel):
    id: str
    plugin: str
    title: str
    category: str | None = None
    severity: str
    before_sending: bool = Field(description="caught by validation (the problem has `detect`)")
    from_rejections: bool = Field(description="recognised in vendors' rejections (the problem has `match`)")


class ProblemsAnswer(BaseModel):
    items: list[ProblemSummary]


class PluginInfo(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    version: str | None
    status: str = Field(description="loaded or broken")
    hooks: list[str] = Field(default_factory=list)
    problems: int = 0
    reason: str | None = Field(default=None, description="why a broken plugin was not loaded")


class PluginsAnswer(BaseModel):
    items: list[PluginInfo]


class KeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str = Field(pattern="^(read|write|admin)$")
    name: str | None = Field(default=None, max_length=200)


class KeyInfo(BaseModel):
    id: str
    tenant: str
    role: str
    name: str | None
    created_at: str
    revoked_at: str | None


class KeyCreated(KeyInfo):
    key: str = Field(description="the secret key; shown in this answer only, stored hashed")


ERROR_REPORT = component(ErrorReport)
