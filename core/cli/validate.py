"""``syncdoctor validate``: check entities before sending them (streams, flat memory)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..model.jsonio import LineSink, entity_result_line
from ..model.labels import counted, form, label
from ..model.records import open_input, read_records
from .command import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    add_command,
    load_json_file,
    open_host,
    out,
)
from .render import table

__all__ = ["register"]


def cmd_validate(args: argparse.Namespace) -> int:
    host = open_host(args)
    context = None
    if args.context:
        context = host.parse_context(load_json_file(args.context, "context"))
    plugins = None
    if args.vendor:
        plugin = host.catalog.plugin_for(args.vendor)
        if plugin is None:
            raise UsageError(f"unknown vendor {args.vendor!r}")
        plugins = [plugin]
    stream = open_input(args.file)
    worst = EXIT_OK
    count = 0
    tty = sys.stderr.isatty()
    rows: list[list[Any]] = []
    any_record = False
    # orjson straight to stdout's bytes (model/jsonio.py), not json.dumps of model_dump
    sink = LineSink(sys.stdout) if args.json else None
    try:
        for result in host.validate_many(read_records(stream), context, lang=args.lang, plugins=plugins):
            any_record = True
            count += 1
            if tty and count % 10000 == 0:
                sys.stderr.write(f"\r{counted(count, 'entity', args.lang)} {form(count, 'checked', args.lang)}")
            for f in result.findings:
                if f.problem == "core.invalid_input":
                    worst = EXIT_USAGE
                elif f.severity == "error" and worst == EXIT_OK:
                    worst = EXIT_FINDINGS
            if sink is not None:
                sink.write(entity_result_line(result.entity, result.findings))
            else:
                for f in result.findings:
                    rows.append([result.entity, label(f.severity, args.lang), f.problem, f.path or "", f.message])
    finally:
        if sink is not None:
            sink.flush()
        if stream is not sys.stdin.buffer:
            stream.close()
    if tty and count >= 10000:
        sys.stderr.write("\n")
    if not any_record:
        raise UsageError("the input holds no records (expected a JSON array or JSON Lines of entities)")
    if not args.json:
        if rows:
            headers = (["entité", "gravité", "problème", "chemin", "message"] if args.lang == "fr"
                       else ["entity", "severity", "problem", "path", "message"])
            out(table(headers, rows))
        out(f"{counted(count, 'entity', args.lang)} {form(count, 'checked', args.lang)}, "
            f"{counted(len(rows), 'finding', args.lang)}")
    return worst


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "validate", "check entities before sending them")
    p.add_argument("file", help="JSON array or JSON Lines of entities; - for stdin")
    p.add_argument("--vendor", help="only this plugin's rules")
    p.add_argument("--context", help="JSON file keyed by plugin name")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_validate)
