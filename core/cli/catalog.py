"""``syncdoctor plugins`` and ``syncdoctor problems``: what is loaded, and the problem catalog."""

from __future__ import annotations

import argparse
from typing import Any

from ..model.labels import colon, label
from ..model.text import general
from .command import EXIT_OK, UsageError, add_command, json_line, open_host
from .terminal import Terminal

__all__ = ["register"]


def cmd_plugins(args: argparse.Namespace) -> int:
    host = open_host(args)
    rows: list[dict[str, Any]] = [
        {"name": p.name, "version": p.version, "hooks": list(p.hooks), "problems": p.problems, "status": "loaded"}
        for p in host.plugins.values()
    ] + [{"name": b.name, "version": b.version, "status": "broken", "reason": b.reason} for b in host.broken]
    if args.json:
        for row in rows:
            json_line(row)
        return EXIT_OK
    fr = args.lang == "fr"
    broken = "EN ÉCHEC" if fr else "BROKEN"
    Terminal(args.color).table(
        ["plugin", "version", "problèmes", "hooks / raison"] if fr else ["plugin", "version", "problems", "hooks / reason"],
        [[r["name"], r["version"] or "?", r.get("problems", "-"),
          ", ".join(r["hooks"]) if r["status"] == "loaded" else f"{broken}{colon(args.lang)} {r['reason']}"]
         for r in rows], keep=(0, 1))
    return EXIT_OK


_DETECTED = {
    "en": ("before sending", "from rejections", "reported by the core"),
    "fr": ("avant l'envoi", "dans les rejets", "signalé par le cœur"),
}


def _detected_by(cp: Any, lang: str = "en") -> str:
    before, rejections, core = _DETECTED["fr" if lang == "fr" else "en"]
    how = []
    if cp.root is not None:
        how.append(before + " (" + ", ".join(sorted(cp.kinds or ["*"])) + ")")
    if cp.signatures:
        how.append(rejections)
    return (" ; " if lang == "fr" else "; ").join(how) or core  # French sets a space before ;


def cmd_problems(args: argparse.Namespace) -> int:
    host = open_host(args)
    lang = args.lang
    rows: list[dict[str, Any]] = []
    for cp in host.catalog.problems.values():
        if args.plugin and cp.plugin != args.plugin:
            continue
        rows.append({
            "id": cp.id, "plugin": cp.plugin, "title": general(cp.problem.title.get(lang)),
            "category": cp.problem.category, "category_label": cp.problem.category_label(lang),
            "severity": cp.problem.severity, "detected": _detected_by(cp),
            "before_sending": cp.root is not None, "from_rejections": bool(cp.signatures),
        })
    if args.plugin and not rows:
        raise UsageError(f"no plugin named {args.plugin!r} is loaded (see `syncdoctor plugins`)")
    if args.json:
        for row in rows:
            json_line(row)
        return EXIT_OK
    # the JSON keeps the category's key and English words; the table speaks the reader's language
    problems = host.catalog.problems
    terminal = Terminal(args.color)
    # a narrow terminal drops the "detected" column (the JSON and a wide terminal have it)
    wide = not terminal.is_tty or terminal.width >= 140
    headers = (["id", "catégorie", "gravité", "détection", "titre"] if lang == "fr"
               else ["id", "category", "severity", "detected", "title"])
    table = [[r["id"], r["category_label"], label(r["severity"], lang), _detected_by(problems[r["id"]], lang),
              r["title"]] for r in rows]
    if not wide:
        headers = headers[:3] + headers[4:]
        table = [row[:3] + row[4:] for row in table]
    terminal.table(headers, table, keep=(0,), styles=("bold cyan",))
    return EXIT_OK


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "plugins", "list loaded plugins, and broken ones with the reason",
                    ("syncdoctor plugins", "syncdoctor plugins --json"))
    p.add_argument("--json", action="store_true", help="one JSON object per plugin (e.g. --json)")
    p.set_defaults(handler=cmd_plugins)

    p = add_command(subparsers, "problems", "the problem catalog", ("syncdoctor problems --plugin acd",
                    "syncdoctor --lang fr problems", "syncdoctor problems --json"))
    p.add_argument("--plugin", help="only this plugin's problems (e.g. --plugin quickbooks)")
    p.add_argument("--json", action="store_true", help="one JSON object per problem (e.g. --json)")
    p.set_defaults(handler=cmd_problems)
