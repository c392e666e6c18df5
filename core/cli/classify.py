"""``syncdoctor classify``: what a vendor's rejection means and what to do about it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any

from ..model.records import open_input, read_records
from .command import (
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    add_command,
    json_line,
    load_json_file,
    open_host,
    out,
)
from ..model.labels import colon
from .render import plan_text

__all__ = ["register"]


def _print_diagnosis(diag: dict[str, Any], lang: str, category: str | None = None) -> None:
    fr, c = lang == "fr", colon(lang)
    out(f"{'Problème' if fr else 'Problem'}{c} {diag['problem']}" + (f"  ({diag.get('title')})" if diag.get("title") else ""))
    if diag.get("vendor"):
        out(f"{'Éditeur' if fr else 'Vendor'}{c} {diag['vendor']}    "
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
    bad = False
    for diags in host.classify_many(reports, vendor=args.vendor, lang=args.lang):
        for diag in diags:
            data = diag.model_dump(mode="json", exclude_none=True)
            bad = bad or data["problem"] == "core.invalid_input"
            if args.json or args.input:
                json_line(data)
            else:
                cp = host.catalog.problems.get(data["problem"])
                _print_diagnosis(data, args.lang, cp.problem.category_label(args.lang) if cp else None)
                out()
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
