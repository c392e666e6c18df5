"""``syncdoctor remediate``: the plan for a diagnosis or a finding; ``--apply`` fixes an entity.

The input may hold one document or many (JSON Lines, as ``classify --json`` and ``validate
--json`` write them): each is answered in turn, so ``classify --json | remediate -`` and
``validate --json | remediate -`` work line by line. A ``validate`` line
(``{"entity", "findings"}``) gives one plan per finding.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from typing import Any

from ..errors import InputError
from ..model.money import dumps
from .batch import open_records
from .command import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    add_command,
    err,
    json_line,
    load_json_file,
    open_host,
    out,
)
from .render import plan_text
from .terminal import Terminal

__all__ = ["register"]

EXAMPLES = (
    "syncdoctor remediate --problem acd.auxiliary_code_invalid --params '{\"account\": \"40100000\"}'",
    "syncdoctor classify --input docs/examples/errors.jsonl | syncdoctor remediate -",
    "syncdoctor validate --json docs/examples/entries.jsonl | syncdoctor remediate - --json",
    "syncdoctor remediate --apply --entity docs/examples/entry.json --context docs/examples/context.json",
)


def _documents(args: argparse.Namespace) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, document) for each record of the input; nothing at all without FILE."""
    if not args.file:
        yield 0, {}
        return
    with open_records(args.file) as reader:
        for record in reader:
            line = reader.lines.popleft()
            if isinstance(record, InputError):
                raise UsageError(str(record))
            if not isinstance(record, dict):
                raise UsageError(f"line {line}: expected a JSON object: a diagnosis, a finding, or {{entity, problem}}")
            if isinstance(record.get("findings"), list) and "problem" not in record:  # a validate --json line
                for finding in record["findings"]:
                    if isinstance(finding, dict) and finding.get("problem") != "core.invalid_input":
                        yield line, finding
                continue
            yield line, record
        if not reader.count:
            raise UsageError(f"{args.file}: no document (expected a diagnosis, a finding or {{entity, problem}})")


def _extra_params(args: argparse.Namespace) -> dict[str, Any]:
    if not args.params:
        return {}
    try:
        extra = json.loads(args.params)
    except (ValueError, RecursionError):
        raise UsageError("--params: not valid JSON") from None
    if not isinstance(extra, dict):
        raise UsageError("--params: expected a JSON object")
    return extra


def cmd_remediate(args: argparse.Namespace) -> int:
    host = open_host(args)
    extra = _extra_params(args)
    entity_file = load_json_file(args.entity, "entity") if args.entity else None
    context = load_json_file(args.context, "context") if args.context else None
    worst, terminal = EXIT_OK, Terminal(args.color)
    for line, doc in _documents(args):
        where = f"line {line}: " if line else ""
        problem = args.problem or doc.get("problem")
        if problem is not None and not isinstance(problem, str):
            raise UsageError(f"{where}field problem: expected a problem id (text)")
        params = doc.get("params") or {}
        if not isinstance(params, dict):
            raise UsageError(f"{where}field params: expected a JSON object")
        params = {**params, **extra}
        entity = entity_file if entity_file is not None else (doc.get("entity") if isinstance(doc.get("entity"), dict) else None)
        if args.apply:
            worst = max(worst, _apply(args, host, entity, context, problem))
            continue
        if not problem:
            raise UsageError(f"{where}give --problem ID, or a diagnosis/finding with a 'problem' field")
        if problem == "unknown":
            problem = "core.unknown_error"
        for plan in host.remediate(problem, params, entity, context, lang=args.lang):
            data = plan.model_dump(mode="json", exclude_none=True)
            if args.json:
                json_line(data)
            else:
                terminal.lines(f"{data['problem']}: {data['title']}", "bold")
                terminal.lines(plan_text(data, args.lang))
    return worst


def _apply(args: argparse.Namespace, host: Any, entity: Any, context: Any, problem: str | None) -> int:
    if entity is None:
        raise UsageError("--apply needs an entity (--entity FILE, or {\"entity\": ...} in the input)")
    fixed, applied = host.apply_fixes(entity, context, problem=problem)
    remaining = [f for f in host.validate(fixed, context, lang=args.lang) if f.severity == "error"]
    if any(f.problem == "core.invalid_input" for f in remaining):
        err("; ".join(f.message for f in remaining if f.problem == "core.invalid_input"))
        return EXIT_USAGE
    if args.json:
        json_line({"entity": fixed.model_dump(mode="json", exclude_none=True), "applied": applied,
                   "remaining": [f.model_dump(mode="json") for f in remaining]})
    else:
        out(dumps(fixed.model_dump(mode="json", exclude_none=True), indent=2))
        err(f"{len(applied)} automatic fix(es) applied; {len(remaining)} error finding(s) remain")
    return EXIT_FINDINGS if remaining else EXIT_OK


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "remediate", "the plan for a diagnosis or finding; --apply fixes an entity", EXAMPLES,
                    "The remediation plan of each diagnosis or finding in FILE (one JSON document, or JSON "
                    "Lines as classify --json and validate --json write them), or of --problem. --apply "
                    "applies the automatic patches to an entity and prints it fixed.")
    p.add_argument("file", nargs="?", help="diagnoses, findings or {entity, problem} as JSON or JSON Lines; - for stdin "
                                           "(e.g. diagnosis.json)")
    p.add_argument("--problem", help="a problem id, instead of (or overriding) the input's (e.g. --problem acd.journal_missing)")
    p.add_argument("--params", help="JSON object of params added to the input's (e.g. --params '{\"account\": \"401\"}')")
    p.add_argument("--entity", help="JSON file with the entity to fix (e.g. --entity entry.json)")
    p.add_argument("--context", help="JSON file of settings keyed by plugin name (e.g. --context context.json)")
    p.add_argument("--apply", action="store_true", help="apply automatic patches and print the fixed entity (e.g. --apply)")
    p.add_argument("--json", action="store_true", help="one JSON plan per line (e.g. --json)")
    p.set_defaults(handler=cmd_remediate)
