"""The app factory: ``create_app(settings) -> FastAPI``.

Small on purpose: the routes are in ``routes/`` (one router per resource, listed in ROUTERS),
auth in ``deps.py``, errors in ``problems.py``, limits and the access log in ``middleware.py``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from syncdoctor import Host, __version__

from ..console import mount_console
from .deps import KeyCache
from .metrics import Metrics
from .middleware import ServiceMiddleware
from .problems import ProblemDetail, install_handlers
from .routes import ROUTERS
from .schemas import COMPONENTS, component
from .settings import Settings

__all__ = ["ServiceApp", "create_app"]

log = logging.getLogger("syncdoctor.service")

Mount = Callable[[FastAPI], None]
"""A function that adds to the app (the console mounts its pages under /console/)."""


class ServiceApp(FastAPI):
    """FastAPI with the service's middleware outermost, around FastAPI's own error middleware,
    so a 500 is counted and logged with its request id like every other answer."""

    def build_middleware_stack(self) -> Any:
        return ServiceMiddleware(super().build_middleware_stack(), self.state.settings, self.state.metrics)


def _open(settings: Settings, host: Host | None) -> tuple[Host, Any, Any]:
    from ..ledger import Database, KeyStore

    # strict=False: a broken plugin is listed at /v1/plugins; strict mode fails /readyz instead
    host = host or Host.from_entry_points(settings.plugins, engine=settings.engine, strict=False)
    host.engine  # compile the packs now, not on the first request  # noqa: B018
    database = Database(settings.db)
    return host, database, KeyStore(database)


def create_app(settings: Settings | None = None, *, mounts: list[Mount] | None = None,
               host: Host | None = None) -> FastAPI:
    """The service as an ASGI app. ``mounts`` add to it before it starts (the console);
    ``host`` replaces the plugins found by entry points (for hosts that build their own)."""
    settings = settings or Settings()
    settings.check_bind()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from ..ledger import Ledger, WebhookDelivery, ledger_config
        from ..ledger.egress import Egress

        app.state.host, database, keys = await run_in_threadpool(_open, settings, host)
        app.state.database = database
        app.state.keys = keys
        app.state.ledger = Ledger(database, app.state.host, ledger_config(settings))
        # every replica may run a sender: the outbox hands each delivery to one of them
        delivery = (WebhookDelivery(database, egress=Egress(allow_private=settings.webhooks_private),
                                    on_attempt=app.state.metrics.count_webhook_attempt)
                    if settings.webhooks_deliver else None)
        if delivery is not None:
            delivery.start()
        app.state.metrics.start_sharing()
        for broken in app.state.host.broken:
            log.warning("plugin not loaded", extra={"plugin": broken.name, "reason": broken.reason})
        if settings.insecure_no_auth:
            log.warning("INSECURE: no API keys are checked; every caller is admin of tenant 'local'. "
                        "For a laptop only, never on a shared machine")
        try:
            yield
        finally:
            app.state.metrics.stop_sharing()
            if delivery is not None:
                delivery.stop()
            database.dispose()

    app = ServiceApp(title="syncdoctor", version=__version__, lifespan=lifespan,
                     description="Explains and fixes accounting-sync rejections over HTTP. "
                     "Every /v1 route needs `Authorization: Bearer <key>`.")
    app.state.settings = settings
    app.state.metrics = Metrics(settings.metrics_dir)
    app.state.key_cache = KeyCache(settings.auth_cache_seconds)
    install_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    for mount in [mount_console, *(mounts or ())]:  # the support console (issue 17) at /console
        mount(app)
    component(ProblemDetail)
    _extend_openapi(app)
    return app


def _extend_openapi(app: FastAPI) -> None:
    """Add the schemas the routes declare by hand (bodies they stream) to the document."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, sub in COMPONENTS.items():
                schemas.setdefault(name, sub)
            # FastAPI documents its request validation errors as its own JSON; this app answers
            # them as problem documents (problems.py), so the document says that instead
            problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}}
            for operation in (op for ops in schema.get("paths", {}).values() for op in ops.values()):
                invalid = operation.get("responses", {}).get("422")
                if invalid is not None:
                    invalid["content"] = problem
                    invalid["description"] = "Invalid input: the record and field at fault are named"
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
