"""The rule-pack schema: frozen pydantic models with ``extra="forbid"``.

A pack is YAML (one file per vendor or per topic). ``syncdoctor rules schema`` prints the
JSON Schema of :class:`RulePack` so editors can complete rule files.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from ..model.plans import Action, SystemName
from ..model.text import Text

__all__ = [
    "AllItems",
    "AllOf",
    "AnyItem",
    "AnyOf",
    "Call",
    "Condition",
    "Detect",
    "EntityExample",
    "Examples",
    "FieldTest",
    "MessageExample",
    "Not",
    "PatchOp",
    "PlanSpec",
    "Problem",
    "Ref",
    "RemediationSpec",
    "Repeated",
    "RulePack",
    "Signature",
    "StepSpec",
    "SumDiffers",
]

PROBLEM_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Ref(_Frozen):
    """A value read from a path instead of written literally: ``{ref: $context.tolerance}``."""

    ref: str
    default: Any = None


Scalar = str | int | Decimal | bool | None
Value = Ref | Scalar | list[Scalar]


class Bounds(_Frozen):
    """Comparisons on a number (used by ``length``)."""

    eq: int | None = None
    ne: int | None = None
    lt: int | None = None
    le: int | None = None
    gt: int | None = None
    ge: int | None = None

    @model_validator(mode="after")
    def _one(self) -> Bounds:
        if sum(v is not None for v in (self.eq, self.ne, self.lt, self.le, self.gt, self.ge)) != 1:
            raise ValueError("give exactly one of eq, ne, lt, le, gt, ge")
        return self


FIELD_OPERATORS = (
    "eq", "ne", "lt", "le", "gt", "ge", "in_", "not_in", "matches", "starts_with", "exists", "empty", "length",
)


class FieldTest(_Frozen):
    """A test on one field: ``{path: auxiliary, matches: "^[FC]"}``. Exactly one operator."""

    path: str
    eq: Value | None = None
    ne: Value | None = None
    lt: Value | None = None
    le: Value | None = None
    gt: Value | None = None
    ge: Value | None = None
    in_: list[Scalar] | Ref | None = Field(default=None, alias="in")
    not_in: list[Scalar] | Ref | None = None
    matches: str | None = Field(default=None, description="RE2 regular expression, searched (use ^ and $ to anchor)")
    starts_with: str | list[str] | None = None
    exists: bool | None = None
    empty: bool | None = Field(default=None, description="true: the value is missing or an empty list/string")
    length: Bounds | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> FieldTest:
        given = [name for name in FIELD_OPERATORS if name in self.model_fields_set]
        if len(given) != 1:
            names = ", ".join(n.rstrip("_") for n in FIELD_OPERATORS)
            raise ValueError(f"a field test needs exactly one operator ({names}); got {len(given)}")
        return self

    @property
    def operator(self) -> str:
        for name in FIELD_OPERATORS:
            if name in self.model_fields_set:
                return name
        raise AssertionError("validated")


class AllOf(_Frozen):
    all: list[Condition] = Field(min_length=1)


class AnyOf(_Frozen):
    any: list[Condition] = Field(min_length=1)


class Not(_Frozen):
    not_: Condition = Field(alias="not")


class Quantifier(_Frozen):
    path: str = Field(description="a list; the condition is evaluated with each item as the subject")
    where: Condition


class AnyItem(_Frozen):
    any_item: Quantifier


class AllItems(_Frozen):
    all_items: Quantifier


class SumSpec(_Frozen):
    terms: list[str] = Field(min_length=1, description="paths to add; a leading '-' subtracts; [*] sums a list")
    equals: Value = 0
    tolerance: Value = 0


class SumDiffers(_Frozen):
    """True when ``|sum(terms) - equals| > tolerance``, in exact Decimal arithmetic."""

    sum_differs: SumSpec


class Call(_Frozen):
    """A named Python check registered by a plugin: the escape hatch."""

    call: str
    args: list[Value] = Field(default_factory=list)


class RepeatSpec(_Frozen):
    key: list[str] = Field(min_length=1)
    at_least: int = Field(default=2, ge=2)


class Repeated(_Frozen):
    """Correlation: true when this is at least the N-th entity of the batch with the same key."""

    repeated: RepeatSpec


_TAGS = ("all", "any", "not", "any_item", "all_items", "sum_differs", "call", "repeated")


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for tag in _TAGS:
            if tag in value:
                return tag
        return "path" if "path" in value else None
    tags: dict[type, str] = {
        AllOf: "all", AnyOf: "any", Not: "not", AnyItem: "any_item", AllItems: "all_items",
        SumDiffers: "sum_differs", Call: "call", Repeated: "repeated", FieldTest: "path",
    }
    return tags.get(type(value))


Condition = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[AnyItem, Tag("any_item")]
    | Annotated[AllItems, Tag("all_items")]
    | Annotated[SumDiffers, Tag("sum_differs")]
    | Annotated[Call, Tag("call")]
    | Annotated[Repeated, Tag("repeated")]
    | Annotated[FieldTest, Tag("path")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition",
        custom_error_message="a condition is one of: all, any, not, any_item, all_items, sum_differs, call, "
        "repeated, or a field test {path: ..., <operator>: ...}",
    ),
]


class ParamCall(_Frozen):
    call: str
    args: list[Value] = Field(default_factory=list)
    pick: str | None = Field(
        default=None,
        description="take this key of the mapping the call returns; params making the same call "
        "(same function, same args) share one call per finding",
    )


class ParamValue(_Frozen):
    value: Any


ParamSpec = str | Ref | ParamCall | ParamValue


class Detect(_Frozen):
    """How a problem is caught before sending."""

    kinds: list[str] = Field(min_length=1, description="entity kinds this check looks at ('*' for all)")
    for_each: str | None = Field(default=None, description="a list path: one finding per matching item")
    when: Condition
    path: str | None = Field(default=None, description="field reported in the finding, relative to the subject")
    params: dict[str, ParamSpec] = Field(
        default_factory=dict, description="name -> path, {ref: path, default: x}, {call: f, args: [...]}, or {value: x}"
    )


class Signature(_Frozen):
    """How a rejection is recognised. Every criterion given must hold."""

    pattern: str | None = Field(default=None, description="RE2 pattern, searched; named groups become params")
    codes: list[str] = Field(default_factory=list)
    http_status: list[int] = Field(default_factory=list)
    params: dict[str, Any] = Field(default_factory=dict)
    priority: int = 0

    @field_validator("codes", mode="before")
    @classmethod
    def _codes(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return [str(v) for v in value]
        return value

    @model_validator(mode="after")
    def _something(self) -> Signature:
        if self.pattern is None and not self.codes and not self.http_status:
            raise ValueError("a signature needs a pattern, codes or http_status")
        return self


class PatchOp(_Frozen):
    """An RFC 6902 operation; ``path`` and string values may hold ``{param}`` placeholders."""

    op: Literal["add", "remove", "replace", "test", "copy", "move"]
    path: str
    value: Any = None
    from_: str | None = Field(default=None, alias="from")


class StepSpec(_Frozen):
    action: Action
    system: SystemName = Field(description="a shared system (syncdoctor.SYSTEMS) or one its plugin declares (PluginSpec.systems)")
    automatic: bool = False
    instructions: Text
    patch: list[PatchOp] | None = None
    confirm: bool = Field(default=False, description="the patch needs a person's confirmation")
    role: str | None = Field(default=None, description="who does it, e.g. firm_owner")

    @model_validator(mode="after")
    def _patch_is_automatic(self) -> StepSpec:
        if self.patch and self.action != "fix_entity":
            raise ValueError("only a fix_entity step can carry a patch")
        return self


class PlanSpec(_Frozen):
    title: Text
    steps: list[StepSpec] = Field(min_length=1)


class RemediationSpec(_Frozen):
    steps: list[StepSpec] = Field(default_factory=list)
    alternatives: list[PlanSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> RemediationSpec:
        if not self.steps and not self.alternatives:
            raise ValueError("a remediation needs steps or alternatives")
        return self


class MessageExample(_Frozen):
    message: str = ""
    vendor: str | None = None
    code: str | None = None
    http_status: int | None = None
    payload: Any = None
    params: dict[str, Any] = Field(default_factory=dict, description="params the diagnosis must carry")

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> Any:
        return None if value is None else str(value)


class EntityExample(_Frozen):
    entity: dict[str, Any]
    context: dict[str, Any] | None = Field(default=None, description="this plugin's part of the context")
    batch: list[dict[str, Any]] = Field(default_factory=list, description="entities validated before this one")
    params: dict[str, Any] = Field(default_factory=dict, description="params the finding must carry")


class Examples(_Frozen):
    match: list[str | MessageExample] = Field(default_factory=list)
    no_match: list[str | MessageExample] = Field(default_factory=list)
    flagged: list[EntityExample] = Field(default_factory=list)
    clean: list[EntityExample] = Field(default_factory=list)


# what a pack may write for a category (the model itself keeps the name and the French label apart)
_CATEGORY_SCHEMA: dict[str, Any] = {"anyOf": [
    {"type": "string"},
    {"type": "object", "properties": {"en": {"type": "string"}, "fr": {"type": "string"}},
     "required": ["en", "fr"], "additionalProperties": False},
]}


class Problem(_Frozen):
    """One real-world cause of a failed sync, with one stable public id."""

    id: str
    title: Text
    category: Annotated[str, WithJsonSchema(_CATEGORY_SCHEMA)] = Field(
        description="the vendor's own grouping; in a pack either a name, or {en, fr} to give "
                    "its French label too (the English name stays the key, e.g. in JSON)")
    category_fr: str | None = Field(default=None, description="the category's French label, when the pack gives one")
    severity: Literal["error", "warning"] = "error"
    causes: list[Text] = Field(min_length=1)
    message: Text | None = Field(default=None, description="finding message; defaults to the title")
    detect: Detect | None = None
    match: list[Signature] = Field(default_factory=list)
    remediation: RemediationSpec
    examples: Examples = Field(default_factory=Examples)
    source: str | None = Field(default=None, description="where the knowledge comes from (seed, doc URL)")
    identity: list[Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]] | None = Field(
        default=None, max_length=20, description="the params that name one instance of the problem: the "
        "ledger's fingerprint hashes these alone (by default every scalar param but per-attempt ones)")

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not PROBLEM_ID.match(value):
            raise ValueError(f"problem id {value!r} must look like <plugin>.<snake_case>")
        return value

    @model_validator(mode="before")
    @classmethod
    def _category_pair(cls, data: Any) -> Any:
        """``category: {en, fr}`` is the name (English, the stable key) and its French label."""
        if isinstance(data, dict) and isinstance(data.get("category"), dict):
            pair = data["category"]
            if set(pair) != {"en", "fr"}:
                raise ValueError("category: give a name, or both en and fr")
            data = {**data, "category": pair["en"], "category_fr": pair["fr"]}
        return data

    def category_label(self, lang: str) -> str:
        """The category as a reader of ``lang`` reads it (the name when no French label is given)."""
        return self.category_fr if lang == "fr" and self.category_fr else self.category


class RulePack(_Frozen):
    """A YAML rule pack: a plugin's problems."""

    plugin: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: int = 1
    problems: list[Problem] = Field(min_length=1)


for _model in (AllOf, AnyOf, Not, Quantifier, AnyItem, AllItems, RulePack):
    _model.model_rebuild()
