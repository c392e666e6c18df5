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

import functools
import json
import re
from collections.abc import Callable
from typing import Any

__all__ = ["REDACTED", "cap_report", "redact", "redact_diagnosis", "secret_name"]

REDACTED = "[redacted]"

# A name holds a credential by its words (split at separators and camelCase): its last word is
# one of _SECRET_LAST or ends with one of _SECRET_ENDS (access_token, X-Amz-Signature, Set-Cookie,
# PHPSESSID), or it is "<kind> key" /
# "session id" (X-Api-Key, aws_secret_access_key, sessionId), or it is one of _SECRET_WHOLE.
# Words, not substrings: session_date, token_count, authorization_code, AuthorizationFailure,
# secretary and cookie_policy are ordinary names.
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_SECRET_LAST = frozenset({"pwd", "jwt", "cookies", "sig", "sid", "bearer", "otp"})
# ... or ends with one of these (PHPSESSID, accesstoken, APIKEY: one word)
_SECRET_ENDS = ("password", "passwd", "passphrase", "secret", "token", "cookie", "credential", "credentials",
                "signature", "sessid", "sessionid", "apikey")
_KEY_KINDS = frozenset({"api", "access", "secret", "private", "signing", "subscription", "auth", "encryption",
                        "client", "master", "session"})
_SECRET_WHOLE = frozenset({"auth", "xauth", "authorization", "proxyauthorization", "session", "pass", "secretkey",
                           "privatekey", "accesskey", "signingkey", "subscriptionkey", "authkey"})
# weak names, which ordinary text also uses ("Cash session: 2024-05-01"): a date or a number after
# them is not a credential
_WEAK = frozenset({"session", "sid", "auth", "pass"})
_DATE_OR_NUMBER = re.compile(r"[0-9][0-9\-/:.T+Z]*")
# the schemes an Authorization value may start with, kept readable before its credentials
_SCHEMES = frozenset({"basic", "bearer", "digest", "token", "negotiate", "ntlm", "hoba", "mutual", "oauth", "dpop",
                      "apikey", "key", "hmac", "aws4-hmac-sha256", "sharedkey", "jwt", "gssapi", "scram-sha-256"})


def _words(name: str) -> list[str]:
    return [w.lower() for w in _WORDS.findall(name)]


@functools.lru_cache(maxsize=4096)  # a report's key names repeat from one event to the next
def secret_name(name: str) -> bool:
    """Whether a key, a header or a parameter called ``name`` holds a credential."""
    words = _words(name)
    if not words:
        return False
    last = words[-1]
    return (last in _SECRET_LAST or last.endswith(_SECRET_ENDS) or "".join(words) in _SECRET_WHOLE
            or (len(words) > 1 and ((last == "key" and words[-2] in _KEY_KINDS)
                                    or (last == "id" and words[-2] == "session"))))


# one cheap search first: most strings hold no credential name and skip the scan; every name
# secret_name accepts, written with or without separators, contains one of these
_MAYBE = re.compile(r"(?i)pass|pwd|secret|token|key|auth|cookie|sess|sid|jwt|credential|signature|bearer|basic|"
                    r"otp|://")
# a name then its separator: password=, "password": , 'token' => , \"secret\": , X-Api-Key:
# (?<!\\): a run of backslashes is tried from its start only (each start scanned the run: quadratic)
_NAMED = re.compile(r"""(?<!\\)(?P<q>\\*["']?)(?<![\w.-])(?P<name>[A-Za-z_][\w.-]*)(?P=q)[ \t]*(?:=>|[:=])[ \t]*""")
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
# a scheme tried from the start of its run only (each letter of "a.a.a…" was a start: quadratic);
# the password may hold "@": the userinfo ends at the last "@" before the path
_USERINFO = re.compile(r"(?i)(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s]+@")
_PEM = re.compile(r"-----BEGIN ([A-Z ]{0,40})PRIVATE KEY-----.{0,20000}?(?:-----END \1PRIVATE KEY-----|$)", re.S)
_SPACED = re.compile(r"(?i)\b((?:api|access|secret|private) (?:key|token)[ \t]*[:=][ \t]*)([^\s\"',;]+)")
_CURL_USER = re.compile(r"(?<!\S)(-u|--user)([ =])[^\s:]+:\S+")
_QUERY_KEY = re.compile(r"([?&](?:key|sig)=)[^&\s#\"'<>]+")
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
    key = "".join(_words(name))
    if "cookie" in key:
        found = _COOKIES.match(text, at)
        return None if found is None or found.group(0) in _NO_VALUE else (found.end(), REDACTED)
    found = (_AUTHORIZATION if "authorization" in key else _PLAIN).match(text, at)
    if found is None or found.group("cred") in _NO_VALUE:
        return None
    if key in _WEAK and _DATE_OR_NUMBER.fullmatch(found.group("cred")):
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
    if "PRIVATE KEY-----" in text:  # the whole block, before its name's pass takes only its first word
        text = _PEM.sub(lambda m: f"-----BEGIN {m[1]}PRIVATE KEY-----{REDACTED}-----END {m[1]}PRIVATE KEY-----", text)
    text = _redact_names(text)
    if "<" in text:
        text = _XML.sub(_redact_xml, text)
    text = _BEARER.sub(r"\1 " + REDACTED, text)
    text = _SPACED.sub(r"\1" + REDACTED, text)
    text = _CURL_USER.sub(r"\1\2" + REDACTED, text)
    text = _QUERY_KEY.sub(r"\1" + REDACTED, text)
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
        # {"Name": "X-Api-Key", "Value": "…"} as AWS and .NET write it: the keys in any case
        keys = {k.lower(): k for k in value if isinstance(k, str)}
        label = next((value[keys[k]] for k in ("name", "key", "header") if isinstance(value.get(keys.get(k)), str)),
                     None)
        given = keys.get("value")
        if label is not None and given is not None and _hidden(label, value[given]):
            out[given] = REDACTED
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
    # a secret param's value, written into a title, cause or step by its template, goes too
    values = sorted({str(v) for k, v in params.items() if isinstance(k, str) and secret_name(k)
                     and isinstance(v, str | int) and not isinstance(v, bool) and len(str(v)) >= 4}, key=len, reverse=True)
    return dict(_texts_mapped(redact(diagnosis), _without(values)))


def _texts_mapped(value: Any, change: Callable[[str], str], depth: int = 0) -> Any:
    """``value`` with ``change`` applied to each text in it, at any depth up to where
    :func:`redact` drops a value whole."""
    if isinstance(value, str):
        return change(value)
    if depth > 50:
        return value
    if isinstance(value, dict):
        return {k: _texts_mapped(v, change, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_texts_mapped(v, change, depth + 1) for v in value]
    return value


def _without(secrets: list[str]) -> Callable[[str], str]:
    def change(text: str) -> str:
        for secret in secrets:
            text = text.replace(secret, REDACTED)
        return text
    return change


def _cut(limit: int) -> Callable[[str], str]:
    # what is past the cap is not stored, so the scans need not read it (64 MB cut before, not after)
    return lambda text: text[:limit] + "…" if len(text) > limit else text


def cap_report(report: dict[str, Any], limit: int) -> tuple[dict[str, Any], bool]:
    """The redacted report, cut to about ``limit`` bytes of JSON; and whether it was cut.

    The message is kept whole up to the limit; a payload too big is replaced by the head of
    its JSON text, so what is stored is still the vendor's words, only fewer of them.
    """
    clean = redact(_texts_mapped(report, _cut(limit)))
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
