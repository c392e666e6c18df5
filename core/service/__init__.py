"""The host service: syncdoctor over HTTP (``syncdoctor serve``; design section 10).

``create_app(settings)`` builds the ASGI app for hosts that mount it in their own stack.
Needs the ``service`` extra: ``pip install 'syncdoctor[service]'``.

The names load on first use: the command line builds ``serve``'s flags from
``syncdoctor.service.settings`` on every run, and importing the app here would make every
command pay for FastAPI, SQLAlchemy and the ledger (~0.7 s of CPU).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .settings import Settings, SettingsError, load_settings

__all__ = ["create_app", "load_settings", "Settings", "SettingsError"]

_HOMES = {"create_app": ".app", "load_settings": ".settings", "Settings": ".settings",
          "SettingsError": ".settings"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value
