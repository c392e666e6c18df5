"""The ``syncdoctor`` command line. Exit codes: 0 clean, 1 findings of severity error,
2 bad input or usage (with a message naming the record and the field)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from ..errors import InputError, PackError, SyncdoctorError
from ..host.host import Host
from ..model.money import dumps, loads
from ..model.records import open_input, read_records
from ..model.text import default_lang
from .render import plan_text, table

__all__ = ["main"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _host(args: argparse.Namespace) -> Host:
    host = Host.from_entry_points(engine=getattr(args, "engine", None))
    for broken in host.broken:
        _err(f"warning: plugin {broken.name} {broken.version or '?'} not loaded: {broken.reason}")
    return host


def _json_line(obj: Any) -> None:
    sys.stdout.write(dumps(obj) + "\n")


def _load_json_file(name: str, what: str) -> Any:
    try:
        with open_input(name) as fh:
            return loads(fh.read())
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"{what} {name} is not valid JSON: {str(exc)[:200]}") from None
    except RecursionError:
        raise UsageError(f"{what} {name} is nested too deeply") from None


# ---------------------------------------------------------------- commands


def cmd_plugins(args: argparse.Namespace) -> int:
    host = _host(args)
    rows: list[dict[str, Any]] = [
        {"name": p.name, "version": p.version, "hooks": list(p.hooks), "problems": p.problems, "status": "loaded"}
        for p in host.plugins.values()
    ] + [{"name": b.name, "version": b.version, "status": "broken", "reason": b.reason} for b in host.broken]
    if args.json:
        for row in rows:
            _json_line(row)
        return EXIT_OK
    _out(table(["plugin", "version", "problems", "hooks / reason"],
               [[r["name"], r["version"] or "?", r.get("problems", "-"),
                 ", ".join(r["hooks"]) if r["status"] == "loaded" else f"BROKEN: {r['reason']}"] for r in rows]))
    return EXIT_OK


def _detected_by(cp: Any) -> str:
    how = []
    if cp.root is not None:
        how.append("before sending (" + ", ".join(sorted(cp.kinds or ["*"])) + ")")
    if cp.signatures:
        how.append("from rejections")
    return "; ".join(how) or "reported by the core"


def cmd_problems(args: argparse.Namespace) -> int:
    host = _host(args)
    lang = args.lang
    rows = []
    for cp in host.catalog.problems.values():
        if args.plugin and cp.plugin != args.plugin:
            continue
        rows.append({
            "id": cp.id, "plugin": cp.plugin, "title": cp.problem.title.get(lang), "category": cp.problem.category,
            "severity": cp.problem.severity, "detected": _detected_by(cp),
            "before_sending": cp.root is not None, "from_rejections": bool(cp.signatures),
        })
    if args.plugin and not rows:
        raise UsageError(f"no plugin named {args.plugin!r} is loaded (see `syncdoctor plugins`)")
    if args.json:
        for row in rows:
            _json_line(row)
        return EXIT_OK
    _out(table(["id", "category", "severity", "detected", "title"],
               [[r["id"], r["category"], r["severity"], r["detected"], r["title"]] for r in rows]))
    return EXIT_OK


def _print_diagnosis(diag: dict[str, Any], lang: str) -> None:
    fr = lang == "fr"
    _out(f"{'Problème' if fr else 'Problem'}: {diag['problem']}" + (f"  ({diag.get('title')})" if diag.get("title") else ""))
    if diag.get("vendor"):
        _out(f"{'Éditeur' if fr else 'Vendor'}: {diag['vendor']}    {'Catégorie' if fr else 'Category'}: {diag.get('category') or '-'}")
    params = {k: v for k, v in diag.get("params", {}).items() if k not in ("pointer",)}
    if params:
        _out(f"{'Paramètres' if fr else 'Parameters'}: " + ", ".join(f"{k}={v}" for k, v in params.items()))
    if diag.get("causes"):
        _out("Causes:")
        for cause in diag["causes"]:
            _out(f"  - {cause}")
    _out(f"{'Que faire' if fr else 'What to do'}:")
    _out(plan_text(diag.get("remediation", {}), lang))


def _reports_from_file(name: str) -> Iterator[Any]:
    stream = open_input(name)
    try:
        yield from read_records(stream)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def cmd_classify(args: argparse.Namespace) -> int:
    host = _host(args)
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
            report["payload"] = _load_json_file(args.payload, "payload")
        reports = [report]
    bad = False
    for diags in host.classify_many(reports, vendor=args.vendor, lang=args.lang):
        for diag in diags:
            data = diag.model_dump(mode="json", exclude_none=True)
            bad = bad or data["problem"] == "core.invalid_input"
            if args.json or args.input:
                _json_line(data)
            else:
                _print_diagnosis(data, args.lang)
                _out()
    return EXIT_USAGE if bad else EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    host = _host(args)
    context = None
    if args.context:
        context = host.parse_context(_load_json_file(args.context, "context"))
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
    try:
        for result in host.validate_many(read_records(stream), context, lang=args.lang, plugins=plugins):
            any_record = True
            count += 1
            if tty and count % 10000 == 0:
                sys.stderr.write(f"\r{count} entities checked")
            for f in result.findings:
                if f.problem == "core.invalid_input":
                    worst = EXIT_USAGE
                elif f.severity == "error" and worst == EXIT_OK:
                    worst = EXIT_FINDINGS
            if args.json:
                _json_line(result.to_json())
            else:
                for f in result.findings:
                    rows.append([result.entity, f.severity, f.problem, f.path or "", f.message])
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    if tty and count >= 10000:
        sys.stderr.write("\n")
    if not any_record:
        raise UsageError("the input holds no records (expected a JSON array or JSON Lines of entities)")
    if not args.json:
        if rows:
            _out(table(["entity", "severity", "problem", "path", "message"], rows))
        fr = args.lang == "fr"
        _out(f"{count} {'entités vérifiées' if fr else 'entities checked'}, {len(rows)} "
             f"{'constats' if fr else 'findings'}")
    return worst


def cmd_remediate(args: argparse.Namespace) -> int:
    host = _host(args)
    doc: dict[str, Any] = {}
    if args.file:
        loaded = _load_json_file(args.file, "input")
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
        entity = _load_json_file(args.entity, "entity")
    context = _load_json_file(args.context, "context") if args.context else None
    if args.apply:
        if entity is None:
            raise UsageError("--apply needs an entity (--entity FILE, or {\"entity\": ...} in the input)")
        fixed, applied = host.apply_fixes(entity, context, problem=problem)
        remaining = [f for f in host.validate(fixed, context, lang=args.lang) if f.severity == "error"]
        if args.json:
            _json_line({"entity": fixed.model_dump(mode="json", exclude_none=True), "applied": applied,
                        "remaining": [f.model_dump(mode="json") for f in remaining]})
        else:
            _out(dumps(fixed.model_dump(mode="json", exclude_none=True), indent=2))
            _err(f"{len(applied)} automatic fix(es) applied; {len(remaining)} error finding(s) remain")
        return EXIT_FINDINGS if remaining else EXIT_OK
    if not problem:
        raise UsageError("give --problem ID, or a diagnosis/finding with a 'problem' field")
    if problem == "unknown":
        problem = "core.unknown_error"
    plans = host.remediate(problem, params, entity, context, lang=args.lang)
    for plan in plans:
        data = plan.model_dump(mode="json", exclude_none=True)
        if args.json:
            _json_line(data)
        else:
            _out(f"{data['problem']}: {data['title']}")
            _out(plan_text(data, args.lang))
    return EXIT_OK


def cmd_fetch(args: argparse.Namespace, host: Host) -> int:
    options: dict[str, Any] = {"base_url": args.base_url, "since": args.since, "until": args.until}
    state_file = Path(args.state) if args.state else None
    if state_file and state_file.exists():
        options["state"] = _load_json_file(str(state_file), "state")
    for opt in host.sources().get(args.source, ()):
        key = opt.flag.lstrip("-").replace("-", "_")
        value = getattr(args, key, None)
        if value is None and opt.env:
            value = os.environ.get(opt.env)
        if value is None:
            value = opt.default
        if value is not None:
            options[key] = SecretStr(value) if opt.secret else value
    result = host.fetch(args.source, options)
    count = 0
    for entity in result:
        _json_line(entity.model_dump(mode="json", exclude_none=True))
        count += 1
    if state_file:
        state_file.write_text(dumps(result.state, indent=2))
    stats = ", ".join(f"{k}={v}" for k, v in sorted(result.stats.items()))
    _err(f"{count} entities fetched" + (f" ({stats})" if stats else ""))
    return EXIT_OK


def cmd_sandbox(args: argparse.Namespace) -> int:
    host = _host(args)
    factories = host.sandboxes()
    if args.vendor not in factories:
        raise UsageError(f"no sandbox named {args.vendor!r}; available: " + ", ".join(sorted(factories)))
    try:
        server = factories[args.vendor](port=args.port, faults=args.faults)
    except (ValueError, OverflowError) as exc:
        raise UsageError(f"sandbox {args.vendor}: {exc}") from None
    except OSError as exc:
        raise UsageError(f"sandbox {args.vendor} cannot listen on port {args.port}: {exc.strerror or exc}") from None
    _err(f"{args.vendor} sandbox listening on {server.url} (Ctrl-C to stop)"
         + (f"; faults: {args.faults}" if args.faults else ""))
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    host = _host(args)
    return run_demo(host, args.lang, as_json=args.json)


def cmd_rules(args: argparse.Namespace) -> int:
    from .lint import lint_paths, schema_json

    if args.rules_command == "schema":
        _out(schema_json())
        return EXIT_OK
    problems = lint_paths([Path(p) for p in args.paths])
    if args.json:
        for p in problems:
            _json_line(p)
    else:
        for p in problems:
            _err(p["message"])
        if not problems:
            _out("ok: " + ", ".join(args.paths))
    return EXIT_USAGE if problems else EXIT_OK


def cmd_plugin(args: argparse.Namespace) -> int:
    from ..testing.scaffold import write_plugin

    path = write_plugin(args.name, Path(args.dir))
    _out(f"created plugin {args.name} in {path}")
    _out(f"next: pip install -e {path} && pytest {path}")
    return EXIT_OK


# ---------------------------------------------------------------- parser


def build_parser(host_for_sources: Host | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="syncdoctor", description="Explain and fix accounting-sync rejections.")
    parser.add_argument("--engine", choices=["native", "durable"], default=None,
                        help="rule engine (default native, or $SYNCDOCTOR_ENGINE)")
    parser.add_argument("--lang", choices=["en", "fr"], default=default_lang(),
                        help="language of causes and steps (default from the locale)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument("--lang", choices=["en", "fr"], default=argparse.SUPPRESS)
        p.add_argument("--engine", choices=["native", "durable"], default=argparse.SUPPRESS)
        return p

    p = add("plugins", "list loaded plugins, and broken ones with the reason")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plugins)

    p = add("problems", "the problem catalog")
    p.add_argument("--plugin")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_problems)

    p = add("classify", "diagnose a vendor's error message")
    p.add_argument("message", nargs="?", help="the message, or - for stdin")
    p.add_argument("--vendor")
    p.add_argument("--status", type=int, help="HTTP status")
    p.add_argument("--code", help="vendor error code")
    p.add_argument("--payload", help="JSON file with the raw response body (e.g. a QuickBooks Fault)")
    p.add_argument("--input", help="JSON Lines of {vendor, message, http_status, code, payload}; - for stdin")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_classify)

    p = add("validate", "check entities before sending them")
    p.add_argument("file", help="JSON array or JSON Lines of entities; - for stdin")
    p.add_argument("--vendor", help="only this plugin's rules")
    p.add_argument("--context", help="JSON file keyed by plugin name")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_validate)

    p = add("remediate", "the plan for a diagnosis or finding; --apply fixes an entity")
    p.add_argument("file", nargs="?", help="a diagnosis, a finding, or {entity, problem} as JSON; - for stdin")
    p.add_argument("--problem")
    p.add_argument("--params", help="JSON object of params")
    p.add_argument("--entity", help="JSON file with the entity")
    p.add_argument("--context", help="JSON file keyed by plugin name")
    p.add_argument("--apply", action="store_true", help="apply automatic patches and print the fixed entity")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_remediate)

    p = add("fetch", "fetch transactions from a source as JSON Lines")
    fetch_sub = p.add_subparsers(dest="source", metavar="SOURCE")
    sources = host_for_sources.sources() if host_for_sources else {}
    for source, opts in sorted(sources.items()):
        sp = fetch_sub.add_parser(source, help=f"fetch from {source}")
        sp.add_argument("--base-url", required=True, help="API base URL (a sandbox's URL to try things)")
        sp.add_argument("--since", help="ISO date or datetime")
        sp.add_argument("--until", help="ISO date or datetime")
        sp.add_argument("--state", help="JSON file: read to resume, written with where this fetch stopped")
        for opt in opts:
            help_text = opt.help + (f" (or ${opt.env})" if opt.env else "")
            sp.add_argument(opt.flag, help=help_text, default=None)
        sp.set_defaults(func=None)
    p.set_defaults(func=None, fetch=True)

    p = add("sandbox", "serve a local fake of a vendor's API")
    p.add_argument("vendor")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--faults", help="comma-separated: 429,500,drop,duplicate-page,slow")
    p.set_defaults(func=cmd_sandbox)

    p = add("demo", "the whole loop on bundled data, over loopback sandboxes")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_demo)

    p = add("rules", "lint a rule pack or print the JSON Schema")
    rules_sub = p.add_subparsers(dest="rules_command", metavar="lint|schema")
    lint = rules_sub.add_parser("lint", help="check rule packs: schema, RE2 patterns, examples")
    lint.add_argument("paths", nargs="+")
    lint.add_argument("--json", action="store_true")
    rules_sub.add_parser("schema", help="print the JSON Schema of rule packs")
    p.set_defaults(func=cmd_rules)

    p = add("plugin", "create a new plugin package")
    plugin_sub = p.add_subparsers(dest="plugin_command", metavar="new")
    new = plugin_sub.add_parser("new", help="write a complete plugin package for a new accounting tool")
    new.add_argument("name")
    new.add_argument("--dir", default=".")
    p.set_defaults(func=cmd_plugin)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):  # a lone surrogate in input is written as \udXXX, not a crash
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    host_for_sources = None
    if "fetch" in argv:
        try:
            host_for_sources = Host.from_entry_points()
        except SyncdoctorError as exc:
            _err(f"syncdoctor: {exc}")
            return EXIT_USAGE
    parser = build_parser(host_for_sources)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else EXIT_USAGE
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        if getattr(args, "fetch", False):
            if not args.source:
                raise UsageError("name a SOURCE: " + ", ".join(sorted(host_for_sources.sources() if host_for_sources else [])))
            assert host_for_sources is not None
            return cmd_fetch(args, host_for_sources)
        if args.command == "rules" and not args.rules_command:
            raise UsageError("rules: use `rules lint PATH` or `rules schema`")
        if args.command == "plugin" and not args.plugin_command:
            raise UsageError("plugin: use `plugin new NAME`")
        return int(args.func(args))
    except UsageError as exc:
        _err(f"syncdoctor: {exc}")
        return EXIT_USAGE
    except PackError as exc:
        _err(f"syncdoctor: {exc}")
        return EXIT_USAGE
    except InputError as exc:
        _err(f"syncdoctor: {exc}")
        return EXIT_USAGE
    except SyncdoctorError as exc:
        _err(f"syncdoctor: {exc}")
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
