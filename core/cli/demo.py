"""``syncdoctor demo``: every loaded plugin's scenario, over loopback sandboxes, in one report."""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from decimal import Decimal
from typing import Any

from ..host.host import Host
from ..model.demo import DemoSection
from ..model.labels import colon, counted, label, number
from ..model.money import dumps
from .command import add_command, open_host
from .terminal import Terminal

__all__ = ["collect_demo", "register", "run_demo"]

_LABELS = {
    "en": {"stage": "stage", "entity": "entity", "problem": "problem", "outcome": "outcome", "where": "who/where",
           "detail": "detail", "auto": "fixed automatically", "person": "needs a person", "summary": "Summary",
           "took": "took", "failed": "scenario failed", "by_system": "where a person must act",
           "details": "every event: syncdoctor demo --verbose"},
    "fr": {"stage": "étape", "entity": "entité", "problem": "problème", "outcome": "résultat", "where": "qui/où",
           "detail": "détail", "auto": "corrigés automatiquement", "person": "à traiter par une personne",
           "summary": "Synthèse", "took": "durée", "failed": "scénario en échec", "by_system": "où une personne doit agir",
           "details": "chaque événement : syncdoctor demo --verbose"},
}


def collect_demo(host: Host, lang: str) -> list[DemoSection]:
    sections: list[DemoSection] = []
    for loaded in host.plugins.values():
        if loaded.spec.demo is None:
            continue
        try:
            section = loaded.spec.demo(host, lang)
        except Exception as exc:  # one failing scenario must not hide the others
            section = DemoSection(loaded.name, loaded.name)
            section.add("demo", "needs_person", f"{_LABELS[lang]['failed']}{colon(lang)} {type(exc).__name__}: {exc}")
        sections.append(section)
    return sections


def summary(sections: list[DemoSection]) -> dict[str, Any]:
    fixed = sum(1 for s in sections for e in s.events if e.outcome == "fixed")
    person = [e for s in sections for e in s.events if e.outcome == "needs_person"]
    by_system: dict[str, int] = {}
    for e in person:
        by_system[e.system or "?"] = by_system.get(e.system or "?", 0) + 1
    problems = sorted({p for s in sections for p in s.problems})
    # the demo's own failures: a scenario that raised, a plugin that failed inside one
    failures = [f"{s.title}: {e.detail}" for s in sections for e in s.events
                if e.stage == "demo" or e.problem == "core.plugin_error"]
    return {"sections": len(sections), "problems": problems, "fixed_automatically": fixed,
            "needs_person": len(person), "needs_person_by_system": by_system, "failures": failures}


def run_demo(host: Host, lang: str, as_json: bool = False, verbose: bool = False, color: str | None = None) -> int:
    start = time.monotonic()
    sections = collect_demo(host, lang)
    elapsed = time.monotonic() - start
    info = summary(sections)
    if as_json:
        sys.stdout.write(dumps({"sections": [s.to_json() for s in sections], "summary": info,
                                "seconds": round(elapsed, 2)}, indent=2) + "\n")
        return 1 if info["failures"] else 0
    L, c, t = _LABELS[lang], colon(lang), Terminal(color)
    width = t.width if t.is_tty else 80

    def say(text: str, indent: int = 0, style: str = "") -> None:
        if t.rich:
            t.line((text, style), indent=indent)
        else:  # a pipe or a file: still 80 columns, for a ticket or a terminal later
            sys.stdout.write(textwrap.fill(text, width, initial_indent=" " * indent, subsequent_indent=" " * (indent + 2),
                                           break_long_words=True, break_on_hyphens=False) + "\n")

    for s in sections:
        say("")
        say(f"== {s.title} ==", style="bold")
        say(" · ".join(f"{_word(k, lang)} {v}" for k, v in sorted(s.counts.items())), indent=2)
        if verbose:
            for e in s.events:
                where = label("auto", lang) if e.automatic else label(e.system or "", lang)
                head = " · ".join(x for x in (label(e.stage, lang), _word(e.outcome, lang), e.entity, e.problem, where) if x)
                say(head, indent=2, style=_OUTCOME_STYLE.get(e.outcome, ""))
                say(e.detail, indent=6)
        else:
            for problem, outcomes in _by_problem(s).items():
                say(f"{problem}  " + ", ".join(f"{_word(o, lang)} {n}" for o, n in outcomes.items()), indent=2)
        for note in s.notes:
            say(f"* {note}", indent=2, style="dim")
    say("")
    say(f"== {L['summary']} ==", style="bold")
    say(f"{counted(len(info['problems']), 'problem', lang)}" + (f"{c} {', '.join(info['problems'])}" if verbose else ""))
    say(f"{L['auto']}{c} {info['fixed_automatically']}    {L['person']}{c} {info['needs_person']}")
    if info["needs_person_by_system"]:
        where = ", ".join(f"{label(k, lang)}{c} {v}" for k, v in sorted(info["needs_person_by_system"].items()))
        say(f"{L['by_system']}{c} {where}")
    say(f"{L['took']}{c} {number(Decimal(f'{elapsed:.1f}'), lang)} s")
    for failure in info["failures"]:
        say(f"! {failure}", style="bold red")
    if not verbose:
        say(L["details"], style="dim")
    return 1 if info["failures"] else 0


def _word(outcome: str, lang: str) -> str:
    return label(outcome, lang).replace("_", " ")


_OUTCOME_STYLE = {"flagged": "yellow", "rejected": "red", "needs_person": "bold red", "fixed": "green",
                  "accepted": "green"}


def _by_problem(section: DemoSection) -> dict[str, dict[str, int]]:
    """Each problem of a section and how often each outcome met it, in order of appearance."""
    found: dict[str, dict[str, int]] = {}
    for e in section.events:
        if e.problem:
            outcomes = found.setdefault(e.problem, {})
            outcomes[e.outcome] = outcomes.get(e.outcome, 0) + 1
    return found


def cmd_demo(args: argparse.Namespace) -> int:
    return run_demo(open_host(args), args.lang, as_json=args.json, verbose=args.verbose, color=args.color)


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "demo", "the whole loop on bundled data, over loopback sandboxes",
                    ("syncdoctor demo", "syncdoctor demo --verbose", "syncdoctor --lang fr demo"),
                    "Run every loaded plugin's scenario (fetch, validate, push, classify, fix, resend) "
                    "against loopback sandboxes and report a summary per scenario; --verbose lists every event. "
                    "Exit 0, or 1 when a scenario failed or a plugin failed inside one (listed last).")
    p.add_argument("-v", "--verbose", action="store_true", help="every event of every scenario (e.g. --verbose)")
    p.add_argument("--json", action="store_true", help="the whole report as one JSON document (e.g. --json)")
    p.set_defaults(handler=cmd_demo)
