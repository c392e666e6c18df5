"""Localized text: every sentence a user reads exists in English and French."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["LANGS", "MISSING", "Lang", "Text", "default_lang", "general", "keep", "number", "render"]

Lang = Literal["en", "fr"]
LANGS: tuple[Lang, ...] = ("en", "fr")


class Text(BaseModel):
    """A sentence in English and French; may hold ``{param}`` placeholders."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    en: str
    fr: str

    def get(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en

    def render(self, lang: str, params: Mapping[str, Any] | None = None) -> str:
        return render(self.get(lang), params or {}, lang)


MISSING = "…"
"""What a placeholder with no value renders as. Texts keep the parts that depend on a param
inside an optional segment, so this never reaches a reader; the project's tests render every
problem's examples in both languages and fail on it (tests/test_texts.py)."""

_SEGMENT = SEGMENT = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)
_FIELD = FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
"""An optional segment, and a plain field; public for the plans compiled from texts
(rules/remediation.py), which must split texts exactly as :func:`render` does."""


def _given(value: Any) -> bool:
    """A param counts only when it says something: None and blank text do not (an empty
    named group, an empty field of a payload)."""
    return value is not None and not (isinstance(value, str) and not value.strip())


given = _given


class _Keep(dict[str, Any]):
    """Params for str.format_map: an unknown name shows as :data:`MISSING`."""

    def __missing__(self, key: str) -> str:
        return MISSING


def number(value: Decimal | float, lang: str) -> str:
    """A number as a reader of ``lang`` writes it: a decimal comma in French (12,50)."""
    text = str(value)
    return text.replace(".", ",") if lang == "fr" else text


def keep(params: Mapping[str, Any], lang: str = "en") -> _Keep:
    """The params a text may use: those that say something (see :func:`_given`). In French,
    numbers (amounts are Decimal) take a decimal comma; text params (codes, account numbers,
    what a message said) are shown as given."""
    if lang == "fr":
        return _Keep({k: number(v, lang) if isinstance(v, (Decimal, float)) else v
                      for k, v in params.items() if _given(v)})
    return _Keep({k: v for k, v in params.items() if _given(v)})


def _segments(template: str, params: Mapping[str, Any]) -> str:
    """``[[ ... ]]`` is an optional segment: kept (without its brackets) when every ``{name}``
    inside has a value, dropped whole otherwise; so "call[[ ({trace_id})]] again" reads well
    with or without a trace_id."""

    def one(m: re.Match[str]) -> str:
        inner = m.group(1)
        return inner if all(_given(params.get(n)) for n in _FIELD.findall(inner)) else ""

    return _SEGMENT.sub(one, template)


def general(template: str) -> str:
    """A template as the catalog shows it, for no record in particular: the optional segments
    left out, the other placeholders kept as ``{name}`` (what the text says it names)."""
    return _segments(template, {}) if "[[" in template else template


def render(template: str, params: Mapping[str, Any], lang: str = "en") -> str:
    """Fill ``{name}`` placeholders and resolve ``[[ ... ]]`` segments; never an error. ``lang``
    only decides how numbers are written (see :func:`keep`); texts, not data: patches and params
    keep their values."""
    if "[[" in template:
        template = _segments(template, params)
    if "{" not in template:
        return template
    try:
        return template.format_map(keep(params, lang))
    except (ValueError, IndexError, AttributeError, KeyError, TypeError):
        return template


def default_lang() -> Lang:
    """The language from the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English."""
    for var in ("SYNCDOCTOR_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"
