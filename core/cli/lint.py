"""``syncdoctor rules lint`` and ``rules schema``."""

from __future__ import annotations

import argparse
import functools
import json
import re
from collections import defaultdict
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from ..errors import PackError
from ..host.loading import ENTRY_POINT_GROUP
from ..model.plans import SYSTEMS
from ..rules.catalog import compile_problem
from ..rules.loader import load_pack
from ..rules.schema import Problem, RulePack
from .command import EXIT_FINDINGS, EXIT_OK, UsageError, add_command, err, json_line, out

__all__ = ["lint_paths", "register", "schema_json"]


def schema_json() -> str:
    schema = RulePack.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "syncdoctor rule pack"
    return json.dumps(schema, indent=2, ensure_ascii=False)


class _AnyFunction(dict[str, Any]):
    """Lets a pack compile outside its plugin: named checks are only known to the plugin."""

    def __missing__(self, key: str) -> Any:
        return lambda *args: None

    def __contains__(self, key: object) -> bool:
        return True


def _problem_lines(path: Path) -> dict[str, int]:
    lines: dict[str, int] = {}
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return lines
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        if key.value == "problems" and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                if isinstance(item, yaml.MappingNode):
                    for k, v in item.value:
                        if k.value == "id":
                            lines[str(v.value)] = item.start_mark.line + 1
    return lines


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.suffix in (".yaml", ".yml")))
        else:
            out.append(p)
    return out


def lint_pack(path: Path) -> list[dict[str, Any]]:
    """Schema, RE2 patterns, paths, examples present, texts in both languages."""
    found: list[dict[str, Any]] = []

    def report(problem: str | None, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line else str(path)
        found.append({"file": str(path), "line": line, "problem": problem,
                      "message": f"{where}: {problem + ': ' if problem else ''}{message}"})

    try:
        pack = load_pack(path)
    except PackError as exc:
        for error in exc.errors:
            report(error.problem, error.line, error.expected)
        return found
    lines = _problem_lines(path)
    seen: set[str] = set()
    for problem in pack.problems:
        line = lines.get(problem.id)
        if problem.id in seen:
            report(problem.id, line, "this problem id is defined twice")
        seen.add(problem.id)
        if not problem.id.startswith(pack.plugin + "."):
            report(problem.id, line, f"the id must start with the pack's plugin name {pack.plugin!r}.")
        try:
            compile_problem(problem, pack.plugin, _AnyFunction(), str(path))
        except PackError as exc:
            report(problem.id, line, exc.expected)
        ex = problem.examples
        if problem.match and not ex.match:
            report(problem.id, line, "has signatures (match:) but no examples.match messages")
        if problem.detect and not (ex.flagged and ex.clean):
            report(problem.id, line, "has a detect condition but lacks examples.flagged and examples.clean entities")
        # the core's pack also names problems its own code raises (bad input, a failing plugin,
        # repeated failures...): they carry texts and plans, and nothing in the pack finds them
        if not problem.match and not problem.detect and pack.plugin != "core":
            report(problem.id, line, "has neither a detect condition nor a match signature: nothing can find it")
        for name in _unknown_identity(problem):
            report(problem.id, line, f"identity names param {name!r}, which no signature, detect param or "
                   "example gives (an example's params: show the one a plugin hook adds)")
        texts = [problem.title, *problem.causes, *( [problem.message] if problem.message else [])]
        steps = list(problem.remediation.steps) + [s for alt in problem.remediation.alternatives for s in alt.steps]
        texts += [s.instructions for s in steps]
        if any(not t.en.strip() or not t.fr.strip() for t in texts):
            report(problem.id, line, "a text is empty in English or French")
        for system in sorted({s.system for s in steps} - set(SYSTEMS) - _declared_systems(pack.plugin)):
            report(problem.id, line, f"a step names system {system!r}, neither shared ({', '.join(SYSTEMS)}) nor "
                   f"declared by an installed plugin {pack.plugin!r} (PluginSpec.systems)")
    return found


_GROUP = re.compile(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>")


def _unknown_identity(problem: Problem) -> list[str]:
    """The names in the problem's ``identity:`` that nothing in its pack shows it can carry."""
    if not problem.identity:
        return []
    known = set(problem.detect.params) if problem.detect else set()
    for sig in problem.match:
        known.update(sig.params, _GROUP.findall(sig.pattern or ""))
    ex = problem.examples
    for example in [*ex.match, *ex.flagged]:
        known.update(getattr(example, "params", {}))
    return [name for name in dict.fromkeys(problem.identity) if name not in known]


@functools.cache
def _declared_systems(plugin: str) -> frozenset[str]:
    """The systems an installed plugin declares (none when it is not installed or fails)."""
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP, name=plugin):
        try:
            obj = ep.load()
            spec = obj.register_plugin() if hasattr(obj, "register_plugin") else None
        except Exception:
            return frozenset()
        return frozenset(getattr(spec, "systems", ()) or ())
    return frozenset()


def lint_paths(paths: list[Path], notes: list[str] | None = None) -> list[dict[str, Any]]:
    """Every finding on the packs under ``paths``; ``notes`` receives what could not be
    checked and why (examples of a pack whose plugin is not installed)."""
    found: list[dict[str, Any]] = []
    notes = notes if notes is not None else []
    files = _files(paths)
    if not files:
        raise UsageError(f"{', '.join(map(str, paths))}: no .yaml rule pack found")
    by_plugin: dict[str, list[Path]] = defaultdict(list)
    for path in files:
        issues = lint_pack(path)
        found.extend(issues)
        if not issues:
            try:
                by_plugin[load_pack(path).plugin].append(path)
            except PackError:
                pass
    found.extend(_run_installed_examples(by_plugin, notes))
    return found


def _run_installed_examples(by_plugin: dict[str, list[Path]], notes: list[str]) -> list[dict[str, Any]]:
    """Run the examples of packs whose plugin is installed (its named checks are needed); the
    core's pack runs on a host with no plugin at all."""
    from ..host.examples import run_examples
    from ..host.host import Host

    out: list[dict[str, Any]] = []
    for plugin, paths in by_plugin.items():
        if plugin == "core":
            installed = Path(str(files("syncdoctor") / "packs" / "core.yaml")).resolve()
            copies = [p for p in paths if p.resolve() != installed]
            if copies:
                notes.append(f"{', '.join(map(str, copies))}: examples not run: a host always loads the installed "
                             f"core pack ({installed}), not a copy of it")
            if len(copies) < len(paths):
                out.extend(_core_examples(paths))
            continue
        names = ", ".join(map(str, paths))
        host = Host.from_entry_points(names=[plugin])
        loaded = host.plugins.get(plugin)
        if loaded is None:
            broken = [b for b in host.broken if b.name == plugin]
            why = (f"the installed plugin {plugin!r} failed to load: {broken[0].reason}"
                   if broken and "not installed" not in broken[0].reason
                   else f"no installed plugin is named {plugin!r} (install its package, e.g. pip install -e .)")
            notes.append(f"{names}: examples not run: {why}; its named checks are only known to the plugin")
            continue
        mine = {Path(str(p)).resolve() for p in loaded.spec.packs}
        others = [p for p in paths if p.resolve() not in mine]
        if others:
            notes.append(f"{', '.join(map(str, others))}: examples not run: the installed plugin {plugin!r} "
                         f"ships other files ({', '.join(sorted(Path(str(p)).name for p in loaded.spec.packs))}), "
                         "so its checks may not match these; install this copy (pip install -e .) to run them")
            if len(others) == len(paths):
                continue
        for failure in run_examples(host, plugin):
            out.append({"file": str(paths[0]), "line": None, "problem": failure.problem,
                        "message": f"{paths[0]}: {failure}"})
    return out


def _core_examples(paths: list[Path]) -> list[dict[str, Any]]:
    """The core's problems answer by HTTP status and generic texts: their examples run on a
    host with no plugin (the packs of plugins could answer first otherwise)."""
    from ..host.host import Host
    from ..model.reports import ErrorReport

    host = Host([])
    out: list[dict[str, Any]] = []
    for cp in host.catalog.problems.values():
        if cp.plugin != "core":
            continue
        for kind, examples, want in (("match", cp.problem.examples.match, True),
                                     ("no_match", cp.problem.examples.no_match, False)):
            for i, ex in enumerate(examples, 1):
                report = (ErrorReport(message=ex) if isinstance(ex, str) else
                          ErrorReport(vendor=ex.vendor, message=ex.message, code=ex.code, http_status=ex.http_status,
                                      payload=ex.payload))
                got = [d.problem for d in host.classify(report)]
                if (cp.id in got) != want:
                    out.append({"file": str(paths[0]), "line": None, "problem": cp.id,
                                "message": f"{paths[0]}: {cp.id} [{kind} #{i}]: {report.message[:80]!r} classified "
                                           f"as {', '.join(got) or 'nothing'}"})
    return out


def cmd_rules(args: argparse.Namespace) -> int:
    if not args.rules_command:
        raise UsageError("rules: use `rules lint PATH` or `rules schema`")
    if args.rules_command == "schema":
        out(schema_json())
        return EXIT_OK
    paths = [Path(p) for p in args.paths]
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or directory")
        if not (path.is_dir() or path.is_file()):
            raise UsageError(f"{path}: not a file or a directory (a rule pack is a .yaml file)")
    notes: list[str] = []
    problems = lint_paths(paths, notes)
    if args.json:
        for p in problems:
            json_line(p)
        for note in notes:
            json_line({"file": note.split(":", 1)[0], "line": None, "problem": None, "note": note})
    else:
        for p in problems:  # findings are the command's output, as a linter's: `> report.txt` keeps them
            out(p["message"])
        for note in notes:
            err(f"note: {note}")
        if not problems:
            out(("ok (with examples not run, see the notes): " if notes else "ok: ") + ", ".join(args.paths))
    return EXIT_FINDINGS if problems else EXIT_OK


EXAMPLES = (
    "syncdoctor rules lint plugins/acd/rules",
    "syncdoctor rules lint --json plugins/qonto/rules",
    "syncdoctor rules schema > rule-pack.schema.json",
)


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "rules", "lint a rule pack or print the JSON Schema", EXAMPLES,
                    "Check rule packs (schema, RE2 patterns, paths, texts in both languages, and their "
                    "examples, run with the pack's own plugin when it is installed), or print the JSON "
                    "Schema of packs. Exit 0 clean, 1 lint findings, 2 usage error (no such path).")
    rules_sub = p.add_subparsers(dest="rules_command", metavar="lint|schema")
    lint = rules_sub.add_parser("lint", help="check rule packs: schema, RE2 patterns, examples",
                                description="Check rule packs: one line per finding on stdout (every schema "
                                            "error of a pack, not only the first); exit 0 clean, 1 findings, "
                                            "2 usage error.",
                                epilog="examples:\n  " + "\n  ".join(EXAMPLES[:2]),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    lint.add_argument("paths", nargs="+", help="rule pack files or folders of them (e.g. plugins/acd/rules)")
    lint.add_argument("--json", action="store_true", help="one JSON object per finding or note (e.g. --json)")
    rules_sub.add_parser("schema", help="print the JSON Schema of rule packs",
                         description="Print the JSON Schema of rule packs (for editors and CI).",
                         epilog="examples:\n  " + EXAMPLES[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(handler=cmd_rules)
