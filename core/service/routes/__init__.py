"""One APIRouter per resource; app.py includes every router of :data:`ROUTERS`, in this order.

A feature adds its module here and one line to ROUTERS (the ledger adds events, issues and
webhooks). Every route must have an auth test: tests/service/test_auth.py fails for a route it
does not know.
"""

from __future__ import annotations

from fastapi import APIRouter

from . import catalog, classify, events, health, issues, keys, remediate, validate, webhooks

__all__ = ["ROUTERS"]

ROUTERS: list[APIRouter] = [
    health.router,
    classify.router,
    validate.router,
    remediate.router,
    catalog.router,
    keys.router,
    events.router,
    issues.router,
    webhooks.router,
]
