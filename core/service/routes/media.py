"""What the routes share about bodies: which media type a request sent, and how a streamed
answer starts (only once its first lines are decided, so an early error keeps its status)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from starlette.requests import ClientDisconnect
from starlette.responses import StreamingResponse

from ..problems import HTTPProblem
from ..streaming import NDJSON

__all__ = ["is_ndjson", "prime"]

NDJSON_TYPES = {NDJSON, "application/jsonl", "application/jsonlines", "application/x-jsonlines"}
JSON_TYPES = {"application/json", ""}


def is_ndjson(request: Request) -> bool:
    """True for NDJSON (JSON Lines), False for JSON; any other media type is a 415."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in NDJSON_TYPES:
        return True
    if media in JSON_TYPES or media.endswith("+json"):
        return False
    raise HTTPProblem(415, f"unsupported media type {media!r}: send application/json, or {NDJSON} for "
                      "one record per line", field="content-type")


class NDJSONStream(StreamingResponse):
    """A stream that leaves ``receive`` to the body iterator.

    Starlette's StreamingResponse (before ASGI 2.4 servers) listens for a disconnect by calling
    ``receive`` alongside the stream, which swallows request body chunks that the iterator is
    still reading: an NDJSON batch would lose records. Here the iterator reads the body, and a
    client that goes away is noticed there (ClientDisconnect) or when a write fails.
    """

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await self.stream_response(send)
        except OSError:
            raise ClientDisconnect() from None


async def prime(stream: AsyncIterator[bytes]) -> StreamingResponse:
    """Decide the first chunk before answering: a limit crossed or a bad context found by then
    is answered with its own status, not as a line of a 200 stream."""
    try:
        first = await stream.__anext__()
    except StopAsyncIteration:
        first = b""

    async def rest() -> AsyncIterator[bytes]:
        if first:
            yield first
        async for chunk in stream:
            yield chunk

    return NDJSONStream(rest(), media_type=NDJSON)
