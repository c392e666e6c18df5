"""RE2 for rule packs: linear-time patterns, checked when a pack loads, called fast."""

from __future__ import annotations

import logging
import re
from typing import Any

import re2
from re2 import _re2

__all__ = ["CompileError", "RE2Pattern", "compile_regex", "encode"]


class CompileError(ValueError):
    """A condition or pattern cannot be compiled; the message says which part and why."""


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False


_NEVER = re2.compile("[^\\x00-\\x{10FFFF}]", options=_RE2_OPTIONS)  # matches nothing
log = logging.getLogger("syncdoctor")

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

    A pattern whose syntax :func:`compile_regex` checked is compiled on first use: compiling
    the shipped packs' ~200 patterns was ~15 ms of every command's start-up, and a one-shot
    command uses one or two of them.
    """

    __slots__ = ("pattern", "_re", "_names", "has_groups")

    def __init__(self, pattern: str, compiled: Any | None) -> None:
        self.pattern = pattern
        self._re: Any = None
        self._names: list[tuple[str, int]] = []
        if compiled is not None:
            self._take(compiled)
        else:  # a named group opens with "(?P<" or "(?<" (look-behind is refused): a false hit only finds none
            self.has_groups = "(?P<" in pattern or "(?<" in pattern

    def _take(self, compiled: Any) -> Any:
        regexp = compiled._regexp
        self._names = [(name.decode(), index) for name, index in regexp.NamedCapturingGroups()]
        self.has_groups = bool(self._names)
        self._re = regexp  # last: a thread that sees it compiled also sees its group names
        return regexp

    def _compile(self) -> Any:
        # two threads may both compile: the same result. A pattern checked at load that RE2
        # cannot compile (too large, which only compiling tells) never matches, said once
        try:
            return self._take(_compile(self.pattern))
        except CompileError as exc:
            log.error("%s; the rule using it never matches", exc)
            self._take(_NEVER)
            return self._re

    def search(self, text: str) -> bool:
        data = encode(text)
        return (self._re or self._compile()).Match(_UNANCHORED, data, 0, len(data))[0] != _NO_MATCH

    def groups(self, data: bytes) -> dict[str, str] | None:
        """Named groups of the first match in UTF-8 ``data``, or None when it does not match."""
        spans = (self._re or self._compile()).Match(_UNANCHORED, data, 0, len(data))
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


def _compile(pattern: str) -> Any:
    """The pattern compiled by RE2, or :class:`CompileError` saying why RE2 refuses it."""
    try:
        return re2.compile(pattern, options=_RE2_OPTIONS)
    except Exception as exc:  # re2 raises its own error type, not re.error
        reason = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise CompileError(
            f"pattern {_shown(pattern)} is not valid RE2 syntax ({_shown(reason, 200, quote=False)}); rule packs may "
            "only use linear-time "
            "RE2 regular expressions: no backreferences, look-around or possessive quantifiers"
        ) from None


_CHECK_ONLY_UP_TO = 1000
"""Longer patterns are compiled at once: only compiling tells whether one is too large."""

_COUNTED = re.compile(r"\{(\d+)(?:,(\d*))?\}")


def _small(pattern: str) -> bool:
    """Whether the pattern's program stays small whatever its counted repetitions: RE2 writes
    ``x{n}`` as n copies, so nested counts multiply (``(\\d{100}){100}`` is 10,000 copies)."""
    if len(pattern) > _CHECK_ONLY_UP_TO:
        return False
    copies = 1
    for low, high in _COUNTED.findall(pattern):
        copies *= max(int(low), int(high or 0), 1)
        # [\p{L}\p{N}]{1000} parses, then is too large to compile; Unicode classes are large
        if copies > (10 if "\\p" in pattern or "\\P" in pattern else 100):
            return False
    return True


def compile_regex(pattern: str) -> RE2Pattern:
    """An RE2 pattern, checked now, or :class:`CompileError` saying why RE2 refuses it.

    Checking is parsing (adding it to an RE2 set, ~15 us); compiling waits for the first match
    (~80 us each). A long pattern or large counted repetitions (``x{1000}``) are compiled now,
    since only compiling tells whether such a program fits RE2's memory budget.
    """
    if not _small(pattern):
        return RE2Pattern(pattern, _compile(pattern))
    try:
        re2.Set.SearchSet(_RE2_OPTIONS).Add(pattern)
    except Exception:  # noqa: BLE001 - the set only says "failed": compiling says why
        return RE2Pattern(pattern, _compile(pattern))
    return RE2Pattern(pattern, None)
