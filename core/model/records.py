"""Reading records (JSON array or JSON Lines) from a file or stdin, streaming, never raising
on a bad record: a bad line becomes an :class:`InputError` that names its record number."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from ..errors import InputError

__all__ = ["open_input", "read_records"]


def open_input(name: str) -> IO[bytes]:
    if name == "-":
        return sys.stdin.buffer
    try:
        return open(name, "rb")  # noqa: SIM115 - closed by the caller
    except OSError as exc:
        raise InputError(None, None, f"cannot open {name}: {exc.strerror}") from None


def _decode(raw: bytes, record: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(record, None, f"not valid UTF-8 (byte {exc.start} of the record)") from None


def _parse(text: str, record: int) -> Any:
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InputError(record, None, f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise InputError(record, None, "JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise InputError(record, None, f"not valid JSON: {str(exc)[:120]}") from None


def read_records(stream: IO[bytes]) -> Iterator[Any]:
    """Yield each record (parsed JSON or an InputError), numbered from 0 in input order.

    A document that starts with ``[`` is a JSON array; anything else is JSON Lines, read
    line by line so memory stays flat whatever the input size.
    """
    buffered: Any = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream)  # type: ignore[arg-type, type-var]
    if buffered.peek(3)[:3] == b"\xef\xbb\xbf":
        buffered.read(3)
    while True:  # leading white space says nothing: skip it, however long, to see the first byte
        first = buffered.peek(1)[:1]
        if first and first in b" \t\r\n":
            buffered.read(1)
            continue
        break
    if first == b"[":
        try:
            text = _decode(buffered.read(), 0)
            data = _parse(text, 0)
        except InputError as exc:
            yield InputError(None, None, f"the JSON array cannot be read: {exc.reason}")
            return
        if not isinstance(data, list):
            yield InputError(None, None, "expected a JSON array of records")
            return
        yield from data
        return
    record = 0
    for raw in buffered:
        if not raw.strip():
            continue
        try:
            yield _parse(_decode(raw, record), record)
        except InputError as exc:
            yield exc
        record += 1
