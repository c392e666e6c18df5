"""Credentials never reach the ledger: reports are redacted, then capped, before they are stored.

A rejection's payload is whatever the vendor or the host sent: it may echo an Authorization
header, an OAuth token, a client secret, a password, a session cookie, or a URL with
``user:password@``. Two passes:

- **by name**, in data: the value under a key that names a credential is replaced, at any depth.
  Names are compared lowercased with separators removed, so ``api-key``, ``api_key``, ``apiKey``
  and ``X-Api-Key`` are one name; header lists (``[["Cookie", "…"]]``, ``[{"name": "Cookie",
  "value": "…"}]``) count as keys too.
- **by name, in text**, where the same names are followed by their value: JSON or Python text
  (``"password": "…"``, ``'token': '…'``, escaped ``\\"secret\\": \\"…\\"``, ``=>``), headers
  (``X-Api-Key: …``, ``Authorization: <any scheme> <credentials>``, ``Cookie: a=…; b=…``),
  query strings and forms (``?api-key=…&access_token=…``) and XML (``<password>…</password>``);
  besides, ``Bearer …``/``Basic …`` anywhere and URL userinfo.

Only the value goes: the name, an Authorization scheme and the text around stay readable. The
result is then cut to a size (``report_bytes``): a huge payload keeps its head and says it was
truncated.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["REDACTED", "cap_report", "redact", "redact_diagnosis", "secret_name"]

REDACTED = "[redacted]"

# compared with the name lowercased and stripped of everything but letters and digits
_SECRET_PARTS = ("password", "passwd", "passphrase", "secret", "token", "apikey", "accesskey", "privatekey",
                 "signingkey", "subscriptionkey", "authkey", "credential", "authorization", "cookie", "session",
                 "sessid", "jwt", "signature", "bearer")
_SECRET_NAMES = frozenset({"pwd", "pass", "auth", "xauth", "sid", "otp"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
# the schemes an Authorization value may start with, kept readable before its credentials
_SCHEMES = frozenset({"basic", "bearer", "digest", "token", "negotiate", "ntlm", "hoba", "mutual", "oauth", "dpop",
                      "apikey", "key", "hmac", "aws4-hmac-sha256", "sharedkey", "jwt", "gssapi", "scram-sha-256"})


def secret_name(name: str) -> bool:
    """Whether a key, a header or a parameter called ``name`` holds a credential."""
    key = _NOT_ALNUM.sub("", name.lower())
    return key in _SECRET_NAMES or key.startswith("xauth") or any(part in key for part in _SECRET_PARTS)


# one cheap search first: most strings hold no credential name and skip the scan; every name
# secret_name accepts, written with or without separators, contains one of these
_MAYBE = re.compile(r"(?i)pass|pwd|secret|token|key|auth|cookie|sess|sid|jwt|credential|signature|bearer|basic|"
                    r"otp|://")
# a name then its separator: password=, "password": , 'token' => , \"secret\": , X-Api-Key:
_NAMED = re.compile(r"""(?P<q>\\*["']?)(?<![\w.-])(?P<name>[A-Za-z_][\w.-]*)(?P=q)[ \t]*(?:=>|[:=])[ \t]*""")
_QUOTED = re.compile(r"""(?P<open>\\*["'])(?P<body>[^\n]{0,4096}?)(?<!\\)(?P=open)""")
_TOKEN = r"""[^\s&"',;<>()\[\]{}][^\s&"',;<>)\]}]*"""  # not "{": a nested object's own keys are scanned
_OPEN = re.compile(r"""\\*["']""")  # a quote left open
_KNOWN_SCHEME = "|".join(sorted(map(re.escape, _SCHEMES), key=len, reverse=True))
_PLAIN = re.compile(rf"(?:(?P<scheme>(?i:{_KNOWN_SCHEME}))[ \t]+)?(?P<cred>{_TOKEN})")
_PARAM = r"""[\w-]+=(?:"[^"\n]*"|[^\s,"]*)"""  # Digest and the like: username="bob", response="…"
_AUTHORIZATION = re.compile(rf"(?:(?P<scheme>[A-Za-z][\w-]*)[ \t]+(?=\S))?"
                            rf"(?P<cred>{_PARAM}(?:[ \t]*,[ \t]*{_PARAM})*|{_TOKEN})")
_COOKIES = re.compile(r"""[^\s;,"'&]+(?:[ \t]*;[ \t]*[^\s;,"'&]+)*""")
_XML = re.compile(r"<(?P<tag>(?:[\w.-]+:)?(?P<local>[\w.-]+))(?:\s[^<>]*)?>(?P<body>[^<]{1,4096})</(?P=tag)>")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@")
_NO_VALUE = frozenset({"", REDACTED, "null", "None", "true", "false", "True", "False"})
_DONE = re.compile(rf"(?:(?i:{_KNOWN_SCHEME})[ \t]+)?{re.escape(REDACTED)}")  # redacted already


def _value(text: str, start: int, name: str) -> tuple[int, str] | None:
    """Where the value after a credential's name ends, and what replaces it (None: no value)."""
    quoted = _QUOTED.match(text, start)
    if quoted is not None:
        if quoted.group("body") in _NO_VALUE:
            return None
        return quoted.end(), quoted.group("open") + REDACTED + quoted.group("open")
    opened = _OPEN.match(text, start)  # "abc… never closed (or cut): the value still goes
    at = start if opened is None else opened.end()
    if _DONE.match(text, at):
        return None
    key = _NOT_ALNUM.sub("", name.lower())
    if "cookie" in key:
        found = _COOKIES.match(text, at)
        return None if found is None or found.group(0) in _NO_VALUE else (found.end(), REDACTED)
    found = (_AUTHORIZATION if "authorization" in key else _PLAIN).match(text, at)
    if found is None or found.group("cred") in _NO_VALUE:
        return None
    scheme = found.group("scheme")
    if scheme is not None and scheme.lower() in _SCHEMES:
        return found.end(), f"{scheme} {REDACTED}"
    # no scheme, or a word that is none (Authorization: <scheme> <credentials>): all of it goes
    return found.end(), REDACTED


def _redact_names(text: str) -> str:
    out: list[str] = []
    done = 0
    for named in _NAMED.finditer(text):
        if named.start() < done or not secret_name(named.group("name")):
            continue
        value = _value(text, named.end(), named.group("name"))
        if value is not None:
            end, replacement = value
            out += [text[done:named.end()], replacement]
            done = end
    return "".join(out) + text[done:] if out else text


def _redact_xml(found: re.Match[str]) -> str:
    if not secret_name(found.group("local")) or found.group("body").strip() in ("", REDACTED):
        return found.group(0)
    return found.group(0)[: found.start("body") - found.start()] + REDACTED + f"</{found.group('tag')}>"


def _redact_text(text: str) -> str:
    if not _MAYBE.search(text):
        return text
    text = _redact_names(text)
    if "<" in text:
        text = _XML.sub(_redact_xml, text)
    text = _BEARER.sub(r"\1 " + REDACTED, text)
    return _USERINFO.sub(r"\1" + REDACTED + "@", text)


def _header_pair(value: list[Any] | tuple[Any, ...]) -> bool:
    """``["Authorization", "Bearer …"]``: a header written as a pair."""
    return len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], str) and secret_name(value[0])


def _hidden(key: Any, value: Any) -> bool:
    return (isinstance(key, str) and secret_name(key) and value not in (None, "")
            and not isinstance(value, bool) and value != REDACTED)


def redact(value: Any, _depth: int = 0) -> Any:
    """A copy of ``value`` with every credential replaced by ``[redacted]``."""
    if _depth > 50:
        return REDACTED  # nested past reason: drop rather than risk what it holds
    if isinstance(value, dict):
        out = {k: REDACTED if _hidden(k, v) else redact(v, _depth + 1) for k, v in value.items()}
        # {"name": "Cookie", "value": "…"}: a header (or a parameter) written as an object
        label = next((value[k] for k in ("name", "key", "header") if isinstance(value.get(k), str)), None)
        if label is not None and "value" in out and _hidden(label, value["value"]):
            out["value"] = REDACTED
        return out
    if isinstance(value, list | tuple):
        if _header_pair(value):
            return [value[0], REDACTED]
        return [redact(v, _depth + 1) for v in value]
    if isinstance(value, str):
        return _redact_text(value)
    return value


def redact_diagnosis(diagnosis: dict[str, Any]) -> dict[str, Any]:
    """A diagnosis with credentials redacted. Its texts are the packs' templates filled with its
    params, so when the params hold no credential neither do the texts: the whole diagnosis is
    scanned only when the params had something to redact (a fast path for the intake)."""
    params = diagnosis.get("params") or {}
    if redact(params) == params:
        return diagnosis
    return dict(redact(diagnosis))


def cap_report(report: dict[str, Any], limit: int) -> tuple[dict[str, Any], bool]:
    """The redacted report, cut to about ``limit`` bytes of JSON; and whether it was cut.

    The message is kept whole up to the limit; a payload too big is replaced by the head of
    its JSON text, so what is stored is still the vendor's words, only fewer of them.
    """
    clean = redact(report)
    text = json.dumps(clean, ensure_ascii=False, default=str)
    if len(text.encode()) <= limit:
        return clean, False
    out = dict(clean)
    payload = out.pop("payload", None)
    message = out.get("message")
    if isinstance(message, str) and len(message.encode()) > limit // 2:
        out["message"] = message.encode()[: limit // 2].decode(errors="ignore") + "…"
    if payload is not None:
        room = max(0, limit - len(json.dumps(out, ensure_ascii=False, default=str).encode()) - 64)
        head = json.dumps(payload, ensure_ascii=False, default=str).encode()[:room].decode(errors="ignore")
        out["payload_head"] = head
    return out, True
