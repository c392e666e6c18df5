"""Project defaults for the command line: ``syncdoctor.toml`` or ``[tool.syncdoctor]`` in
``pyproject.toml``, found from the current directory upward (the nearest file that has them).

Precedence, strongest first: the command line, the environment (``SYNCDOCTOR_LANG``,
``SYNCDOCTOR_ENGINE``), this file, the built-in defaults (and the locale for the language).
A relative ``context`` path is relative to the file that names it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError

__all__ = ["KEYS", "Config", "find_config"]

#: the keys a configuration may set, and what each sets
KEYS = {
    "context": "JSON file keyed by plugin name, for validate and remediate (--context)",
    "lang": "language of human output: en or fr (--lang)",
    "vendor": "vendor or plugin for classify and validate (--vendor)",
    "engine": "rule engine: native or durable (--engine)",
    "format": "output format of validate and classify (--format)",
    "color": "auto, always or never (--color)",
    "fail_on": "error, warning or never (--fail-on)",
}


@dataclass(frozen=True)
class Config:
    values: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def get(self, key: str) -> Any:
        return self.values.get(key)


def _read(path: Path, table: bool) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from None
    if table:
        section = data.get("tool", {}).get("syncdoctor") if isinstance(data.get("tool"), dict) else None
        return section if isinstance(section, dict) else None
    return data


def find_config(start: Path | None = None) -> Config:
    """The nearest configuration above ``start`` (the cwd); ``SYNCDOCTOR_CONFIG`` names one
    explicitly, and ``SYNCDOCTOR_CONFIG=`` (empty) turns the search off."""
    explicit = os.environ.get("SYNCDOCTOR_CONFIG")
    if explicit == "":
        return Config()
    if explicit:
        path = Path(explicit)
        values = _read(path, path.name == "pyproject.toml")
        if values is None:
            raise UsageError(f"SYNCDOCTOR_CONFIG={explicit}: no such configuration file")
        return _checked(values, path)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name, table in (("syncdoctor.toml", False), ("pyproject.toml", True)):
            path = folder / name
            if path.is_file():
                values = _read(path, table)
                if values is not None:
                    return _checked(values, path)
    return Config()


def _checked(values: dict[str, Any], path: Path) -> Config:
    unknown = sorted(set(values) - set(KEYS))
    if unknown:
        raise UsageError(f"{path}: unknown key {', '.join(map(repr, unknown))}; known: {', '.join(KEYS)}")
    for key, value in values.items():
        if not isinstance(value, str):
            raise UsageError(f"{path}: {key} must be a string, not {type(value).__name__}")
    if "context" in values:
        values = {**values, "context": str(path.parent / values["context"])}
    return Config(dict(values), path)
