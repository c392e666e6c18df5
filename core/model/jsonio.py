"""Fast JSON on the command line's hot loops: one Decimal-aware decoder per process, and
diagnosis / finding lines encoded with orjson straight to bytes.

The lines mean exactly what the models' own JSON means (``model_dump(mode="json")``, with
``exclude_none`` for a diagnosis); only the spacing differs (compact). Anything orjson cannot
write as pydantic would (a lone surrogate, an integer beyond 64 bits, a key that is not a
string) takes the slow route, so no value ever changes. ``tests/core/test_jsonio.py`` holds the
encoders to the models' JSON on every shipped example and on awkward values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

import orjson
from pydantic_core import to_jsonable_python

from .money import dumps
from .plans import DiagnosisPlan, RemediationPlan, Step, plain_plan, plain_step
from .reports import Diagnosis, Finding
from .trusted import ReadOnlyList, SharedFields

__all__ = ["LineSink", "diagnosis_json", "diagnosis_line", "entity_result_line", "loads"]

# json.loads(text, parse_float=Decimal) builds a new JSONDecoder (and its scanner) on every
# call: ~3 us of a ~5 us line. One decoder serves the whole process; it holds no state.
_DECODER = json.JSONDecoder(parse_float=Decimal)
_decode = _DECODER.decode


def loads(text: str | bytes | bytearray) -> Any:
    """``json.loads(text, parse_float=Decimal)`` with the decoder built once."""
    if type(text) is str and not text.startswith("\ufeff"):
        return _decode(text)
    return json.loads(text, parse_float=Decimal)  # bytes (encoding detection) or a BOM: its own message


# Datetimes, dataclasses and subclasses of str/int/dict go to pydantic (its JSON form, e.g.
# "Z" for UTC); orjson writes only the plain types, as pydantic would.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


def _as_pydantic(obj: Any) -> Any:
    return to_jsonable_python(obj)


def _as_pydantic_no_none(obj: Any) -> Any:
    # a diagnosis's plan as orjson can write it (~4x faster than pydantic): a step without its
    # null patch and role, as exclude_none and the plan's serializer do; a plan shared by every
    # diagnosis of its problem (model/trusted.py) cannot change, so its form is made once
    kind = type(obj)
    if kind is Step or kind is DiagnosisPlan or kind is RemediationPlan:
        fields = obj.__pydantic_fields_set__
        if type(fields) is SharedFields:
            plain = fields.plain
            if plain is None:
                plain = fields.plain = plain_step(obj) if kind is Step else plain_plan(obj)
            return plain
        if kind is not Step:
            return obj.__dict__
        step = obj.__dict__.copy()
        if step["patch"] is None:
            del step["patch"]
        if step["role"] is None:
            del step["role"]
        return step
    if kind is ReadOnlyList:
        return list(obj)
    return to_jsonable_python(obj, exclude_none=True)


_dumps = orjson.dumps
_DIAG_FIELDS = tuple(Diagnosis.model_fields)
# left out when null, as exclude_none does; vendor and category are always written (design 7)
_DIAG_NULLABLE = tuple(name for name, f in Diagnosis.model_fields.items()
                       if f.default is None and name not in ("vendor", "category"))
_FINDING_SER = Finding.__pydantic_serializer__
_EMPTY_FINDINGS = b'","findings":[]}\n'


def _slow(obj: Any) -> bytes:
    """The standard library's encoding, as the command line wrote before; a lone surrogate
    is written as ``\\udXXX`` (what stdout's ``backslashreplace`` gave)."""
    return (dumps(obj) + "\n").encode("utf-8", "backslashreplace")


def diagnosis_json(diag: Diagnosis) -> dict[str, Any]:
    """A diagnosis's JSON as design 7 publishes it: null optional keys left out, but for
    ``vendor`` and ``category``, which every diagnosis carries (null when unknown)."""
    data = diag.model_dump(mode="json", exclude_none=True)
    if "vendor" in data and "category" in data:
        return data
    # in the fields' order, as the fast path writes them
    return {k: data.get(k) for k in type(diag).model_fields if k in data or k in ("vendor", "category")}


def diagnosis_line(diag: Diagnosis, extra: dict[str, Any] | None = None) -> bytes:
    """:func:`diagnosis_json` (then ``extra``'s keys, e.g. the command line's
    ``vendor_guessed``) as one JSON line of bytes."""
    values = diag.__dict__
    if type(diag) is not Diagnosis or len(values) != len(_DIAG_FIELDS):  # a subclass: its own serializer
        return _slow({**diagnosis_json(diag), **(extra or {})})
    data = values.copy()
    for name in _DIAG_NULLABLE:  # only these can be None (`None in values()` called each model's __eq__)
        if data[name] is None:
            del data[name]
    if extra:
        data.update(extra)
    try:
        return _dumps(data, default=_as_pydantic_no_none, option=_OPTIONS | orjson.OPT_APPEND_NEWLINE)
    except (TypeError, orjson.JSONEncodeError):
        return _slow({**diagnosis_json(diag), **(extra or {})})


def entity_result_line(entity: str | int, findings: Iterable[Finding]) -> bytes:
    """``{"entity": ..., "findings": [f.model_dump(mode="json") ...]}`` as one JSON line."""
    findings = list(findings)
    if not findings and type(entity) is str and entity.isascii() and entity.isprintable() \
            and '"' not in entity and "\\" not in entity:
        return b'{"entity":"' + entity.encode() + _EMPTY_FINDINGS  # valid traffic: most lines
    data = {"entity": entity, "findings": [f.__dict__ if type(f) is Finding else f for f in findings]}
    try:
        return _dumps(data, default=_as_pydantic, option=_OPTIONS | orjson.OPT_APPEND_NEWLINE)
    except (TypeError, orjson.JSONEncodeError):
        return _slow({"entity": entity, "findings": [f.model_dump(mode="json") for f in findings]})


class LineSink:
    """Writes encoded lines to a text stream's binary buffer (``sys.stdout.buffer``), after
    flushing what was written to the text layer, so the order holds; a stream with no buffer
    (``io.StringIO``) gets the decoded text.

    Lines are gathered and written :data:`CHUNK` bytes at a time: with ``PYTHONUNBUFFERED``
    set (as many container images do) ``sys.stdout.buffer`` is the raw file, and a write per
    line was a system call per line (~12 us of a ~20 us diagnosis). The input is read a
    megabyte at a time, so this adds no wait a reader of the output would see; memory stays
    bounded by the chunk.
    """

    CHUNK = 1 << 16

    def __init__(self, stream: IO[str]) -> None:
        self._text = stream
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            stream.flush()
        self._buffer = buffer
        self._parts: list[bytes] = []
        self._size = 0

    def write(self, line: bytes) -> None:
        self._parts.append(line)
        self._size += len(line)
        if self._size >= self.CHUNK:
            self._drain()

    def _drain(self) -> None:
        data = b"".join(self._parts)
        self._parts.clear()
        self._size = 0
        if self._buffer is not None:
            self._buffer.write(data)
        else:
            self._text.write(data.decode("utf-8"))

    def flush(self) -> None:
        if self._parts:
            self._drain()
        if self._buffer is not None:
            self._buffer.flush()
        else:
            self._text.flush()
