"""``syncdoctor classify``: what a vendor's rejection means and what to do about it."""

from __future__ import annotations

import argparse
import sys
from collections import deque
from collections.abc import Iterator
from functools import partial
from typing import Any

from ..model.jsonio import diagnosis_line
from ..model.labels import colon
from .batch import make_output, open_records, run_batch
from .command import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    add_command,
    add_output_options,
    load_json_file,
    open_host,
)
from .output import Hit, fails_at
from .recording import Recorder, add_record_flags
from .render import plan_text
from .terminal import Terminal, visible

__all__ = ["register"]


# How the vendor of a diagnosis was known (issue 14): said, never guessed silently.
_VENDOR_NOTES = {
    "guessed": {"en": " (guessed from the message; give --vendor to be sure)",
                "fr": " (déduit du message ; précisez --vendor pour en être sûr)"},
    "unknown": {"en": "unknown (give --vendor to apply its rules)",
                "fr": "inconnu (précisez --vendor pour appliquer ses règles)"},
}


def _vendor_note(diag: dict[str, Any], given: bool) -> str | None:
    """``guessed`` when the report named no vendor and one was found, ``unknown`` when none
    could be told. A vendor a report names is kept as named, loaded or not (the status still
    answers for it), and --vendor must name a loaded one."""
    if diag["problem"] == "core.invalid_input":
        return None
    if not diag.get("vendor"):
        return "unknown"
    return None if given else "guessed"


_GUESSED = {"vendor_guessed": True}
_UNSET: Any = object()  # no vendor noted for an answer: the diagnosis's own is used


def _print_diagnosis(diag: dict[str, Any], lang: str, category: str | None = None, note: str | None = None,
                     terminal: Terminal | None = None) -> None:
    fr, c = lang == "fr", colon(lang)
    lang_key = "fr" if fr else "en"
    say = (terminal or Terminal("never")).lines  # values from input: escaped, one line each (visible)
    title = f"  ({visible(diag['title'])})" if diag.get("title") else ""
    say(f"{'Problème' if fr else 'Problem'}{c} {visible(diag['problem'])}{title}", "bold")
    if diag.get("vendor") or note == "unknown":
        vendor = _VENDOR_NOTES["unknown"][lang_key] if note == "unknown" else visible(diag["vendor"]) + (
            _VENDOR_NOTES[note][lang_key] if note else "")
        say(f"{'Éditeur' if fr else 'Vendor'}{c} {vendor}    "
            f"{'Catégorie' if fr else 'Category'}{c} {visible(category or diag.get('category') or '-')}")
    params = {k: v for k, v in diag.get("params", {}).items() if k not in ("pointer",)}
    if params:
        say(f"{'Paramètres' if fr else 'Parameters'}{c} " + ", ".join(visible(f"{k}={v}") for k, v in params.items()))
    if diag.get("causes"):
        say(f"Causes{c}", "bold")
        for cause in diag["causes"]:
            say(f"  - {visible(cause)}")
    say(f"{'Que faire' if fr else 'What to do'}{c}", "bold")
    say(plan_text(diag.get("remediation", {}), lang))


class _Hits:
    """Each diagnosis as the formats see it. A batch repeats the same few (problem, vendor,
    title, cause, severity) over and over, and a frozen Hit can be shared: made once each (~1 us saved
    per message), the table emptied when it grows past what a catalog's problems explain."""

    LIMIT = 1024
    LONGEST = 2048  # characters of a key's texts: a 16 MB vendor name or title is made, not kept

    def __init__(self) -> None:
        self.known: dict[tuple[Any, ...], Hit] = {}

    def __call__(self, diags: list[Any]) -> list[Hit]:
        hits, known = [], self.known
        for d in diags:
            causes = d.causes
            cause, vendor, title = causes[0] if causes else None, d.vendor, d.title
            if len(vendor or "") + len(title or "") + len(cause or "") > self.LONGEST:
                hits.append(self.make(d))
                continue
            key = (d.problem, vendor, title, cause, d.severity)
            hit = known.get(key)
            if hit is None:
                if len(known) >= self.LIMIT:
                    known.clear()
                hit = known[key] = self.make(d)
            hits.append(hit)
        return hits

    def make(self, d: Any) -> Hit:
        severity = d.severity  # the diagnosis's own, as its JSON says ("unknown" is an error)
        message = d.title or (d.causes[0] if d.causes else d.problem)
        if d.problem == "core.invalid_input" and d.causes:
            message = d.causes[0]
        return Hit(d.problem, severity, message, d.vendor or None, None, d.title)


def _one_report(args: argparse.Namespace) -> dict[str, Any]:
    if args.message is None and not args.payload:
        raise UsageError("give a MESSAGE, '-' to read it from stdin, --payload FILE, or --input FILE")
    message = sys.stdin.read() if args.message == "-" else (args.message or "")
    report = {"message": message.strip(), "vendor": args.vendor, "http_status": args.status, "code": args.code}
    if args.payload:
        report["payload"] = load_json_file(args.payload, "payload")
    return report


def cmd_classify(args: argparse.Namespace) -> int:
    if args.input and (args.message is not None or args.payload):
        raise UsageError("give a MESSAGE (or --payload) or --input FILE, not both: --input reads every report "
                         "from the file")
    host = open_host(args)
    if args.vendor and host.catalog.plugin_for(args.vendor) is None:
        raise UsageError(f"unknown vendor {args.vendor!r}; known: " + ", ".join(sorted(host.catalog.plugin_of_vendor)))
    # per input not yet answered: the vendor it named (or --vendor named for all); answers come
    # in input order, so each is taken from the left as its answer is written (flat memory)
    given: deque[str | None] = deque()

    recorder = Recorder.from_args(args, host)  # --record: rejections go to the issue ledger too

    def noting(items: Any) -> Iterator[Any]:
        for item in items:
            # the record's vendor wins over --vendor, as in Host.classify_many
            named = (item.get("vendor") if isinstance(item, dict) else None) or args.vendor
            given.append(str(named) if named else None)
            yield item
        if recorder is not None:
            recorder.close()  # the input is over: record the last batch

    def classify_many(items: Any) -> Iterator[list[Any]]:
        if recorder is None:
            return host.classify_many(noting(items), vendor=args.vendor, lang=args.lang)
        return recorder.classified(host.classify_many(recorder.inputs(noting(items)), vendor=args.vendor,
                                                      lang=args.lang))

    def named_next() -> Any:
        return given.popleft() if given else _UNSET

    notes: dict[tuple[Any, Any, bool], str | None] = {}  # (named, vendor, invalid) -> note

    def note_of(diag: Any, named: Any) -> str | None:
        if named is _UNSET:
            named = diag.vendor
        key = (named, diag.vendor, diag.problem == "core.invalid_input")
        note = notes.get(key, _UNSET)
        if note is _UNSET:
            # a report naming a vendor no plugin knows (xero) and diagnosed under another (acd): a guess, said
            plugin_for = host.catalog.plugin_for
            same = named is not None and (diag.vendor in (None, named) or plugin_for(named) == plugin_for(diag.vendor)
                                          and plugin_for(named) is not None)
            note = _vendor_note(diag.__dict__, same)
            if len(str(named)) + len(diag.vendor or "") <= _Hits.LONGEST:  # vendors are the input's words
                if len(notes) >= _Hits.LIMIT:
                    notes.clear()
                notes[key] = note
        return note

    if not args.input:
        fmt = args.format or "text"
        report = _one_report(args)
        if fmt == "text":  # one message: the whole explanation
            bad, failing, terminal = False, False, Terminal(args.color)
            for diags in classify_many([report]):
                named = named_next()
                for diag in diags:
                    bad = bad or diag.problem == "core.invalid_input"
                    failing = failing or fails_at(diag.severity, args.fail_on or args.default_fail_on)
                    data = diag.model_dump(mode="json", exclude_none=True)
                    cp = host.catalog.problems.get(data["problem"])
                    _print_diagnosis(data, args.lang, cp.problem.category_label(args.lang) if cp else None,
                                     note_of(diag, named), terminal)
                    terminal.line()
            return EXIT_USAGE if bad else EXIT_FINDINGS if failing else EXIT_OK
        reader: Any = None
        records: Any = [report]
        args.source_name = "-"
    else:
        fmt = args.format or "jsonl"
        args.source_name = args.input
    sink = make_output(args, "classify", host, fmt)
    hits_of = _Hits()
    counter = iter(range(1 << 62))

    lines = None

    def convert(diags: list[Any]) -> tuple[Any, list[Hit], Any]:
        number = next(counter)
        if lines and diags and diags[0].problem == "core.invalid_input":
            diags = [_at_line(d, number, lines[0]) for d in diags]
        named = named_next()
        if len(diags) == 1:  # most reports: one diagnosis, encoded when the format asks
            diag = diags[0]
            extra = _GUESSED if note_of(diag, named) == "guessed" else None
            return diag.vendor, hits_of(diags), partial(diagnosis_line, diag, extra)
        notes = [note_of(d, named) for d in diags]

        def encode() -> bytes:
            return b"".join(diagnosis_line(d, _GUESSED if n == "guessed" else None) for d, n in zip(diags, notes, strict=True))
        return (diags[0].vendor if diags else None), hits_of(diags), encode

    if not args.input:
        reader = _Single(records)
        lines = reader.lines
        code = run_batch(args, sink, reader, classify_many(reader), convert, "classify")
    else:
        with open_records(args.input) as reader:
            lines = reader.lines
            code = run_batch(args, sink, reader, classify_many(reader), convert, "classify")
    # a record the ledger refused only when it was written: its answer went out, the exit says it
    return EXIT_USAGE if recorder is not None and recorder.late else code


def _at_line(diag: Any, index: int, line: int) -> Any:
    """'record 3, field message: ...' (the 0-based index the host counts) becomes 'line 4, ...'."""
    prefix = f"record {index}"
    if not diag.causes or not diag.causes[0].startswith(prefix):
        return diag
    return diag.model_copy(update={"causes": [f"line {line}" + diag.causes[0][len(prefix):], *diag.causes[1:]]})


class _Single:
    """One report from the command line, read like a one-line input."""

    def __init__(self, records: list[Any]) -> None:
        from collections import deque

        self.records = records
        self.lines: Any = deque()
        self.count = 0
        self.consumed = 0

    def __iter__(self) -> Iterator[Any]:
        for record in self.records:
            self.lines.append(1)
            self.count += 1
            yield record


EXAMPLES = (
    'syncdoctor classify --vendor acd "The account FOO does not exist"',
    "syncdoctor classify --vendor quickbooks --payload docs/examples/fault.json",
    "syncdoctor classify --input docs/examples/errors.jsonl --format text",
    "syncdoctor classify --input docs/examples/errors.jsonl | syncdoctor remediate -",
)


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "classify", "diagnose a vendor's error message", EXAMPLES,
                    "Diagnose a vendor's rejection (a message, a raw response body, or JSON Lines of "
                    "reports) and say what to do. One message prints the whole explanation; --input "
                    "writes one JSON line per diagnosis unless --format says otherwise.")
    p.add_argument("message", nargs="?", help="the message, or - to read it from stdin (e.g. \"Compte inexistant\")")
    p.add_argument("--vendor", help="the vendor or plugin that rejected it (e.g. --vendor quickbooks)")
    p.add_argument("--status", type=int, help="the HTTP status of the rejection (e.g. --status 400)")
    p.add_argument("--code", help="the vendor's error code (e.g. --code 6140)")
    p.add_argument("--payload", help="JSON file with the raw response body; no MESSAGE needed (e.g. --payload fault.json)")
    p.add_argument("--input", help="JSON Lines of {vendor, message, http_status, code, payload}; - for stdin "
                                   "(e.g. --input errors.jsonl)")
    add_output_options(p, "never")
    add_record_flags(p)
    p.set_defaults(handler=cmd_classify)
