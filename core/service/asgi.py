"""The import string uvicorn's workers load: ``syncdoctor.service.asgi:app`` (a factory).

`syncdoctor serve` passes its settings to the workers as ``SYNCDOCTOR_*`` variables (and the
config file as ``SYNCDOCTOR_CONFIG``), so each worker builds the same app.
"""

from __future__ import annotations

from fastapi import FastAPI

from .app import create_app
from .logs import configure_logging
from .settings import load_settings

__all__ = ["app"]


def app() -> FastAPI:
    settings = load_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
