"""``syncdoctor demo``: every loaded plugin's scenario, over loopback sandboxes, in one report."""

from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal
from typing import Any

from ..host.host import Host
from ..model.demo import DemoSection
from ..model.labels import colon, counted, label, number
from ..model.money import dumps
from .command import add_command, open_host
from .render import table

__all__ = ["collect_demo", "register", "run_demo"]

_LABELS = {
    "en": {"stage": "stage", "entity": "entity", "problem": "problem", "outcome": "outcome", "where": "who/where",
           "detail": "detail", "auto": "fixed automatically", "person": "needs a person", "summary": "Summary",
           "took": "took", "failed": "scenario failed", "by_system": "where a person must act"},
    "fr": {"stage": "étape", "entity": "entité", "problem": "problème", "outcome": "résultat", "where": "qui/où",
           "detail": "détail", "auto": "corrigés automatiquement", "person": "à traiter par une personne",
           "summary": "Synthèse", "took": "durée", "failed": "scénario en échec", "by_system": "où une personne doit agir"},
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
            section.add("demo", "needs_person", f"{_LABELS[lang]['failed']}: {type(exc).__name__}: {exc}")
        sections.append(section)
    return sections


def summary(sections: list[DemoSection]) -> dict[str, Any]:
    fixed = sum(1 for s in sections for e in s.events if e.outcome == "fixed")
    person = [e for s in sections for e in s.events if e.outcome == "needs_person"]
    by_system: dict[str, int] = {}
    for e in person:
        by_system[e.system or "?"] = by_system.get(e.system or "?", 0) + 1
    problems = sorted({p for s in sections for p in s.problems})
    return {"sections": len(sections), "problems": problems, "fixed_automatically": fixed,
            "needs_person": len(person), "needs_person_by_system": by_system}


def run_demo(host: Host, lang: str, as_json: bool = False) -> int:
    start = time.monotonic()
    sections = collect_demo(host, lang)
    elapsed = time.monotonic() - start
    info = summary(sections)
    if as_json:
        sys.stdout.write(dumps({"sections": [s.to_json() for s in sections], "summary": info,
                                "seconds": round(elapsed, 2)}, indent=2) + "\n")
        return 0
    L = _LABELS[lang]
    for s in sections:
        sys.stdout.write(f"\n== {s.title} ==\n")
        rows = [[label(e.stage, lang), e.entity or "", e.problem or "", label(e.outcome, lang),
                 (label("auto", lang) if e.automatic else label(e.system or "", lang)), e.detail] for e in s.events]
        sys.stdout.write(table([L["stage"], L["entity"], L["problem"], L["outcome"], L["where"], L["detail"]], rows) + "\n")
        counts = ", ".join(f"{label(k, lang)}{colon(lang)} {v}" for k, v in sorted(s.counts.items()))
        sys.stdout.write(f"   {counts}\n")
        for note in s.notes:
            sys.stdout.write(f"   * {note}\n")
    sys.stdout.write(f"\n== {L['summary']} ==\n")
    c = colon(lang)
    sys.stdout.write(f"{counted(len(info['problems']), 'problem', lang)}{c} {', '.join(info['problems'])}\n")
    sys.stdout.write(f"{L['auto']}{c} {info['fixed_automatically']}    {L['person']}{c} {info['needs_person']}\n")
    if info["needs_person_by_system"]:
        where = ", ".join(f"{label(k, lang)}{c} {v}" for k, v in sorted(info["needs_person_by_system"].items()))
        sys.stdout.write(f"{L['by_system']}{c} {where}\n")
    sys.stdout.write(f"{L['took']}{c} {number(Decimal(f'{elapsed:.1f}'), lang)} s\n")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    return run_demo(open_host(args), args.lang, as_json=args.json)


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "demo", "the whole loop on bundled data, over loopback sandboxes")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_demo)
