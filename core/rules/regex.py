"""RE2 for rule packs: linear-time patterns, checked when a pack loads, called fast."""

from __future__ import annotations

from typing import Any

import re2
from re2 import _re2

__all__ = ["CompileError", "RE2Pattern", "compile_regex", "encode"]


class CompileError(ValueError):
    """A condition or pattern cannot be compiled; the message says which part and why."""


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False


_UNANCHORED = _re2.RE2.Anchor.UNANCHORED
_NO_MATCH = (-1, -1)


def encode(text: str) -> bytes:
    """UTF-8 for RE2; lone surrogates (possible in JSON input) pass through instead of raising."""
    return text.encode("utf-8", "surrogatepass")


class RE2Pattern:
    """A compiled RE2 pattern called through its C++ binding directly.

    The Python wrapper of google-re2 maps byte offsets back to characters on every match,
    which costs ~6 µs; rule evaluation and classification only need "does it match" and the
    named groups, which we slice from the UTF-8 bytes ourselves (~1 µs).
    """

    __slots__ = ("pattern", "_re", "_names", "has_groups")

    def __init__(self, pattern: str, compiled: Any) -> None:
        self.pattern = pattern
        self._re = compiled._regexp
        self._names = [(name.decode(), index) for name, index in self._re.NamedCapturingGroups()]
        self.has_groups = bool(self._names)

    def search(self, text: str) -> bool:
        data = encode(text)
        return self._re.Match(_UNANCHORED, data, 0, len(data))[0] != _NO_MATCH

    def groups(self, data: bytes) -> dict[str, str] | None:
        """Named groups of the first match in UTF-8 ``data``, or None when it does not match."""
        spans = self._re.Match(_UNANCHORED, data, 0, len(data))
        if spans[0] == _NO_MATCH:
            return None
        out = {}
        for name, index in self._names:
            start, end = spans[index]
            if start != -1:
                out[name] = data[start:end].decode("utf-8", "surrogatepass")
        return out


def _shown(text: str, limit: int = 120, quote: bool = True) -> str:
    """A pattern as an error shows it: its start, and its length when it is long (a 5 MB
    pattern echoed whole would bury the message, and every log line that carries it)."""
    head = text[:limit]
    shown = repr(head) if quote else head
    return shown + (f"… ({len(text)} characters)" if len(text) > limit else "")


def compile_regex(pattern: str) -> RE2Pattern:
    """Compile an RE2 pattern or raise :class:`CompileError` saying why RE2 refuses it."""
    try:
        compiled = re2.compile(pattern, options=_RE2_OPTIONS)
    except Exception as exc:  # re2 raises its own error type, not re.error
        reason = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise CompileError(
            f"pattern {_shown(pattern)} is not valid RE2 syntax ({_shown(reason, 200, quote=False)}); rule packs may "
            "only use linear-time "
            "RE2 regular expressions: no backreferences, look-around or possessive quantifiers"
        ) from None
    return RE2Pattern(pattern, compiled)
