"""Hypothesis strategies for error reports: what vendors answer, and what they should not.

Reports are generated as the JSON a host receives (``{"vendor", "message", "http_status",
"code", "payload"}``) so that they go through the same parsing as ``classify --input``:

* :func:`vendor_messages` takes the messages of the loaded packs' own examples and varies
  the values inside them (numbers, quoted names, codes), so fuzzing stays close to what the
  rules were written for;
* :func:`fault_payloads` builds QuickBooks-like ``Fault`` bodies (several errors, padded
  codes, lower-case keys, batch wrappers, HTTP 200 with a Fault);
* :func:`adversarial_text` is what nobody should send and someone will: huge strings,
  control characters, lone surrogates (not encodable as UTF-8), bidi overrides, text that
  looks like format strings, regexes, JSON or XML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from ._entities import money

if TYPE_CHECKING:
    from syncdoctor import Host

__all__ = [
    "adversarial_text",
    "error_reports",
    "example_reports",
    "fault_payloads",
    "fault_reports",
    "non_utf8_text",
    "vendor_messages",
]

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"

# Realistic QuickBooks errors (vendor fact sheet, section 2.3): code, Message, Detail, element.
_QBO_ERRORS: tuple[tuple[str, str, str, str], ...] = (
    ("6140", "Duplicate Document Number Error",
     "Duplicate Document Number Error : You must specify a different number. This number has already been used. "
     "DocNumber={n} is assigned to TxnType=Journal Entry with TxnId={m}", ""),
    ("6240", "Duplicate Name Exists Error",
     "The name supplied already exists. : Another customer is already using this name. Please use a different name.", ""),
    ("2050", "String length is either shorter or longer than supported by specification",
     "String length specified does not match the supported length. Min:0 Max:21 supported. Supplied length:{n}",
     "DocNumber"),
    ("2020", "Required param missing, need to supply the required value for the API",
     "Required parameter {element} is missing in the request", "{element}"),
    ("6000", "A business validation error has occurred while processing your request",
     "Business Validation Error: You cannot enter more than 21 characters in the doc_num field", ""),
    ("610", "Object Not Found",
     "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts.", ""),
    ("2500", "Invalid Reference Id",
     "Invalid Reference Id : Something you're trying to use has been made inactive. Check the fields with accounts, "
     "customers, items, vendors or employees.", ""),
    ("6210", "Account Period Closed",
     "The account period has closed and the account books cannot be updated through the QBO Services API. "
     "Please use the QBO website to make these changes.", ""),
    ("3200", "message=AuthenticationFailed; errorCode=003200; statusCode=401", "Token expired: {m}", ""),
    ("3001", "message=ThrottleExceeded; errorCode=003001; statusCode=429", "The request limit was reached.", ""),
    ("5010", "Stale Object Error", "Stale Object Error : You and {name} were working on this at the same time.", ""),
    ("6430", "Invalid account type used", "Invalid account type: {name}", ""),
    ("10000", "An application error has occurred while processing your request", "System Failure Error: {m}", ""),
)
_FAULT_TYPES = ("ValidationFault", "SystemFault", "AuthenticationFault", "AUTHENTICATION", "AuthorizationFault", "SERVICE")
_ELEMENTS = ("AccountRef", "Line", "PaymentType", "DisplayName", "CustomerRef", "DocNumber", "")

# ---------------------------------------------------------------- adversarial text

_NASTY = (
    "\x00", "\x07", "\x1b[31m", "\r\n", "\t", "\x7f", "\u0085", "\u2028", "\u202e", "\u200b", "\ufeff", "\ufffd",
    "e\u0301", "\U0001f4b8", "{0}", "{code}", "{__class__}", "%s%n", "${jndi:x}", "(a+)+$", ".*", "\\", "\\x00",
    '{"Fault":', "<Fault type=\"x\">", "]]>", "'; DROP TABLE x;--", "null", "NaN", "-0", "1e999999",
)


def _lone_surrogates() -> st.SearchStrategy[str]:
    """Strings holding code points U+D800..U+DFFF alone: Python accepts them, UTF-8 cannot."""
    one = st.integers(0xD800, 0xDFFF).map(chr)
    return st.lists(st.one_of(one, st.sampled_from(["a", " ", "é", "1"])), min_size=1, max_size=8).map("".join)


def non_utf8_text() -> st.SearchStrategy[str]:
    """Text holding at least one lone surrogate, so that it cannot be encoded as UTF-8."""
    surrogate = st.integers(0xD800, 0xDFFF).map(chr)
    around = adversarial_text(surrogates=False, huge=False)
    return st.builds(lambda a, s, b: a + s + b, around, surrogate, st.one_of(st.just(""), around))


def _huge(seed: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    # built by repetition: generating 100k characters one by one would be slow
    return st.builds(lambda s, n: (s or "x") * n, seed, st.integers(2_000, 60_000))


def adversarial_text(*, surrogates: bool = True, huge: bool = True) -> st.SearchStrategy[str]:
    """Text a classifier or validator must survive (and answer, not raise, for).

    ``surrogates=False`` leaves out lone surrogates; ``huge=False`` leaves out strings of
    tens of thousands of characters.
    """
    parts: list[st.SearchStrategy[str]] = [
        st.sampled_from(_NASTY),
        st.text(st.characters(categories=["Cc"]), min_size=1, max_size=20),
        st.text(st.characters(codec="utf-8"), max_size=60),
        st.lists(st.sampled_from(_NASTY), min_size=2, max_size=6).map("".join),
        st.just(""),
    ]
    if surrogates:
        parts.append(_lone_surrogates())
    if huge:
        parts.append(_huge(st.one_of(st.sampled_from(_NASTY), st.text(max_size=5))))
    return st.one_of(parts)


def _mixed(text: st.SearchStrategy[str], *, surrogates: bool) -> st.SearchStrategy[str]:
    """A realistic message with something adversarial inserted somewhere."""
    nasty = adversarial_text(surrogates=surrogates, huge=False)
    return st.builds(lambda t, n, at: t[: at % (len(t) + 1)] + n + t[at % (len(t) + 1):], text, nasty,
                     st.integers(0, 500))


# ---------------------------------------------------------------- values inside messages

_TOKEN = re.compile(r"(?P<num>\d+(?:[.,]\d+)?)|(?P<quoted>'[^'\n]{0,60}'|\"[^\"\n]{0,60}\")|(?P<code>\b[A-Z][A-Z0-9_]{2,}\b)")


@st.composite
def _vary_value(draw: st.DrawFn, token: str, kind: str) -> str:
    """A value of the same shape as ``token``: digits for digits, a code for a code."""
    if kind == "num":
        sep = "." if "." in token else ("," if "," in token else "")
        if sep:
            whole, _, frac = token.partition(sep)
            new_whole = draw(st.text(_DIGITS, min_size=1, max_size=len(whole) + 1))
            return new_whole + sep + draw(st.text(_DIGITS, min_size=len(frac), max_size=len(frac)))
        return draw(st.text(_DIGITS, min_size=max(1, len(token) - 1), max_size=len(token) + 1))
    if kind == "quoted":
        quote = token[0]
        inner = draw(st.one_of(st.text(_UPPER + _DIGITS, max_size=12), st.sampled_from(["", "OUTPUT2", "Jean-Noël", "4000"])))
        return quote + inner + quote
    return draw(st.text(_UPPER, min_size=1, max_size=1)) + draw(st.text(_UPPER + _DIGITS, min_size=len(token) - 1,
                                                                      max_size=len(token) + 2))


@st.composite
def _perturb(draw: st.DrawFn, message: str) -> str:
    """Replace some of the values in a message with others of the same shape."""
    out: list[str] = []
    last = 0
    for m in _TOKEN.finditer(message):
        out.append(message[last: m.start()])
        kind = m.lastgroup or "code"
        out.append(draw(_vary_value(m.group(0), kind)) if draw(st.booleans()) else m.group(0))
        last = m.end()
    out.append(message[last:])
    text = "".join(out)
    framing = draw(st.sampled_from(["{}", "{}", "Error: {}", "{}\n", "  {}  ", "{} (trace_id=8f2c1a)"]))
    return framing.format(text)


def _perturb_json(value: Any) -> st.SearchStrategy[Any]:
    if isinstance(value, str):
        return _perturb(value)
    if isinstance(value, list):
        return st.tuples(*[_perturb_json(v) for v in value]).map(list) if value else st.just([])
    if isinstance(value, dict):
        return st.fixed_dictionaries({k: _perturb_json(v) for k, v in value.items()})
    return st.just(value)


def _codes_like(code: str | None) -> st.SearchStrategy[str | None]:
    """The same vendor code as sent in the wild: zero-padded, as is, or absent."""
    if code is None:
        return st.just(None)
    variants = [code, code.strip()]
    if code.isdigit():
        variants.append(code.zfill(6))
    return st.sampled_from(variants)


def example_reports(host: Host, plugin: str | None = None) -> list[dict[str, Any]]:
    """The ``match`` and ``no_match`` examples of the loaded packs, as report documents."""
    out: list[dict[str, Any]] = []
    for cp in host.catalog.problems.values():
        if cp.plugin == "core" or (plugin is not None and cp.plugin != plugin):
            continue
        for example in [*cp.problem.examples.match, *cp.problem.examples.no_match]:
            if isinstance(example, str):
                out.append({"vendor": cp.plugin, "message": example})
            else:
                out.append({"vendor": example.vendor or cp.plugin, "message": example.message, "code": example.code,
                            "http_status": example.http_status, "payload": example.payload})
    return out


def vendor_messages(host: Host, plugin: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Realistic reports: the packs' own example messages with their values varied."""
    examples = example_reports(host, plugin)
    if not examples:
        return st.nothing()

    def varied(doc: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
        return st.fixed_dictionaries({
            "vendor": st.just(doc["vendor"]),
            "message": _perturb(doc["message"]),
            "code": _codes_like(doc.get("code")),
            "http_status": st.just(doc.get("http_status")),
            "payload": _perturb_json(doc.get("payload")),
        })

    return st.sampled_from(examples).flatmap(varied)


# ---------------------------------------------------------------- QuickBooks-like faults


@st.composite
def _qbo_error(draw: st.DrawFn) -> dict[str, Any]:
    code, message, detail, element = draw(st.sampled_from(_QBO_ERRORS))
    values = {
        "n": draw(st.integers(1, 10**9)),
        "m": draw(st.integers(1, 10**6)),
        "element": draw(st.sampled_from(_ELEMENTS[:-1])),
        "name": draw(st.sampled_from(["Jean Dupont", "Acme:Paris", "Expense", "O'Brien"])),
    }
    error: dict[str, Any] = {
        "Message": message,
        "Detail": detail.format(**values),
        "code": draw(_codes_like(code)),
    }
    if draw(st.booleans()):
        error["element"] = element.format(**values)
    return error


@st.composite
def fault_payloads(draw: st.DrawFn) -> dict[str, Any]:
    """QuickBooks-like ``{"Fault": {"Error": [...], "type": ...}}`` bodies, in their variants."""
    errors = draw(st.lists(_qbo_error(), min_size=1, max_size=3))
    fault: dict[str, Any] = {"Error": errors, "type": draw(st.sampled_from(_FAULT_TYPES))}
    body: dict[str, Any] = {"Fault": fault, "time": "2026-03-26T09:17:31.892-07:00"}
    shape = draw(st.sampled_from(["plain", "plain", "lower", "batch"]))
    if shape == "lower":  # SDK-serialised responses
        body = {"fault": {"error": [{k.lower(): v for k, v in e.items()} for e in errors], "type": fault["type"]}}
    elif shape == "batch":
        body = {"BatchItemResponse": [{"bId": str(i), "Fault": fault} for i in range(draw(st.integers(1, 2)))]}
    return body


def fault_reports(vendor: str | None = "quickbooks") -> st.SearchStrategy[dict[str, Any]]:
    """Reports carrying a Fault payload, with or without a message, with HTTP 200 too."""
    return st.builds(
        lambda payload, status, with_message: {
            "vendor": vendor,
            "message": _first_message(payload) if with_message else "",
            "http_status": status,
            "payload": payload,
        },
        fault_payloads(), st.sampled_from([200, 400, 401, 403, 429, 500, 503, None]), st.booleans(),
    )


def _first_message(payload: dict[str, Any]) -> str:
    fault = payload.get("Fault") or payload.get("fault") or (payload.get("BatchItemResponse") or [{}])[0].get("Fault", {})
    errors = fault.get("Error") or fault.get("error") or [{}]
    first = errors[0]
    return str(first.get("Detail") or first.get("detail") or first.get("Message") or first.get("message") or "")


# ---------------------------------------------------------------- everything together


def _garbage_payloads(surrogates: bool) -> st.SearchStrategy[Any]:
    leaf = st.one_of(st.none(), st.booleans(), st.integers(), money("-10", "10"),
                     adversarial_text(surrogates=surrogates, huge=False))
    return st.recursive(leaf, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.sampled_from(["Fault", "Error", "errors", "code",
                                                                                       "message", "detail", "x"]),
                                                                      inner, max_size=3)),
                        max_leaves=10)


def error_reports(host: Host | None = None, plugin: str | None = None, *, surrogates: bool = True,
                  vendors: Sequence[str | None] | None = None) -> st.SearchStrategy[Any]:
    """Everything ``classify`` may be given: realistic messages (from ``host``'s packs),
    Fault payloads, adversarial text and malformed report documents."""
    names: list[str | None] = list(vendors) if vendors is not None else [plugin, None, "unknown_vendor"]
    vendor = st.sampled_from(names)
    realistic = vendor_messages(host, plugin) if host is not None else st.nothing()
    adversarial = st.fixed_dictionaries({
        "vendor": vendor,
        "message": st.one_of(adversarial_text(surrogates=surrogates), _mixed(realistic.map(lambda d: d["message"]),
                                                                              surrogates=surrogates)
                             if host is not None else st.nothing()),
        "code": st.one_of(st.none(), st.sampled_from(["6140", "006140", "ERROR_DATA_VALIDATION", "", " ", "0"]),
                          st.text(max_size=10)),
        "http_status": st.one_of(st.none(), st.integers(100, 599), st.integers(-1, 10**6)),
        "payload": _garbage_payloads(surrogates),
    })
    malformed = st.one_of(
        st.fixed_dictionaries({"message": st.integers(), "vendor": vendor}),
        st.fixed_dictionaries({"message": st.just("x"), "http_status": st.sampled_from(["abc", "4.5", []])}),
        st.fixed_dictionaries({"message": st.just("x"), "unknown_field": st.just(1)}),
        st.sampled_from([None, 42, [], ["message"]]),
    )
    return st.one_of(realistic, realistic, fault_reports(plugin or "quickbooks"), adversarial, malformed,
                     adversarial_text(surrogates=surrogates, huge=False))
