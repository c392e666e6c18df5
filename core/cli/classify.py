"""``syncdoctor classify``: what a vendor's rejection means and what to do about it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any

from ..model.jsonio import LineSink, diagnosis_line
from ..model.labels import colon
from ..model.records import open_input, read_records
from .command import (
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    add_command,
    load_json_file,
    open_host,
    out,
)
from .render import plan_text

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


def _print_diagnosis(diag: dict[str, Any], lang: str, category: str | None = None, note: str | None = None) -> None:
    fr, c = lang == "fr", colon(lang)
    lang_key = "fr" if fr else "en"
    out(f"{'Problème' if fr else 'Problem'}{c} {diag['problem']}" + (f"  ({diag.get('title')})" if diag.get("title") else ""))
    if diag.get("vendor") or note == "unknown":
        vendor = _VENDOR_NOTES["unknown"][lang_key] if note == "unknown" else diag["vendor"] + (
            _VENDOR_NOTES[note][lang_key] if note else "")
        out(f"{'Éditeur' if fr else 'Vendor'}{c} {vendor}    "
            f"{'Catégorie' if fr else 'Category'}{c} {category or diag.get('category') or '-'}")
    params = {k: v for k, v in diag.get("params", {}).items() if k not in ("pointer",)}
    if params:
        out(f"{'Paramètres' if fr else 'Parameters'}{c} " + ", ".join(f"{k}={v}" for k, v in params.items()))
    if diag.get("causes"):
        out(f"Causes{c}")
        for cause in diag["causes"]:
            out(f"  - {cause}")
    out(f"{'Que faire' if fr else 'What to do'}{c}")
    out(plan_text(diag.get("remediation", {}), lang))


def _reports_from_file(name: str) -> Iterator[Any]:
    stream = open_input(name)
    try:
        yield from read_records(stream)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def cmd_classify(args: argparse.Namespace) -> int:
    host = open_host(args)
    if args.vendor and host.catalog.plugin_for(args.vendor) is None:
        raise UsageError(f"unknown vendor {args.vendor!r}; known: " + ", ".join(sorted(host.catalog.plugin_of_vendor)))
    if args.input:
        reports: Any = _reports_from_file(args.input)
    else:
        if args.message is None:
            raise UsageError("give a MESSAGE, '-' to read it from stdin, or --input FILE for JSON Lines")
        message = sys.stdin.read() if args.message == "-" else args.message
        report = {"message": message.strip(), "vendor": args.vendor, "http_status": args.status, "code": args.code}
        if args.payload:
            report["payload"] = load_json_file(args.payload, "payload")
        reports = [report]
    given: list[bool] = []  # per input: did it name its vendor (or --vendor name it for all)?

    def noting(items: Any) -> Iterator[Any]:
        for item in items:
            given.append(bool(args.vendor) or (isinstance(item, dict) and bool(item.get("vendor"))))
            yield item

    bad = False
    # JSON lines are encoded by orjson straight to stdout's bytes (model/jsonio.py): the
    # standard library's encoding was ~30 us of a ~75 us message
    sink = LineSink(sys.stdout) if args.json or args.input else None
    for number, diags in enumerate(host.classify_many(noting(reports), vendor=args.vendor, lang=args.lang)):
        for diag in diags:
            bad = bad or diag.problem == "core.invalid_input"
            note = _vendor_note(diag.__dict__, given[number] if number < len(given) else True)
            if sink is not None:
                sink.write(diagnosis_line(diag, _GUESSED if note == "guessed" else None))
            else:
                data = diag.model_dump(mode="json", exclude_none=True)
                cp = host.catalog.problems.get(data["problem"])
                _print_diagnosis(data, args.lang, cp.problem.category_label(args.lang) if cp else None, note)
                out()
    if sink is not None:
        sink.flush()
    return EXIT_USAGE if bad else EXIT_OK


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "classify", "diagnose a vendor's error message")
    p.add_argument("message", nargs="?", help="the message, or - for stdin")
    p.add_argument("--vendor")
    p.add_argument("--status", type=int, help="HTTP status")
    p.add_argument("--code", help="vendor error code")
    p.add_argument("--payload", help="JSON file with the raw response body (e.g. a QuickBooks Fault)")
    p.add_argument("--input", help="JSON Lines of {vendor, message, http_status, code, payload}; - for stdin")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_classify)
