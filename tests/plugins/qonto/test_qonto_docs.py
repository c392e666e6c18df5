"""The docs' host snippet (persist the fetch state, resume) runs as written."""

from __future__ import annotations

import json
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[3] / "docs" / "plugins" / "qonto.md"
MARKER = "<!-- tested by tests/plugins/qonto/test_qonto_docs.py -->"


def snippet() -> str:
    text = DOC.read_text(encoding="utf-8")
    after = text.split(MARKER, 1)[1]
    match = re.match(r"\s*```python\n(.*?)\n```", after, re.DOTALL)
    assert match, "the tested snippet must follow the marker"
    return match.group(1)


def test_the_resume_snippet_persists_the_state_and_resumes(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "qonto_docs_snippet"}
    exec(compile(snippet(), str(DOC), "exec"), namespace)
    first, rest, again = namespace["first"], namespace["rest"], namespace["again"]
    assert len(first) == 10 and len(rest) > 10 and again == []
    every = [e.id for e in first + rest]
    host = namespace["host"]
    with host.sandboxes()["qonto"]() as sandbox:  # one uninterrupted fetch of the same data
        whole = [e.id for e in host.fetch("qonto", {"base_url": sandbox.url, "login": "sandbox",
                                                    "secret_key": "sandbox"})]
    assert every == whole  # nothing lost, nothing twice across the interruption
    state = json.loads((tmp_path / "qonto-state.json").read_text())
    assert "resume" not in state and state["last_integration"]
    assert capsys.readouterr().out.split() == [str(len(first)), str(len(rest)), "0"]


def test_the_documented_problem_ids_are_the_pack_ones():
    from qonto_support import host

    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"`(qonto\.[a-z_]+)`", text))
    pack = {pid for pid, cp in host().catalog.problems.items() if cp.plugin == "qonto"}
    assert pack <= documented
    assert documented - pack <= {"qonto.to_entries", "qonto.payment_entry", "qonto.siret_valid",
                                   "qonto.before_history_limit"}
