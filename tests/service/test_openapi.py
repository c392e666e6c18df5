"""The OpenAPI document: checked in, equal to the app's, and true (schemathesis fuzzes the live
server with it: no 5xx, every answer matches the document)."""

from __future__ import annotations

import json
from pathlib import Path

from syncdoctor.service.openapi import document, render

from .conftest import Server

ROOT = Path(__file__).resolve().parents[2]


def test_checked_in_document_is_the_apps() -> None:
    checked_in = (ROOT / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert checked_in == render(), "docs/openapi.json is stale: run python -m syncdoctor.service.openapi --write"


def test_live_document_is_the_same(server: Server) -> None:
    with server.client() as c:
        live = c.get("/openapi.json").json()
    assert live == json.loads(render(document()))


def test_every_v1_operation_declares_auth_and_problem_answers() -> None:
    doc = document()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if not path.startswith("/v1/"):
                continue
            assert op.get("security") == [{"HTTPBearer": []}], (method, path)
            assert "application/problem+json" in op["responses"]["401"]["content"], (method, path)
