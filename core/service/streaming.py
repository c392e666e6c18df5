"""Batches over HTTP: NDJSON read as it arrives, answered line by line, in input order.

The request body is split into lines as its chunks arrive, so memory holds one chunk of
records, never the body. Records go to the Host's batch API (``classify_many`` /
``validate_many``) through ONE generator per request, so batch state (repeat counting) spans
the whole request exactly as on the command line. That generator is advanced from a worker
thread, ``chunk_records`` records at a time: the event loop stays free for other clients while
a big batch is being decided, and a batch never holds more than one thread at a time.
"""

from __future__ import annotations

import collections
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

import anyio
from fastapi import Request
from pydantic import BaseModel, ValidationError

from syncdoctor import InputError, loads
from syncdoctor.model.jsonio import loads as loads_text

from .middleware import deadline_of
from .problems import HTTPProblem, problem_body

__all__ = [
    "INLINE_BYTES",
    "NDJSON",
    "BatchLimits",
    "Line",
    "answer_batch",
    "read_json_body",
    "read_lines",
    "read_model",
    "request_deadline",
]

NDJSON = "application/x-ndjson"
INLINE_BYTES = 64 * 1024  # smaller bodies are parsed on the event loop: a thread hop would cost more
MAX_LINE = 16 * 1024 * 1024  # one record; longer is a bad record, not a reason to buffer without end


class Line:
    """One record of the body: its 0-based record number, 1-based line, and parsed value
    (or the :class:`InputError` that says why it could not be read)."""

    __slots__ = ("number", "line", "value")

    def __init__(self, number: int, line: int, value: Any) -> None:
        self.number = number
        self.line = line
        self.value = value


def parse_line(raw: bytes, number: int, line: int) -> Any:
    try:
        return loads_text(raw.decode("utf-8"))  # one shared Decimal-aware decoder (model/jsonio.py)
    except UnicodeDecodeError as exc:
        return InputError(number, None, f"line {line}: not valid UTF-8 (byte {exc.start})")
    except RecursionError:
        return InputError(number, None, f"line {line}: JSON nested too deeply")
    except ValueError as exc:
        msg = getattr(exc, "msg", None) or str(exc)[:120]
        col = getattr(exc, "colno", None)
        return InputError(number, None, f"line {line}: not valid JSON: {msg}" + (f" at column {col}" if col else ""))


async def read_lines(request: Request, max_batch: int, *, header_key: str | None = None) -> AsyncIterator[Line]:
    """The body's non-blank lines, parsed, as they arrive. Past ``max_batch`` records: 422.

    With ``header_key``, a first line that is an object holding only that key is a header,
    not a record: it is yielded with ``number`` -1 and records are numbered from the next line.
    """
    line_no = 0
    number = 0
    maybe_header = header_key is not None

    def numbered(line: int) -> int:
        nonlocal number
        if number >= max_batch:
            raise HTTPProblem(422, f"the batch holds more than {max_batch} records (max_batch); "
                              "split it", record=number, line=line)
        number += 1
        return number - 1

    def record(raw: bytes) -> Line | None:
        nonlocal maybe_header
        if not raw.strip():
            return None
        if maybe_header:
            maybe_header = False
            value = parse_line(raw, number, line_no)
            if isinstance(value, dict) and list(value) == [header_key]:
                return Line(-1, line_no, value[header_key])
            return Line(numbered(line_no), line_no, value)
        at = numbered(line_no)
        return Line(at, line_no, parse_line(raw, at, line_no))

    def too_long(line: int) -> Line:
        nonlocal maybe_header
        maybe_header = False
        at = numbered(line)
        return Line(at, line, InputError(at, None, f"line {line}: longer than {MAX_LINE} bytes"))

    # the pieces of the line being read, joined once its newline arrives (no copy per chunk)
    parts: list[bytes] = []
    size = 0
    skipping = False  # the line being read is over MAX_LINE: reported already, its rest dropped
    async for chunk in request.stream():
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            line_no += 1
            piece = chunk[start:end]
            start = end + 1
            if skipping:
                skipping = False
                continue
            if size + len(piece) > MAX_LINE:
                parts, size = [], 0
                yield too_long(line_no)
                continue
            raw = b"".join((*parts, piece)) if parts else piece
            parts, size = [], 0
            item = record(raw)
            if item is not None:
                yield item
        rest = chunk[start:]
        if rest and not skipping:
            parts.append(rest)
            size += len(rest)
            if size > MAX_LINE:
                parts, size, skipping = [], 0, True
                yield too_long(line_no + 1)
    if parts:
        line_no += 1
        item = record(b"".join(parts))
        if item is not None:
            yield item


async def read_json_body(request: Request) -> Any:
    """A whole JSON body (bounded by the size limit the middleware enforces while it arrives),
    parsed in a worker thread when it is big enough to hold up the event loop."""
    body = await request.body()
    if not body.strip():
        raise HTTPProblem(422, "the request body is empty; expected JSON", field="body")
    try:
        if len(body) > INLINE_BYTES:
            return await anyio.to_thread.run_sync(loads, body)
        return loads(body)
    except UnicodeDecodeError:
        raise HTTPProblem(422, "the request body is not valid UTF-8", field="body") from None
    except RecursionError:
        raise HTTPProblem(422, "the request body is nested too deeply", field="body") from None
    except ValueError as exc:
        msg = getattr(exc, "msg", None) or str(exc)[:120]
        line, col = getattr(exc, "lineno", None), getattr(exc, "colno", None)
        where = f" at line {line} column {col}" if line is not None else ""
        raise HTTPProblem(422, f"the request body is not valid JSON: {msg}{where}", field="body") from None


M = TypeVar("M", bound=BaseModel)
_JSON_NAMES = {"list": "an array", "str": "a string", "NoneType": "null", "bool": "a boolean"}


async def read_model(request: Request, model: type[M]) -> M:
    """A body of one JSON object, validated as ``model``, answered by the service's error rules:
    415 for a media type that is not JSON (NDJSON included), 422 for a body that cannot be read
    (:func:`read_json_body`) or a field that is not valid, named (``body.role``)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in ("application/json", "") and not media.endswith("+json"):
        raise HTTPProblem(415, f"unsupported media type {media!r}: send one JSON object as application/json",
                          field="content-type")
    doc = await read_json_body(request)
    if not isinstance(doc, dict):
        kind = _JSON_NAMES.get(type(doc).__name__, "a number")
        raise HTTPProblem(422, f"expected a JSON object, not {kind}", field="body")
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        errors = exc.errors()
        field = ".".join(["body", *(str(p) for p in errors[0]["loc"])])
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        message = errors[0]["msg"].removeprefix("Value error, ")
        raise HTTPProblem(422, f"{field}: {message}{more}", field=field) from None


class BatchLimits:
    def __init__(self, chunk: int, deadline: float) -> None:
        self.chunk = chunk
        self.deadline = deadline


class _Feed:
    """The records the Host's generator pulls; filled a chunk at a time from the event loop."""

    def __init__(self) -> None:
        self.pending: collections.deque[Any] = collections.deque()

    def __iter__(self) -> Iterator[Any]:
        while True:
            # the consumer pulls exactly one record per answer it asks for, so the deque is
            # never empty when it is read
            yield self.pending.popleft()


async def answer_batch(
    request: Request,
    records: AsyncIterator[Line],
    make_answers: Callable[[Iterator[Any]], Iterator[Any]],
    render: Callable[[Line, Any], bytes],
    limits: BatchLimits,
) -> AsyncIterator[bytes]:
    """Feed ``records`` to ``make_answers`` (a Host batch generator over the records' values)
    one chunk at a time in a worker thread, and yield ``render(line, answer)`` bytes in order.

    A limit crossed after the answer started (a 413, a 422 past ``max_batch``, the time budget)
    ends the stream with one last line: the problem document, with ``"status"`` set."""
    feed = _Feed()
    answers = make_answers(iter(feed))
    pending: list[Line] = []

    def decide(lines: list[Line]) -> bytes:
        out = []
        for line in lines:
            feed.pending.append(line.value)
            out.append(render(line, next(answers)))
        return b"".join(out)

    async def flush() -> bytes:
        lines = pending[:]
        pending.clear()
        if time.monotonic() > limits.deadline:
            raise _OverBudget()
        return await anyio.to_thread.run_sync(decide, lines, abandon_on_cancel=True)

    async def next_line() -> Line | None:
        # a client that sends slowly is held to the budget too, not only when a chunk fills up
        remaining = limits.deadline - time.monotonic()
        if remaining > 0:
            with anyio.move_on_after(remaining):
                return await anext(records, None)
        raise _OverBudget()

    started = False
    try:
        try:
            while (line := await next_line()) is not None:
                pending.append(line)
                if len(pending) >= limits.chunk:
                    chunk = await flush()
                    started = True
                    yield chunk
            if pending:
                chunk = await flush()
                started = True
                yield chunk
        except HTTPProblem as exc:
            if not started:
                raise  # nothing answered yet: the status code itself says it
            if pending:
                yield await flush()
            yield _problem_line(request, exc.status, exc.detail, record=exc.record, **exc.extra)
        except _OverBudget:
            detail = ("the batch took longer than the time budget (time_budget); "
                      "the records answered above are done, resend the rest")
            if not started:
                raise HTTPProblem(503, detail, headers={"Retry-After": "1"}) from None
            yield _problem_line(request, 503, detail)
    finally:
        close = getattr(answers, "close", None)
        if close is not None:
            try:
                close()
            except ValueError:  # still running in an abandoned thread (time budget): it ends alone
                pass


class _OverBudget(Exception):
    pass


def _problem_line(request: Request, status: int, detail: str, **kw: Any) -> bytes:
    from syncdoctor import dumps

    rid = request.scope.get("state", {}).get("request_id")
    body = problem_body(status, detail, instance=f"{request.url.path}#request-{rid}", **kw)
    return (dumps(body) + "\n").encode()


def request_deadline(request: Request) -> float:
    return deadline_of(request.scope)

