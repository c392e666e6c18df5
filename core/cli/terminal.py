"""What the command line does with a terminal: colour, width, tables and progress.

Two audiences: a person at a terminal (tables that fit its width, colour, a progress bar)
and a pipeline (plain, stable lines that are never wrapped or cut). The layout follows
whether stdout is a terminal; colour follows ``--color`` first, then ``NO_COLOR`` and
``FORCE_COLOR`` (https://no-color.org, https://force-color.org), then the terminal.
``rich`` is imported only when a terminal or colour needs it (start-up time of pipelines).
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Sequence
from typing import Any

__all__ = ["Progress", "Styled", "Terminal", "plain_table", "use_color", "visible"]

#: a piece of a line and its rich style ("" for none)
Styled = tuple[str, str]

PROGRESS_AFTER = 2.0
"""Seconds before a batch shows a progress bar: short runs stay quiet
(``SYNCDOCTOR_PROGRESS_AFTER`` changes it, e.g. 0 to see it at once)."""


# what a terminal would act on or that would break a line: C0 (tab and newline too), DEL, C1,
# the line and paragraph separators, and the bidirectional embeddings, overrides and isolates
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    c = match.group()
    return _NAMED.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def visible(text: str) -> str:
    """Text from input made safe for a terminal, on one line: each control character (an
    escape sequence's ESC, a newline, a bidi override) is shown as its escape (``\\x1b``,
    ``\\n``, ``\\u202e``), so that a record can neither drive the terminal nor split its line."""
    return _INVISIBLE.sub(_escape, text)


def _progress_after() -> float:
    try:
        return float(os.environ.get("SYNCDOCTOR_PROGRESS_AFTER", PROGRESS_AFTER))
    except ValueError:
        return PROGRESS_AFTER


def use_color(choice: str | None, stream: Any = None) -> bool:
    """Whether to write colour: ``--color always|never`` wins, then NO_COLOR, FORCE_COLOR,
    then whether the stream is a terminal."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


class Terminal:
    """Output to stdout: rich when it is a terminal or colour is on, plain writes otherwise."""

    def __init__(self, color: str | None = None) -> None:
        self.is_tty = bool(getattr(sys.stdout, "isatty", lambda: False)())
        self.color = use_color(color)
        self._console: Any = None

    @property
    def console(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(
                force_terminal=self.color or None, no_color=not self.color,
                color_system="auto" if self.color else None, highlight=False, emoji=False,
                soft_wrap=not self.is_tty,  # pipes: one record per line, never wrapped
            )
        return self._console

    @property
    def width(self) -> int:
        return int(self.console.width) if self.is_tty else 10**6

    @property
    def rich(self) -> bool:
        return self.is_tty or self.color

    def line(self, *parts: Styled, indent: int = 0) -> None:
        """One line (wrapped at the terminal's width under ``indent``, never cut); control
        characters in the parts are shown escaped (:func:`visible`)."""
        self._line([(visible(t), s) for t, s in parts], indent)

    def _line(self, parts: Sequence[Styled], indent: int = 0) -> None:
        if not self.rich:
            sys.stdout.write(" " * indent + "".join(text for text, _ in parts) + "\n")
            return
        from rich.padding import Padding
        from rich.text import Text

        text = Text.assemble(*[(t, s) if s else t for t, s in parts])
        text.overflow = "fold"
        self.console.print(Padding(text, (0, 0, 0, indent), expand=False) if indent else text)

    def lines(self, text: str, style: str = "") -> None:
        """Lines (``text`` split at its newlines) as they are in a pipe; at a terminal, each
        wrapped to its width under its own indentation (a "- cause" or "1. step" continues
        under its text, not under its mark). Other control characters are shown escaped."""
        import textwrap

        for line in text.split("\n"):
            line = visible(line)
            if not self.is_tty:
                self._line([(line, style)]) if self.rich else sys.stdout.write(line + "\n")
                continue
            lead = len(line) - len(line.lstrip(" "))
            body = line.lstrip(" ")
            hang = 2 if body.startswith("- ") else (body.find(" ") + 1 if body[:1].isdigit() else 0)
            self._line([(textwrap.fill(line, max(self.width, 40), subsequent_indent=" " * (lead + hang),
                                       break_long_words=False, break_on_hyphens=False), style)])

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, keep: Sequence[int] = (0,),
              styles: Sequence[str] = ()) -> None:
        """A table: on a terminal it fits the width (text cells wrap; the ``keep`` columns,
        ids, are never wrapped or cut); elsewhere plain aligned columns, never cut."""
        if not self.is_tty:
            self.write(plain_table(headers, rows))
            return
        from rich.table import Table
        from rich.text import Text

        rows = [["" if c is None else visible(str(c)) for c in row] for row in rows]
        longest = [max([len(str(h))] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
        narrowest = sum(longest[i] if i in keep else min(longest[i], 16) for i in range(len(headers)))
        if narrowest + 2 * (len(headers) - 1) > self.width:  # too narrow for columns: a card per row
            for cells in rows:
                self._line([(c + "  ", styles[i] if i < len(styles) else "") for i, c in enumerate(cells[:-1])])
                self._line([(cells[-1], "")], indent=4)
            return
        table = Table(show_edge=False, box=None, pad_edge=False, header_style="bold", expand=False)
        for i, h in enumerate(headers):
            style = styles[i] if i < len(styles) else ""
            if i in keep:
                table.add_column(h, no_wrap=True, min_width=longest[i], style=style or None)
            else:
                table.add_column(h, overflow="fold", style=style or None)
        for row in rows:
            table.add_row(*[Text(c) for c in row])  # Text: a cell's "[red]" is text, not rich markup
        self.console.print(table)

    def write(self, text: str) -> None:
        """``text`` as it is, line by line (control characters other than its newlines escaped)."""
        text = "\n".join(visible(line) for line in text.split("\n"))
        if self.rich:
            from rich.text import Text

            self.console.print(Text(text))
        else:
            sys.stdout.write(text + "\n")


def plain_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Aligned columns for pipes and files: nothing wrapped, nothing cut, one line a row
    (control characters in a cell are shown escaped)."""
    cells = [[("" if c is None else visible(str(c))) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(widths[i]) for i, h in enumerate(headers)).rstrip()]
    lines += ["  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip() for row in cells]
    return "\n".join(lines)


class Progress:
    """A progress bar on stderr for a batch that runs longer than :data:`PROGRESS_AFTER`
    seconds: records done, their rate, and the time left when the input's size is known."""

    def __init__(self, label: str, total_bytes: int | None, enabled: bool | None = None, lang: str = "en") -> None:
        self.label = label
        self.left = "restant" if lang == "fr" else "left"
        self.total = total_bytes
        self.enabled = (bool(getattr(sys.stderr, "isatty", lambda: False)()) and not os.environ.get("CI")
                        if enabled is None else enabled)
        self.start = time.monotonic()
        self._bar: Any = None
        self._task: Any = None

    @classmethod
    def for_input(cls, name: str, label: str, enabled: bool | None = None, lang: str = "en") -> Progress:
        total = None
        if name != "-":
            try:
                total = os.stat(name).st_size or None
            except OSError:
                total = None
        return cls(label, total, enabled, lang)

    def update(self, records: int, consumed: int) -> None:
        if not self.enabled or records & 255:
            return
        now = time.monotonic()
        if self._bar is None:
            if now - self.start < _progress_after():
                return
            self._open()
        rate = records / max(now - self.start, 1e-9)
        self._bar.update(self._task, completed=consumed, records=records, rate=rate)

    def _open(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
        from rich.progress import Progress as Bar

        columns: list[Any] = [TextColumn("{task.description}"), BarColumn(bar_width=24),
                              TextColumn("{task.fields[records]:,} ({task.fields[rate]:,.0f}/s)")]
        columns += [TimeElapsedColumn(), TextColumn(self.left), TimeRemainingColumn()] if self.total else [TimeElapsedColumn()]
        self._bar = Bar(*columns, console=Console(stderr=True), transient=True,
                        redirect_stdout=bool(getattr(sys.stdout, "isatty", lambda: False)()), redirect_stderr=False)
        self._task = self._bar.add_task(self.label, total=self.total, records=0, rate=0.0)
        self._bar.start()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
