"""/v1/webhooks: an admin key manages its tenant's webhook subscriptions and reads their log.

The signing secret is in the creation answer only. Another tenant's subscription is a 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.responses import Response

from syncdoctor import dumps

from ...ledger import SubscriptionNotFound
from ...ledger.events import unstorable
from ...ledger.webhooks import EVENT_TYPES
from ..deps import Principal, get_ledger, principal
from ..problems import HTTPProblem, error_responses
from ..schemas import component, request_body
from ..streaming import read_model

router = APIRouter(tags=["webhooks"])

EventType = Literal["issue.opened", "issue.regressed", "issue.resolved", "issue.muted", "issue.escalated"]


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, description="an http(s) URL that answers 2xx to a signed POST")
    events: list[EventType] | None = Field(None, min_length=1, description="default: every event type")
    secret: str | None = Field(None, min_length=16, max_length=100,
                               description="the signing secret; generated when absent")

    @field_validator("url", "secret")
    @classmethod
    def _storable(cls, value: str | None) -> str | None:
        if value is not None and (what := unstorable(value)):
            raise ValueError(f"cannot hold {what}")
        return value


class WebhookOut(BaseModel):
    id: str
    url: str
    events: list[EventType]
    created_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="shown once: sign-check every delivery with it")


class DeliveryOut(BaseModel):
    at: datetime
    event_id: str
    type: EventType
    attempt: int
    status_code: int | None
    error: str | None
    duration_ms: int
    state: Literal["pending", "delivering", "delivered", "dead"]


Admin = Annotated[Principal, Depends(principal("admin"))]
LedgerDep = Annotated[Any, Depends(get_ledger)]
SubscriptionId = Annotated[str, Path(max_length=64)]


def _json(data: Any, status: int = 200, **headers: str) -> Response:
    return Response(dumps(data), status_code=status, media_type="application/json", headers=headers or None)


def _subscription_id(subscription_id: str) -> str:
    if unstorable(subscription_id):  # no subscription has one; PostgreSQL would refuse to look
        raise _missing(subscription_id)
    return subscription_id


def _missing(subscription_id: str) -> HTTPProblem:
    return HTTPProblem(404, f"no webhook subscription {subscription_id!r} in this tenant")


@router.get("/v1/webhooks", summary="This tenant's webhook subscriptions (never their secrets)",
            response_model=list[WebhookOut], responses=error_responses(401, 403))
async def list_webhooks(who: Admin, ledger: LedgerDep) -> Response:
    return _json(await run_in_threadpool(ledger.subscriptions, who.tenant))


@router.post("/v1/webhooks", summary=f"Subscribe a URL to {', '.join(EVENT_TYPES)}", status_code=201,
             response_model=WebhookCreated, responses=error_responses(401, 403, 413, 415, 422),
             openapi_extra=request_body({"application/json": component(WebhookIn)}))
async def create_webhook(request: Request, who: Admin, ledger: LedgerDep) -> Response:
    body = await read_model(request, WebhookIn)
    try:
        sub, secret = await run_in_threadpool(ledger.subscribe, who.tenant, body.url, body.events, body.secret)
    except ValueError as exc:
        raise HTTPProblem(422, str(exc), field="body.url" if "url" in str(exc) else "body.events") from None
    return _json({**sub, "secret": secret}, 201, **{"Cache-Control": "no-store"})


@router.delete("/v1/webhooks/{subscription_id}", summary="Delete a subscription; what is queued for it is dropped",
               status_code=204, response_class=Response, responses=error_responses(401, 403, 404, 422))
async def delete_webhook(subscription_id: SubscriptionId, who: Admin, ledger: LedgerDep) -> Response:
    try:
        await run_in_threadpool(ledger.unsubscribe, who.tenant, _subscription_id(subscription_id))
    except SubscriptionNotFound:
        raise _missing(subscription_id) from None
    return Response(status_code=204)


@router.get("/v1/webhooks/{subscription_id}/deliveries", summary="The delivery log: every attempt, newest first",
            response_model=list[DeliveryOut], responses=error_responses(401, 403, 404, 422))
async def webhook_deliveries(subscription_id: SubscriptionId, who: Admin, ledger: LedgerDep) -> Response:
    try:
        return _json(await run_in_threadpool(ledger.deliveries, who.tenant, _subscription_id(subscription_id)))
    except SubscriptionNotFound:
        raise _missing(subscription_id) from None
