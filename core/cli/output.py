"""The output formats of ``validate`` and ``classify``, each written as records come (flat memory).

``text``  people: a block per record at a terminal; one ``file:line: ...`` line each in a pipe.
``jsonl`` one JSON value per line (``--json``): what ``remediate -`` and scripts read.
``json``  the same values as one JSON array.
``sarif`` SARIF 2.1.0 for GitHub code scanning: each finding points at the input file and line.
``junit`` JUnit XML: one test case per record, a failure per finding at the fail-on level.
``github`` GitHub Actions workflow commands (``::error file=...,line=...::``), annotations on a PR.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ..model.labels import colon, counted, form, label
from ..model.money import dumps
from .terminal import Terminal

__all__ = ["FORMATS", "Hit", "Options", "Sink", "Stats", "exit_code", "fails_at", "make_sink"]

FORMATS = ("text", "json", "jsonl", "sarif", "junit", "github")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_RANK = {"warning": 1, "error": 2}
_THRESHOLD = {"error": 2, "warning": 1, "never": 99}


def fails_at(severity: str, fail_on: str) -> bool:
    """Does a finding of this severity exit 1 under ``--fail-on fail_on``?"""
    return _RANK.get(severity, 2) >= _THRESHOLD[fail_on]


class Hit(NamedTuple):
    """One finding or diagnosis, as every format needs it (a named tuple: made per finding,
    ~3x cheaper than a frozen dataclass, and as immutable)."""

    problem: str
    severity: str
    message: str
    entity: str | int | None = None
    path: str | None = None
    title: str | None = None


@dataclass
class Stats:
    """What a run saw, counted as it went (bounded by the catalog, not by the input)."""

    records: int = 0
    hits: int = 0
    bad_input: int = 0
    failing: int = 0
    by_problem: Counter[tuple[str, str]] = field(default_factory=Counter)


@dataclass
class Options:
    command: str  # "validate" or "classify"
    source: str  # the input's name as given ("-" for stdin)
    lang: str
    fail_on: str
    quiet: bool
    statistics: bool
    catalog: Any
    version: str
    terminal: Terminal


class Sink:
    """Receives each record's hits in input order and writes them in its format."""

    def __init__(self, opts: Options) -> None:
        self.opts = opts
        self.stats = Stats()
        self.threshold = _THRESHOLD[opts.fail_on]

    def fails(self, hit: Hit) -> bool:
        return hit.problem == "core.invalid_input" or _RANK.get(hit.severity, 2) >= self.threshold

    def add(self, line: int, ref: str | int | None, hits: list[Hit], data: Any) -> None:
        s = self.stats
        s.records += 1
        for hit in hits:
            s.hits += 1
            s.by_problem[(hit.problem, hit.severity)] += 1
            if hit.problem == "core.invalid_input":
                s.bad_input += 1
            elif self.fails(hit):
                s.failing += 1
        self.record(line, ref, hits, data)

    def record(self, line: int, ref: str | int | None, hits: list[Hit], data: Any) -> None:
        raise NotImplementedError

    def interrupted(self) -> None:
        """The batch stops on an error: write out what the sink holds back, nothing more."""

    def finish(self) -> None:
        """Close the document; the statistics go to stdout in text, to stderr otherwise."""
        if self.opts.statistics:
            self.write_statistics(text=False)

    def write_statistics(self, text: bool) -> None:
        lang, rows = self.opts.lang, []
        for (problem, severity), n in sorted(self.stats.by_problem.items(), key=lambda kv: (-kv[1], kv[0])):
            rows.append([str(n), problem, label(severity, lang)])
        headers = ["nombre", "problème", "gravité"] if lang == "fr" else ["count", "problem", "severity"]
        if text:
            self.opts.terminal.table(headers, rows, keep=(0, 1))
        else:
            from .terminal import plain_table

            sys.stderr.write(plain_table(headers, rows) + "\n")

    @property
    def uri(self) -> str:
        """The input as a repository-relative URI when it can be (what code scanning wants)."""
        src = self.opts.source
        if src == "-":
            return "stdin"
        path = Path(src)
        if path.is_absolute():
            try:
                path = path.relative_to(Path.cwd())
            except ValueError:
                return path.as_uri()
        return path.as_posix()


class TextSink(Sink):
    """People's text. Every value goes through :meth:`Terminal.line`, which shows control
    characters escaped: an id holding ESC or a newline can neither drive the terminal nor
    split a finding's line."""

    def record(self, line: int, ref: str | int | None, hits: list[Hit], data: Any) -> None:
        if not hits:
            return
        t, lang = self.opts.terminal, self.opts.lang
        if not t.is_tty:
            for h in hits:
                where = f"{self.opts.source}:{line}"
                subject = f" [{h.entity}]" if h.entity is not None else ""
                path = f" {h.path}" if h.path else ""
                t.line((where + ": ", ""), (label(h.severity, lang), _style(h.severity)), (" ", ""),
                       (h.problem, "bold"), (f"{subject}{path}{colon(lang)} ", ""), (h.message, ""))
            return
        name = "ligne" if lang == "fr" else "line"
        head = f"{ref}" if ref is not None and ref != "" else "-"
        t.line((head, "bold"), (f" · {name} {line}", "dim"))
        width = max(len(label(h.severity, lang)) for h in hits) + 2
        for h in hits:
            sev = label(h.severity, lang)
            t.line((sev.ljust(width), _style(h.severity)), (h.problem, "bold cyan"),
                   ((f"  {h.path}" if h.path else ""), "dim"), indent=2)
            t.line((h.message, ""), indent=2 + width)

    def finish(self) -> None:
        o, s, lang = self.opts, self.stats, self.opts.lang
        if o.statistics and s.by_problem:
            self.opts.terminal.write("")
            self.write_statistics(text=True)
        if o.quiet:
            return
        if o.command == "validate":
            summary = (f"{counted(s.records, 'entity', lang)} {form(s.records, 'checked', lang)}, "
                       f"{counted(s.hits, 'finding', lang)}")
        else:
            summary = (f"{counted(s.records, 'report', lang)} {form(s.records, 'classified', lang)}, "
                       f"{counted(s.hits, 'diagnosis', lang)}")
        o.terminal.line((summary, "bold"))


def _style(severity: str) -> str:
    return {"error": "bold red", "warning": "yellow"}.get(severity, "")


class JsonLinesSink(Sink):
    """``data()`` gives the record's encoded lines (orjson, model/jsonio.py): written as bytes."""

    def __init__(self, opts: Options) -> None:
        super().__init__(opts)
        from ..model.jsonio import LineSink

        self.lines = LineSink(sys.stdout)

    def record(self, line: int, ref: str | int | None, hits: list[Hit], data: Any) -> None:
        self.lines.write(data())

    def interrupted(self) -> None:
        try:
            self.lines.flush()
        except OSError:  # the reader went away (a closed pipe): nothing left to tell it
            pass

    def finish(self) -> None:
        self.lines.flush()
        super().finish()


class JsonSink(JsonLinesSink):
    """The same values as one JSON array, written as they come."""

    first = True

    def record(self, line: int, ref: str | int | None, hits: list[Hit], data: Any) -> None:
        for value in data().splitlines():
            self.lines.write((b"[\n" if self.first else b",\n") + value)
            self.first = False

    def finish(self) -> None:
        self.lines.write(b"[]\n" if self.first else b"\n]\n")
        super().finish()


class GithubSink(Sink):
    """Workflow commands: https://docs.github.com/actions/reference/workflow-commands-for-github-actions"""

    def record(self, line: int, ref: str | int | None, hits: list[Hit], data: Any) -> None:
        for h in hits:
            level = "error" if self.fails(h) else "warning"
            where = f"file={_prop(self.uri)},line={line}," if self.opts.source != "-" else ""
            subject = f"{h.entity}: " if h.entity is not None else ""
            sys.stdout.write(f"::{level} {where}title={_prop(h.problem)}::{_data(subject + h.message)}\n")


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


class SarifSink(Sink):
    """SARIF 2.1.0, written as results come; the rules (known only at the end) close the run."""

    def __init__(self, opts: Options) -> None:
        super().__init__(opts)
        self.rules: dict[str, int] = {}
        self.first = True
        sys.stdout.write(f'{{"$schema": "{SARIF_SCHEMA}", "version": "2.1.0", "runs": [{{"results": [')

    def record(self, line: int, ref: str | int | None, hits: list[Hit], data: Any) -> None:
        for h in hits:
            index = self.rules.setdefault(h.problem, len(self.rules))
            subject = f"{h.entity}: " if h.entity is not None else ""
            where = f" ({h.path})" if h.path else ""
            result = {
                "ruleId": h.problem, "ruleIndex": index,
                "level": "error" if self.fails(h) else "warning",
                "message": {"text": f"{subject}{h.message}{where}"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": self.uri},
                                                    "region": {"startLine": line}}}],
                "partialFingerprints": {"syncdoctor/v1": hashlib.sha256(
                    f"{h.problem}|{h.entity}|{h.path}".encode("utf-8", "backslashreplace")).hexdigest()[:32]},
            }
            sys.stdout.write(("\n" if self.first else ",\n") + _encode(result))
            self.first = False

    def finish(self) -> None:
        rules = [self._rule(pid) for pid in self.rules]
        driver = {"name": "syncdoctor", "version": self.opts.version, "semanticVersion": self.opts.version,
                  "informationUri": "https://github.com/syncdoctor/syncdoctor", "rules": rules}
        tail = {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints"}
        sys.stdout.write("\n], " + dumps(tail)[1:] + "]}\n")
        super().finish()

    def _rule(self, pid: str) -> dict[str, Any]:
        lang = self.opts.lang
        cp = self.opts.catalog.problems.get(pid)
        if cp is None:
            return {"id": pid, "name": _camel(pid), "shortDescription": {"text": pid},
                    "help": {"text": pid}, "defaultConfiguration": {"level": "error"}}
        p = cp.problem
        title = p.title.get(lang)
        steps = [s.instructions.get(lang) for s in p.remediation.steps]
        causes = [c.get(lang) for c in p.causes]
        help_text = "\n".join([title, *(f"- {c}" for c in causes), *(f"{n}. {s}" for n, s in enumerate(steps, 1))])
        return {
            "id": pid, "name": _camel(pid),
            "shortDescription": {"text": title},
            "fullDescription": {"text": " ".join(causes) or title},
            "help": {"text": help_text, "markdown": help_text},
            "defaultConfiguration": {"level": "error" if p.severity == "error" else "warning"},
            "properties": {"tags": [p.category, cp.plugin]},
        }


def _encode(value: dict[str, Any]) -> str:
    """orjson for the hot path (a result holds only text and integers); the standard encoder
    for what orjson refuses (a lone surrogate in a message)."""
    try:
        import orjson

        return orjson.dumps(value).decode("utf-8")
    except (ImportError, TypeError, ValueError):
        return dumps(value)


def _camel(pid: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in pid.replace(".", "_").split("_"))


class JunitSink(Sink):
    """JUnit XML: the test cases are spooled to a temporary file so the totals (which the
    opening tag carries) are known before anything is written, with flat memory."""

    def __init__(self, opts: Options) -> None:
        super().__init__(opts)
        self.spool = tempfile.SpooledTemporaryFile(max_size=4 << 20, mode="w+", encoding="utf-8")  # noqa: SIM115
        self.failures = 0
        self.errors = 0

    def record(self, line: int, ref: str | int | None, hits: list[Hit], data: Any) -> None:
        # here, not at the top: xml.sax.saxutils imports urllib.request, http.client and ssl
        # (~8 ms of every command's start-up, when JUnit is the rarest format)
        from xml.sax.saxutils import escape, quoteattr

        name = f"line {line}" + (f": {ref}" if ref is not None else "")
        uri = quoteattr(_xml(self.uri))
        case = f'  <testcase classname={uri} name={quoteattr(_xml(name))} file={uri} line="{line}"'
        bad = [h for h in hits if h.problem == "core.invalid_input"]
        failing = [h for h in hits if h not in bad and self.fails(h)]
        other = [h for h in hits if h not in bad and h not in failing]
        if not hits:
            self.spool.write(case + "/>\n")
            return
        parts = [case + ">"]
        for tag, group in (("error", bad), ("failure", failing)):
            if group:
                text = "\n".join(f"{h.problem} {h.path or ''}: {h.message}" for h in group)
                parts.append(f"    <{tag} type={quoteattr(_xml(group[0].problem))} message={quoteattr(_xml(group[0].message))}>"
                             f"{escape(_xml(text))}</{tag}>")
        if other:
            parts.append("    <system-out>" + escape(_xml("\n".join(f"{h.severity} {h.problem}: {h.message}" for h in other)))
                         + "</system-out>")
        parts.append("  </testcase>")
        self.errors += bool(bad)
        self.failures += bool(failing)
        self.spool.write("\n".join(parts) + "\n")

    def finish(self) -> None:
        from xml.sax.saxutils import quoteattr

        s = self.stats
        name = quoteattr(_xml(f"syncdoctor {self.opts.command} {self.uri}"))
        sys.stdout.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        sys.stdout.write(f'<testsuites name="syncdoctor" tests="{s.records}" failures="{self.failures}" errors="{self.errors}">\n')
        sys.stdout.write(f'<testsuite name={name} tests="{s.records}" failures="{self.failures}" errors="{self.errors}">\n')
        self.spool.seek(0)
        shutil.copyfileobj(self.spool, sys.stdout)
        self.spool.close()
        sys.stdout.write("</testsuite>\n</testsuites>\n")
        super().finish()


def _xml(text: str) -> str:
    """XML 1.0 cannot hold most control characters, even escaped: show them as \\xNN."""
    return "".join(c if c in "\t\n\r" or ord(c) >= 0x20 and not 0xD800 <= ord(c) <= 0xDFFF and c not in "\ufffe\uffff"
                   else f"\\x{ord(c):02x}" for c in text)


_SINKS: dict[str, type[Sink]] = {
    "text": TextSink, "json": JsonSink, "jsonl": JsonLinesSink, "sarif": SarifSink, "junit": JunitSink,
    "github": GithubSink,
}


def make_sink(fmt: str, opts: Options) -> Sink:
    return _SINKS[fmt](opts)


def exit_code(sink: Sink) -> int:
    """2 when a record was bad input, 1 when a finding reached the fail-on level, else 0."""
    if sink.stats.bad_input:
        return 2
    return 1 if sink.stats.failing else 0
