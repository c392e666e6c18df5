"""``syncdoctor remediate``: the plan for a diagnosis or a finding; ``--apply`` fixes an entity."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..model.money import dumps
from .command import (
    EXIT_FINDINGS,
    EXIT_OK,
    UsageError,
    add_command,
    err,
    json_line,
    load_json_file,
    open_host,
    out,
)
from .render import plan_text

__all__ = ["register"]


def cmd_remediate(args: argparse.Namespace) -> int:
    host = open_host(args)
    doc: dict[str, Any] = {}
    if args.file:
        loaded = load_json_file(args.file, "input")
        if not isinstance(loaded, dict):
            raise UsageError("the input must be a JSON object: a diagnosis, a finding, or {entity, problem}")
        doc = loaded
    problem = args.problem or doc.get("problem")
    if problem is not None and not isinstance(problem, str):
        raise UsageError("field problem: expected a problem id (text)")
    params = doc.get("params") or {}
    if not isinstance(params, dict):
        raise UsageError("field params: expected a JSON object")
    params = dict(params)
    if args.params:
        try:
            extra = json.loads(args.params)
        except (ValueError, RecursionError):
            raise UsageError("--params: not valid JSON") from None
        if not isinstance(extra, dict):
            raise UsageError("--params: expected a JSON object")
        params.update(extra)
    entity = doc.get("entity") if isinstance(doc.get("entity"), dict) else None
    if args.entity:
        entity = load_json_file(args.entity, "entity")
    context = load_json_file(args.context, "context") if args.context else None
    if args.apply:
        if entity is None:
            raise UsageError("--apply needs an entity (--entity FILE, or {\"entity\": ...} in the input)")
        fixed, applied = host.apply_fixes(entity, context, problem=problem)
        remaining = [f for f in host.validate(fixed, context, lang=args.lang) if f.severity == "error"]
        if args.json:
            json_line({"entity": fixed.model_dump(mode="json", exclude_none=True), "applied": applied,
                        "remaining": [f.model_dump(mode="json") for f in remaining]})
        else:
            out(dumps(fixed.model_dump(mode="json", exclude_none=True), indent=2))
            err(f"{len(applied)} automatic fix(es) applied; {len(remaining)} error finding(s) remain")
        return EXIT_FINDINGS if remaining else EXIT_OK
    if not problem:
        raise UsageError("give --problem ID, or a diagnosis/finding with a 'problem' field")
    if problem == "unknown":
        problem = "core.unknown_error"
    plans = host.remediate(problem, params, entity, context, lang=args.lang)
    for plan in plans:
        data = plan.model_dump(mode="json", exclude_none=True)
        if args.json:
            json_line(data)
        else:
            out(f"{data['problem']}: {data['title']}")
            out(plan_text(data, args.lang))
    return EXIT_OK


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "remediate", "the plan for a diagnosis or finding; --apply fixes an entity")
    p.add_argument("file", nargs="?", help="a diagnosis, a finding, or {entity, problem} as JSON; - for stdin")
    p.add_argument("--problem")
    p.add_argument("--params", help="JSON object of params")
    p.add_argument("--entity", help="JSON file with the entity")
    p.add_argument("--context", help="JSON file keyed by plugin name")
    p.add_argument("--apply", action="store_true", help="apply automatic patches and print the fixed entity")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_remediate)
