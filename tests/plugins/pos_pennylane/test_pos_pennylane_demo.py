"""The demo section: the whole loop over the loopback sandbox, in English and French, quickly."""

from __future__ import annotations

import time

import pytest

from syncdoctor import DemoSection, Host


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_demo_runs_the_loop_and_names_its_problems(host: Host, lang: str) -> None:
    demo = host.plugins["pos_pennylane"].spec.demo
    assert demo is not None
    started = time.monotonic()
    section = demo(host, lang)
    assert time.monotonic() - started < 5
    assert isinstance(section, DemoSection)
    assert (section.name, section.title) == ("pos_pennylane", "POS → Pennylane")
    stages = [(e.stage, e.outcome, e.problem) for e in section.events]
    assert stages[0] == ("fetch", "ok", None)
    assert ("validate", "flagged", "pos_pennylane.lines_total_mismatch") in stages
    assert ("fix", "fixed", "pos_pennylane.lines_total_mismatch") in stages
    entries = [e for e in section.events if e.entity and e.entity.startswith("Z-") and e.outcome == "ok"]
    assert [e.entity for e in entries] == ["Z-2026-09-01", "Z-2026-09-02"]
    diagnosed = [e for e in section.events if e.stage == "diagnose"]
    assert [e.entity for e in diagnosed] == ["day-2026-08-30", "day-2026-09-02", "day-2026-09-03"]
    reasons = ["before_start_date", "execution_error", "day_open"]
    assert all(r in e.detail for r, e in zip(reasons, diagnosed, strict=True))
    assert {e.problem for e in diagnosed} == {"pos_pennylane.day_not_imported"}
    classified = [e for e in section.events if e.stage == "classify"]
    assert [e.problem for e in classified] == ["pos_pennylane.lines_total_mismatch"]
    assert section.problems == ["pos_pennylane.day_not_imported", "pos_pennylane.lines_total_mismatch"]
    marker = {"en": "was not imported", "fr": "n'a pas été importée"}[lang]
    assert marker in diagnosed[0].detail
