"""``syncdoctor validate``: check entities before sending them (streams, flat memory)."""

from __future__ import annotations

import argparse
from functools import partial
from typing import Any

from ..host.batches import EntityResult
from ..model.jsonio import entity_result_line
from .batch import make_output, open_records, run_batch
from .command import EXIT_USAGE, UsageError, add_command, add_output_options, load_json_file, open_host
from .output import Hit
from .recording import Recorder, add_record_flags

__all__ = ["register"]

EXAMPLES = (
    "syncdoctor validate --context docs/examples/context.json docs/examples/entries.jsonl",
    "syncdoctor validate docs/examples/entry.json",
    "syncdoctor validate --format sarif docs/examples/entries.jsonl > syncdoctor.sarif",
    "syncdoctor validate --json docs/examples/entries.jsonl | syncdoctor remediate -",
)


def cmd_validate(args: argparse.Namespace) -> int:
    host = open_host(args)
    context = host.parse_context(load_json_file(args.context, "context")) if args.context else None
    plugins = None
    if args.vendor:
        plugin = host.catalog.plugin_for(args.vendor)
        if plugin is None:
            raise UsageError(f"unknown vendor {args.vendor!r}; known: " + ", ".join(sorted(host.catalog.plugin_of_vendor)))
        plugins = [plugin]
    args.source_name = args.file
    sink = make_output(args, "validate", host, args.format or "text")
    with open_records(args.file) as reader:
        lines = reader.lines

        def convert(result: EntityResult) -> tuple[Any, list[Hit], Any]:
            findings = result.findings
            if findings and findings[0].problem == "core.invalid_input" and lines:
                findings = [_at_line(f, lines[0]) for f in findings]
                result = EntityResult(result.entity, findings, result.parsed)
            hits = [Hit(f.problem, f.severity, f.message, f.entity, f.path) for f in findings] if findings else []
            return result.entity, hits, partial(entity_result_line, result.entity, findings)

        results = host.validate_many(reader, context, lang=args.lang, plugins=plugins)
        recorder = Recorder.from_args(args, host)  # --record: findings go to the issue ledger too
        if recorder is None:
            return run_batch(args, sink, reader, results, convert, "validate")
        try:
            code = run_batch(args, sink, reader, recorder.validated(results), convert, "validate")
        finally:
            recorder.close()
        # a record the ledger refused only when it was written: its answer went out, the exit says it
        return EXIT_USAGE if recorder.late else code


def _at_line(finding: Any, line: int) -> Any:
    """'record 3, field kind: ...' (the 0-based index the host counts) becomes 'line 4, ...'."""
    record = finding.params.get("record") if isinstance(finding.params, dict) else None
    prefix = f"record {record}"
    if record is None or not finding.message.startswith(prefix):
        return finding
    return finding.model_copy(update={"message": f"line {line}" + finding.message[len(prefix):]})


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "validate", "check entities before sending them", EXAMPLES,
                    "Check entities (JSON Lines, a JSON array or one JSON object) with every loaded "
                    "plugin's rules, before they are sent. Exit 0 clean, 1 findings at the --fail-on "
                    "level, 2 bad input or usage.")
    p.add_argument("file", help="entities: JSON Lines, a JSON array or a JSON object; - for stdin "
                                "(e.g. entries.jsonl)")
    p.add_argument("--vendor", help="only this plugin's rules (e.g. --vendor acd)")
    p.add_argument("--context", help="JSON file of settings keyed by plugin name (e.g. --context context.json)")
    add_output_options(p, "error")
    add_record_flags(p)
    p.set_defaults(handler=cmd_validate)
