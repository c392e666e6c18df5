"""``syncdoctor remediate``: the plan for a diagnosis or a finding; ``--apply`` fixes an entity.

The input may hold one document or many (JSON Lines, as ``classify --json`` and ``validate
--json`` write them): each is answered in turn, so ``classify --json | remediate -`` and
``validate --json | remediate -`` work line by line. A ``validate`` line
(``{"entity", "findings"}``) gives one plan per finding.

A bad record (not JSON, an unknown problem id, a field of the wrong type) does not stop the
batch: it is said where it stands, naming its line and field (with ``--json`` a
``core.invalid_input`` finding, otherwise a message on stderr), the rest go on, and the command
exits 2 at the end (design section 8).
"""

from __future__ import annotations

import argparse
import json
import sys
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
from .terminal import Terminal, visible

__all__ = ["register"]

EXAMPLES = (
    "syncdoctor remediate --problem acd.auxiliary_code_invalid --params '{\"account\": \"40100000\"}'",
    "syncdoctor classify --input docs/examples/errors.jsonl | syncdoctor remediate -",
    "syncdoctor validate --json docs/examples/entries.jsonl | syncdoctor remediate - --json",
    "syncdoctor remediate --apply --entity docs/examples/entry.json --context docs/examples/context.json",
)


# one record of the input: its number (0-based), its line, and a document or the error that
# makes it bad; then where (e.g. "findings.2.") prefixes the fields its errors name
_Record = tuple[int, int, dict[str, Any] | InputError, str]


def _documents(args: argparse.Namespace) -> Iterator[_Record]:
    """Each record of the input (a bad one as its error, so that the rest go on); without
    FILE, one empty document (the command line says it all)."""
    if not args.file:
        yield 0, 0, {}, ""
        return
    with open_records(args.file) as reader:
        for index, record in enumerate(reader):
            line = reader.lines.popleft()
            if isinstance(record, InputError):
                yield index, line, record, ""
            elif not isinstance(record, dict):
                yield index, line, InputError(None, None, f"line {line}: expected a JSON object: a diagnosis, "
                                                          "a finding, or {entity, problem}"), ""
            elif isinstance(record.get("findings"), list) and "problem" not in record:  # a validate --json line
                for n, finding in enumerate(record["findings"]):
                    if not isinstance(finding, dict):
                        yield index, line, InputError(index, f"findings.{n}", "expected a finding (a JSON object)"), ""
                    elif finding.get("problem") != "core.invalid_input":
                        yield index, line, finding, f"findings.{n}."
            else:
                yield index, line, record, ""
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


def _given(args: argparse.Namespace, host: Any) -> tuple[Any, Any]:
    """The entity and context the command line gives, checked once (not once per record)."""
    if args.problem and args.problem != "unknown" and args.problem not in host.catalog.problems:
        raise UsageError(f"--problem: unknown problem id {args.problem!r}; see `syncdoctor problems`")
    if not args.file and not args.problem and not args.apply:
        raise UsageError("give --problem ID, or FILE: diagnoses or findings with a 'problem' field")
    if not args.file and args.apply and not args.entity:
        raise UsageError(_NEEDS_ENTITY)
    context = host.parse_context(load_json_file(args.context, "context")) if args.context else None
    entity = None
    if args.entity:
        try:
            entity = host.parse_entity(load_json_file(args.entity, "entity"))
        except InputError as exc:
            raise UsageError(f"--entity {args.entity}: {exc}") from None
    return entity, context


_NEEDS_ENTITY = "--apply needs an entity (--entity FILE, or {\"entity\": ...} in the input)"


def cmd_remediate(args: argparse.Namespace) -> int:
    host = open_host(args)
    extra = _extra_params(args)
    entity_given, context = _given(args, host)
    worst, bad, terminal = EXIT_OK, False, Terminal(args.color)
    for index, line, doc, where in _documents(args):
        if isinstance(doc, InputError):  # not JSON, not an object: the reader's error names the line
            bad = True
            _bad_record(args, host, doc, index, line)
            continue
        try:
            worst = max(worst, _answer(args, host, doc, index, entity_given, context, extra, terminal))
        except InputError as exc:
            if not args.file:
                raise
            bad = True
            field = f"{where}{exc.field}" if exc.field else (where.rstrip(".") or None)
            _bad_record(args, host, InputError(index, field, exc.reason), index, line)
    return EXIT_USAGE if bad else worst


def _answer(args: argparse.Namespace, host: Any, doc: dict[str, Any], index: int, entity_given: Any, context: Any,
            extra: dict[str, Any], terminal: Terminal) -> int:
    """The plans of one document (or, with --apply, its entity fixed); a bad field is an
    :class:`InputError` naming it."""
    problem = args.problem or doc.get("problem")
    if problem is not None and not isinstance(problem, str):
        raise InputError(index, "problem", "expected a problem id (text)")
    params = doc.get("params") or {}
    if not isinstance(params, dict):
        raise InputError(index, "params", "expected a JSON object")
    params = {**params, **extra}
    entity = entity_given
    if entity is None and isinstance(doc.get("entity"), dict):
        try:
            entity = host.parse_entity(doc["entity"], index)
        except InputError as exc:
            raise InputError(index, "entity" + (f".{exc.field}" if exc.field else ""), exc.reason) from None
    if args.apply:
        if entity is None:
            raise InputError(index, "entity", _NEEDS_ENTITY)
        return _apply(args, host, entity, context, problem)
    if not problem:
        raise InputError(index, "problem", "missing: give --problem ID, or a diagnosis or finding with a 'problem' field")
    for plan in host.remediate("core.unknown_error" if problem == "unknown" else problem, params, entity, context,
                               lang=args.lang):
        data = plan.model_dump(mode="json", exclude_none=True)
        if args.json:
            json_line(data)
        else:
            terminal.lines(visible(f"{data['problem']}: {data['title']}"), "bold")
            terminal.lines(plan_text(data, args.lang))
    return EXIT_OK


def _bad_record(args: argparse.Namespace, host: Any, error: InputError, index: int, line: int) -> None:
    """A bad record, said as the batch goes on: with --json a ``core.invalid_input`` line (a
    finding, with the plan of that problem), else a message on stderr; both name the line."""
    message = str(error)
    if error.record is not None:  # "record 3, field problem: ..." names the line instead
        message = f"line {line}" + message[len(f"record {error.record}"):]
    if not args.json:
        sys.stdout.flush()  # the plans before it first, when both go to one place (2>&1)
        err(visible(f"syncdoctor: {message}"))
        return
    field = error.field
    (plan,) = host.remediate("core.invalid_input", {"record": index, "field": field or "-"}, lang=args.lang)
    json_line({"problem": "core.invalid_input", "severity": "error", "entity": index, "path": field,
               "message": message, "params": {"record": index, "line": line, **({"field": field} if field else {})},
               **plan.model_dump(mode="json", exclude_none=True, exclude={"problem"})})


def _apply(args: argparse.Namespace, host: Any, entity: Any, context: Any, problem: str | None) -> int:
    fixed, applied = host.apply_fixes(entity, context, problem=problem)
    remaining = [f for f in host.validate(fixed, context, lang=args.lang) if f.severity == "error"]
    if any(f.problem == "core.invalid_input" for f in remaining):
        err(visible("; ".join(f.message for f in remaining if f.problem == "core.invalid_input")))
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
                    "applies the automatic patches to an entity and prints it fixed. A bad record is said "
                    "with its line and field (a core.invalid_input line with --json, on stderr otherwise), "
                    "the others go on, and the command exits 2.")
    p.add_argument("file", nargs="?", help="diagnoses, findings or {entity, problem} as JSON or JSON Lines; - for stdin "
                                           "(e.g. diagnosis.json)")
    p.add_argument("--problem", help="a problem id, instead of (or overriding) the input's (e.g. --problem acd.journal_missing)")
    p.add_argument("--params", help="JSON object of params added to the input's (e.g. --params '{\"account\": \"401\"}')")
    p.add_argument("--entity", help="JSON file with the entity to fix (e.g. --entity entry.json)")
    p.add_argument("--context", help="JSON file of settings keyed by plugin name (e.g. --context context.json)")
    p.add_argument("--apply", action="store_true", help="apply automatic patches and print the fixed entity (e.g. --apply)")
    p.add_argument("--json", action="store_true", help="one JSON plan per line (e.g. --json)")
    p.set_defaults(handler=cmd_remediate)
