"""Localized text: every sentence a user reads exists in English and French."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["LANGS", "Lang", "Text", "default_lang", "render"]

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
        return render(self.get(lang), params or {})


class _Keep(dict[str, Any]):
    """Params for str.format_map: an unknown name shows as an ellipsis."""

    def __missing__(self, key: str) -> str:
        return "…"


def render(template: str, params: Mapping[str, Any]) -> str:
    """Fill ``{name}`` placeholders; an unknown name shows as an ellipsis, never an error."""
    if "{" not in template:
        return template
    try:
        return template.format_map(_Keep(params))
    except (ValueError, IndexError, AttributeError, KeyError, TypeError):
        return template


def default_lang() -> Lang:
    """The language from the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English."""
    for var in ("SYNCDOCTOR_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"
