"""/v1/keys: an admin key manages its own tenant's keys (create, list, revoke).

A key id of another tenant is a 404, exactly like an id that does not exist.
"""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from syncdoctor import dumps

from ...ledger.events import unstorable
from ..deps import Admin
from ..problems import HTTPProblem, error_responses
from ..schemas import KeyCreated, KeyInfo, KeyRequest, component, request_body
from ..streaming import read_model

router = APIRouter(tags=["keys"])


@router.get("/v1/keys", summary="This tenant's keys (revoked ones included), never their secrets",
            response_model=list[KeyInfo], responses=error_responses(401, 403))
async def list_keys(request: Request, who: Admin) -> Response:
    keys = await run_in_threadpool(request.app.state.keys.list, who.tenant)
    return Response(dumps([k.to_json() for k in keys]), media_type="application/json")


@router.post("/v1/keys", summary="A new key for this tenant; the secret is in this answer only",
             status_code=201, response_model=KeyCreated, responses=error_responses(401, 403, 413, 415, 422),
             openapi_extra=request_body({"application/json": component(KeyRequest)}))
async def create_key(request: Request, who: Admin) -> Response:
    body = await read_model(request, KeyRequest)
    if body.name and (what := unstorable(body.name)):
        raise HTTPProblem(422, f"body.name: cannot hold {what}", field="body.name")
    key, secret = await run_in_threadpool(request.app.state.keys.create, who.tenant, body.role, body.name)
    return Response(dumps({**key.to_json(), "key": secret}), status_code=201, media_type="application/json",
                    headers={"Cache-Control": "no-store"})


@router.delete("/v1/keys/{key_id}", summary="Revoke one of this tenant's keys", status_code=204,
               response_class=Response, responses=error_responses(401, 403, 404, 422))
async def revoke_key(
    who: Admin,
    request: Request,
    key_id: str = Path(max_length=64),
) -> Response:
    store = request.app.state.keys
    mine = {k.id for k in await run_in_threadpool(store.list, who.tenant) if k.active}
    if key_id not in mine or not await run_in_threadpool(store.revoke, key_id):
        raise HTTPProblem(404, f"no active key {key_id!r} in this tenant")
    request.app.state.key_cache.clear()
    return Response(status_code=204)
