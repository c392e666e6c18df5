"""Reading QuickBooks Online Fault documents into one error report per error.

Shapes handled (vendor-apis.md §2.2):

* ``{"Fault": {"Error": [{"Message", "Detail", "code", "element"}], "type": ...}, "time": ...}``
  with a 4xx status, **or inside an HTTP 200** (Intuit: always parse the body);
* SDK-serialised documents with lowercase keys (``fault.error[].message``), possibly wrapped
  (``{"IntuitResponse": {...}}``, ``{"warnings": null, "fault": {...}, ...}``);
* batch answers ``{"BatchItemResponse": [{"bId": "1", "Fault": {...}}, {"bId": "2", "Invoice": {...}}]}``;
* the bare Error list ``[{"Message", "Detail", "code", "element"}]`` an SDK prints;
* the XML form ``<IntuitResponse><Fault type=".."><Error code=".." element=".."><Message/><Detail/>``,
  given as a string payload, or pasted as the message itself (JSON or XML).

Each error becomes an :class:`~syncdoctor.ErrorReport` whose message is "Message: Detail",
as TaxDome shows it, with the code as given (the core compares ``003001`` equal to ``3001``)
and ``element``, ``fault_type`` and the batch item id (``batch_id``) in ``params``.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from typing import Any

from syncdoctor import ErrorReport, loads

__all__ = ["Fault", "find_faults", "split_faults"]

_MAX_DEPTH = 6
_MAX_TEXT = 1_000_000  # a Fault is small; never parse megabytes of pasted text


Fault = tuple[Mapping[str, Any], str | None]  # (the Fault object, its batch item id)


def _key(obj: Mapping[str, Any], name: str) -> Any:
    """Case-insensitive key lookup: Intuit's JSON uses Fault/Error, SDKs fault/error."""
    if name in obj:
        return obj[name]
    lowered = name.lower()
    for key, value in obj.items():
        if isinstance(key, str) and key.lower() == lowered:
            return value
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _looks_like_error(obj: Any) -> bool:
    return isinstance(obj, Mapping) and any(_key(obj, k) is not None for k in ("Message", "Detail", "code"))


def find_faults(node: Any, batch_id: str | None = None, depth: int = 0) -> Iterator[Fault]:
    """Every Fault in a document, with the id of the batch item that holds it."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, (list, tuple)):
        if depth == 0 and node and all(isinstance(i, Mapping) and _key(i, "Message") is not None for i in node):
            # the Error list alone, as python-quickbooks prints it (routablehq/python-quickbooks#127)
            yield {"Error": list(node)}, batch_id
            return
        for item in node:
            yield from find_faults(item, batch_id, depth + 1)
        return
    if not isinstance(node, Mapping):
        return
    items = _key(node, "BatchItemResponse")
    if items:  # SDK documents carry an empty "batchItemResponse": [] beside their fault
        for item in _as_list(items):
            if isinstance(item, Mapping):
                bid = _key(item, "bId")
                yield from find_faults(item, str(bid) if bid is not None else None, depth + 1)
        return
    fault = _key(node, "Fault")
    if isinstance(fault, Mapping):
        yield fault, batch_id
        return
    errors = _key(node, "Error")
    if errors is not None and any(_looks_like_error(e) for e in _as_list(errors)):
        yield node, batch_id  # a Fault given without its wrapper
        return
    for value in node.values():
        if isinstance(value, (Mapping, list, tuple)):
            yield from find_faults(value, batch_id, depth + 1)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Mapping):  # XML-to-JSON converters give {"#text": ...} or {"value": ...}
        for key in ("#text", "value", "_"):
            if key in value:
                return _text(value[key])
        return ""
    return str(value).strip()


def _message(error: Mapping[str, Any]) -> str:
    message, detail = _text(_key(error, "Message")), _text(_key(error, "Detail"))
    if message and detail:
        return f"{message}: {detail}"
    return message or detail


def _reports(report: ErrorReport, faults: list[Fault]) -> list[ErrorReport]:
    out: list[ErrorReport] = []
    for fault, batch_id in faults:
        fault_type = _text(_key(fault, "type"))
        for error in _as_list(_key(fault, "Error")):
            if not isinstance(error, Mapping):
                continue
            params = dict(report.params)
            element = _text(_key(error, "element"))
            if element:
                params["element"] = element
            if fault_type:
                params["fault_type"] = fault_type
            if batch_id is not None:
                params["batch_id"] = batch_id
            code = _text(_key(error, "code")) or None
            # The payload shrinks to this one error, so that classifying the part again
            # gives this one diagnosis (not one per error of the whole document).
            own: dict[str, Any] = {"Error": [dict(error)]}
            if fault_type:
                own["type"] = fault_type
            out.append(
                report.model_copy(
                    update={
                        "message": _message(error) or report.message,
                        "code": code if code is not None else report.code,
                        "params": params,
                        "payload": {"Fault": own},
                        "record": batch_id if batch_id is not None and report.record is None else report.record,
                    }
                )
            )
    return out


def _parse_text(text: str) -> Any:
    text = text.strip()
    if not text or len(text) > _MAX_TEXT:
        return None
    if text[0] in "{[":
        try:
            return loads(text)
        except (ValueError, json.JSONDecodeError):
            return None
    if text[0] == "<":
        return _parse_xml(text)
    return None


def _parse_xml(text: str) -> Any:
    """The XML Fault as the same nested mapping the JSON form gives."""
    try:
        root = ET.fromstring(text)  # expat: no external entities, bounded entity expansion
    except ET.ParseError:
        return None

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    def convert(element: ET.Element) -> Any:
        children = list(element)
        if not children:
            if element.attrib:
                return {**{local(k): v for k, v in element.attrib.items()}, "#text": (element.text or "").strip()}
            return (element.text or "").strip()
        node: dict[str, Any] = {local(k): v for k, v in element.attrib.items()}
        for child in children:
            name = local(child.tag)
            value = convert(child)
            if name in node:
                node[name] = _as_list(node[name]) + [value]
            else:
                node[name] = [value] if name in ("Error", "BatchItemResponse") else value
        return node

    return {local(root.tag): convert(root)}


def split_faults(report: ErrorReport) -> list[ErrorReport]:
    """One report per error of a Fault; ``[report]`` unchanged when there is no Fault.

    Leaving other reports untouched matters: with no vendor given, the host asks every
    plugin, and a plugin that claimed a foreign report would steal it.
    """
    try:
        document = report.payload
        if isinstance(document, (str, bytes)):
            document = _parse_text(document.decode("utf-8", "replace") if isinstance(document, bytes) else document)
        faults = list(find_faults(document)) if document is not None else []
        if not faults and report.payload is None and report.message:
            parsed = _parse_text(report.message)
            if parsed is not None:
                faults = list(find_faults(parsed))
        if not faults:
            return [report]
        return _reports(report, faults) or [report]
    except Exception:  # never raise on arbitrary input: an unreadable payload stays as given
        return [report]
