"""The host service: syncdoctor over HTTP (``syncdoctor serve``; design section 10).

``create_app(settings)`` builds the ASGI app for hosts that mount it in their own stack.
Needs the ``service`` extra: ``pip install 'syncdoctor[service]'``.
"""

from __future__ import annotations

from .app import create_app
from .settings import Settings, SettingsError, load_settings

__all__ = ["create_app", "load_settings", "Settings", "SettingsError"]
