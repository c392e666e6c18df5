"""Reading records from a file or stdin, streaming, never raising on a bad record.

One reader takes every shape people feed the command line, told apart by the first byte:

* a JSON array (``[...]``, one line or pretty-printed): its items, decoded one at a time
  from a sliding window, so a 100 MB array takes the memory of its largest item;
* JSON Lines, a single JSON object (pretty-printed too, as ``jq .`` writes it) or a stream
  of pretty-printed objects: one record per value.

Line endings may be LF, CRLF or CR; a byte order mark may open any line (files joined with
``cat``). Each record carries the number of the line where it starts: a bad record becomes
an :class:`InputError` whose message names that line, and the batch goes on. A record or
line longer than :data:`MAX_RECORD_BYTES` is one bad record (``/dev/zero`` ends with a clear
error, never with a ``MemoryError``).

Why not ijson for arrays: it gives no position, and findings must point at the line of
their record (SARIF, GitHub annotations). ``JSONDecoder.raw_decode`` over a window is C
speed as well and knows where each item starts.
"""

from __future__ import annotations

import codecs
import json
import sys
from collections import deque
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

import orjson

from ..errors import InputError

__all__ = ["MAX_RECORD_BYTES", "RecordReader", "open_input", "read_records"]

MAX_RECORD_BYTES = 16 * 1024 * 1024
"""The largest record (or line) read; more is one bad record, not a MemoryError."""

MAX_SKIPPED_BYTES = 256 * 1024 * 1024
"""How much of over-long lines is skipped, in all, before the reader gives up on the input."""

_CHUNK = 1 << 20
_BOM = "\ufeff"
_DECODER = json.JSONDecoder(parse_float=Decimal)
_WHITE = " \t\n\r" + _BOM


def open_input(name: str) -> IO[bytes]:
    if name == "-":
        return sys.stdin.buffer
    try:
        return open(name, "rb")  # noqa: SIM115 - closed by the caller
    except OSError as exc:
        raise InputError(None, None, f"cannot open {name}: {exc.strerror}") from None


def _decode(raw: bytes, line: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(None, None, f"line {line}: not valid UTF-8 (byte {exc.start + 1} of the line)") from None


def _parse(text: str, line: int) -> Any:
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise InputError(None, None, f"line {line + exc.lineno - 1}: not valid JSON: {exc.msg} "
                                     f"at column {exc.colno}") from None
    except RecursionError:
        raise InputError(None, None, f"line {line}: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise InputError(None, None, f"line {line}: not valid JSON: {str(exc)[:120]}") from None


_fast_loads = orjson.loads
_NOTHING: Any = object()


def _holds_float(value: Any) -> bool:
    """Whether orjson made a float anywhere in the value. A line is read with orjson (~3x the
    standard decoder's speed) and kept only when it holds none: numbers with a fraction or an
    exponent must be Decimals (money), and integers past 64 bits came back as floats; such a
    line, and anything orjson refuses (NaN, lone surrogates, a BOM, very deep nesting), is
    decoded by the standard decoder as before, so no record changes."""
    kind = type(value)
    if kind is dict:
        stack = list(value.values())
    elif kind is list:
        stack = list(value)
    else:
        return kind is float
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is float:
            return True
        if kind is dict:
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
    return False


def _too_long(line: int) -> InputError:
    return InputError(None, None, f"line {line}: a record longer than {MAX_RECORD_BYTES // (1024 * 1024)} MB "
                                  "(is this the right file?)")


class RecordReader:
    """Iterate records (parsed JSON, or an :class:`InputError`) in input order.

    :attr:`lines` receives the line number of every record as it is yielded; a consumer
    that gets one result per record pops them from the left (memory stays flat).
    :attr:`consumed` is the number of bytes read so far (for progress over a file).
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.lines: deque[int] = deque()
        self.consumed = 0
        self.count = 0

    def _read(self, size: int = _CHUNK) -> bytes:
        data = self.stream.read(size)
        self.consumed += len(data)
        return data

    def __iter__(self) -> Iterator[Any]:
        for line, record in self._records():
            self.lines.append(line)
            self.count += 1
            yield record

    def _records(self) -> Iterator[tuple[int, Any]]:
        head = b""
        while True:  # leading white space (and BOMs) say nothing: skip them to see the first byte
            chunk = self._read()
            if not chunk:
                return
            head += chunk
            stripped = head.lstrip(b" \t\r\n")
            while stripped.startswith(b"\xef\xbb\xbf"):
                stripped = stripped[3:].lstrip(b" \t\r\n")
            if stripped:
                break
            if len(head) > MAX_RECORD_BYTES:
                head = head[-3:]
        if stripped[:1] == b"[":
            yield from self._array(head)
        else:
            yield from self._values(head)

    # ------------------------------------------------------------------ JSON Lines & objects

    def _physical_lines(self, head: bytes) -> Iterator[tuple[int, bytes | None]]:
        """(line number, bytes without its line break), LF, CRLF or CR; None for a line
        over the limit (its bytes are skipped, up to a budget)."""
        number, carry, skipped, skipping = 0, head, 0, False
        chunk = head
        while True:
            if skipping:  # the rest of an over-long line: look for its end, keep nothing
                cut = min((i for i in (chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0), default=-1)
                if cut < 0:
                    skipped += len(chunk)
                    if skipped > MAX_SKIPPED_BYTES:
                        raise _GiveUp(number)
                    chunk = self._read()
                    if not chunk:
                        return
                    continue
                skipping, carry = False, chunk[cut + 1:]
            chunk = self._read()
            data = carry + chunk
            if not data:
                return
            parts = data.splitlines(keepends=True)
            last = parts[-1]
            # the last piece may continue in the next chunk (no break yet, or a CR before an LF)
            if chunk and (last[-1:] not in (b"\n", b"\r") or last.endswith(b"\r")):
                carry = parts.pop()
            else:
                carry = b""
            for part in parts:
                number += 1
                yield number, (part.rstrip(b"\r\n") if len(part) <= MAX_RECORD_BYTES + 2 else None)
            if len(carry) > MAX_RECORD_BYTES:
                number += 1
                yield number, None
                skipping, skipped, chunk, carry = True, skipped + len(carry), b"", b""
                continue
            if not chunk:
                if carry:
                    number += 1
                    yield number, (carry.rstrip(b"\r\n") if len(carry) <= MAX_RECORD_BYTES + 2 else None)
                return

    def _values(self, head: bytes) -> Iterator[tuple[int, Any]]:
        pending: list[str] = []
        pending_size, start, indent = 0, 0, 0
        fast, refused = True, 0
        lines = self._physical_lines(head)
        while True:
            try:
                number, raw = next(lines)
            except StopIteration:
                break
            except _GiveUp as exc:
                yield exc.line, InputError(None, None, f"line {exc.line}: over {MAX_SKIPPED_BYTES // (1024 * 1024)} MB "
                                                       "without a line break; the rest of the input is not read")
                return
            if not pending and raw:  # the common case first: one JSON value on its line
                if fast:
                    try:
                        value = _fast_loads(raw)
                    except ValueError:  # orjson refused it: the standard decoder decides, below
                        value = _NOTHING
                    if value is not _NOTHING and not _holds_float(value):
                        yield number, value
                        continue
                    # a file whose lines hold floats (amounts as JSON numbers) would be decoded
                    # twice: after 64 such lines out of the first 128, orjson is not tried again
                    refused += 1
                    fast = refused < 64 or number > 128
                try:
                    yield number, _DECODER.decode(raw.decode("utf-8"))
                    continue
                except (ValueError, RecursionError):  # told apart below (blank, BOM, pretty-printed, bad)
                    pass
            if raw is None:
                if pending:
                    yield start, _too_long(start)
                    pending, pending_size = [], 0
                yield number, _too_long(number)
                continue
            try:
                text = _decode(raw, number)
            except InputError as exc:
                if pending:  # the document around it cannot be read either
                    pending, pending_size = [], 0
                    yield start, exc
                else:
                    yield number, exc
                continue
            if pending:
                body = text.lstrip(_WHITE)
                outer = len(text) - len(text.lstrip(" \t")) <= indent
                if outer and body[:1] in ("{", "["):  # a new value begins: the gathered one never closed
                    document, pending, pending_size = "\n".join(pending), [], 0
                    yield start, self._value(document, start)
                else:
                    pending.append(text)
                    pending_size += len(raw)
                    if pending_size > MAX_RECORD_BYTES:
                        pending, pending_size = [], 0
                        yield start, _too_long(start)
                    elif outer and body[:1] in ("}", "]"):
                        document, pending, pending_size = "\n".join(pending), [], 0
                        yield start, self._value(document, start)
                    continue
            body = text.strip(_WHITE)
            if not body:
                continue
            if body[-1] in "{[":  # a pretty-printed value opens here: gather it up to its closing line
                text = text.lstrip(_BOM)
                pending, pending_size, start = [text], len(raw), number
                indent = len(text) - len(text.lstrip(" \t"))
                continue
            yield number, self._value(body, number)
        if pending:
            yield start, self._value("\n".join(pending), start)

    @staticmethod
    def _value(text: str, line: int) -> Any:
        try:
            return _parse(text.strip(_WHITE), line)
        except InputError as exc:
            return exc

    # ------------------------------------------------------------------ JSON arrays

    def _array(self, head: bytes) -> Iterator[tuple[int, Any]]:
        decoder = codecs.getincrementaldecoder("utf-8")()
        buf, pos, line, eof = "", 0, 1, False
        item = 0
        expect_item = True  # after "[" or ",": an item (or "]" right after "[")

        def fill(data: bytes) -> None:
            nonlocal buf, pos, eof
            if not data:
                eof = True
            text = decoder.decode(data, final=eof)
            # a raw CR can only be white space in JSON: make every break one "\n" to count lines
            buf = buf[pos:] + text.replace("\r\n", "\n").replace("\r", "\n")
            pos = 0

        try:
            fill(head)
            stripped = buf.lstrip(_WHITE)
            line += buf.count("\n", 0, len(buf) - len(stripped))
            buf, pos = stripped, 1  # past the "["
            while True:
                # white space, then "," or "]" between items
                while True:
                    while pos < len(buf) and buf[pos] in _WHITE:
                        if buf[pos] == "\n":
                            line += 1
                        pos += 1
                    if pos < len(buf) or eof:
                        break
                    fill(self._read())
                if pos >= len(buf):
                    yield line, InputError(None, None, f"line {line}: the JSON array ends without its closing ']'")
                    return
                ch = buf[pos]
                if ch == "]" and (not expect_item or item == 0):
                    pos += 1
                    rest = buf[pos:].strip(_WHITE) or self._rest_is_white()
                    if rest is not True and rest:
                        yield line, InputError(None, None, f"line {line}: text after the JSON array's closing ']'")
                    return
                if not expect_item:
                    if ch != ",":
                        yield line, InputError(None, None, f"line {line}: expected ',' or ']' after item {item} "
                                                           "of the JSON array; the rest cannot be read")
                        return
                    pos += 1
                    expect_item = True
                    continue
                # an item: decode it, reading more while it is cut by the window's end
                while True:
                    try:
                        value, end = _DECODER.raw_decode(buf, pos)
                    except json.JSONDecodeError as exc:
                        if not eof and len(buf) - pos <= MAX_RECORD_BYTES:
                            fill(self._read())
                            continue
                        where = line + buf.count("\n", pos, exc.pos)
                        reason = (f"line {line}: an item longer than {MAX_RECORD_BYTES // (1024 * 1024)} MB" if not eof
                                  else f"line {where}: not valid JSON: {exc.msg}")
                        yield line, InputError(None, None, f"{reason}; the rest of the JSON array cannot be read")
                        return
                    except RecursionError:
                        yield line, InputError(None, None, f"line {line}: JSON nested too deeply; "
                                                           "the rest of the JSON array cannot be read")
                        return
                    except ValueError as exc:
                        yield line, InputError(None, None, f"line {line}: not valid JSON: {str(exc)[:120]}")
                        return
                    if end == len(buf) and not eof:  # a number may go on in the next chunk
                        fill(self._read())
                        continue
                    break
                item += 1
                yield line, value
                line += buf.count("\n", pos, end)
                pos = end
                expect_item = False
                if pos > _CHUNK:
                    buf, pos = buf[pos:], 0
        except UnicodeDecodeError as exc:
            yield line, InputError(None, None, f"line {line}: not valid UTF-8 ({exc.reason}); "
                                               "the rest of the JSON array cannot be read")

    def _rest_is_white(self) -> bool | str:
        """After the array: anything but white space left in the input?"""
        while True:
            data = self._read()
            if not data:
                return True
            if data.strip(b" \t\r\n"):
                return "text"


class _GiveUp(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def read_records(stream: IO[bytes]) -> Iterator[Any]:
    """Yield each record (parsed JSON or an InputError) in input order; see :class:`RecordReader`."""
    return iter(RecordReader(stream))
