"""`syncdoctor db upgrade` and `syncdoctor ledger ...` as a user runs them: subprocesses."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from syncdoctor.ledger import Database
from syncdoctor.ledger.ledger import Ledger

from .helpers import rejected


def syncdoctor(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """`syncdoctor ...` when the command is wired into the entry point, else its module."""
    exe = shutil.which("syncdoctor", path=str(Path(sys.executable).parent))
    cmd = [exe, *args] if exe and subprocess.run([exe, args[0], "--help"], capture_output=True).returncode == 0 \
        else [sys.executable, "-m", f"syncdoctor.cli.{args[0]}", *args[1:]]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_db_upgrade_creates_then_finds_the_schema_current(db_url: str) -> None:
    behind = syncdoctor("db", "current", "--db", db_url, check=False)
    assert behind.returncode == 1 and "current none" in behind.stdout
    first = syncdoctor("db", "upgrade", "--db", db_url)
    assert "upgraded from an empty database to migration" in first.stderr
    again = syncdoctor("db", "upgrade", "--db", db_url)
    assert "already at migration" in again.stderr
    assert syncdoctor("db", "current", "--db", db_url).returncode == 0
    assert Database(db_url).is_current()


def test_db_upgrade_reads_the_url_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path}/env.db"
    monkeypatch.setenv("SYNCDOCTOR_DB", url)
    syncdoctor("db", "upgrade")
    assert Database(url).is_current()


def test_db_upgrade_says_what_is_wrong_without_a_traceback() -> None:
    result = syncdoctor("db", "upgrade", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/x", check=False)
    assert result.returncode == 2 and "OperationalError" in result.stderr and "Traceback" not in result.stderr


def test_ledger_commands_list_show_act_and_export(ledger: Ledger, db_url: str, tmp_path: Path) -> None:
    issue = ledger.record("acme", rejected())["issues"][0]
    ledger.record("acme", rejected(entity="i2"))
    ledger.record("globex", rejected())
    listed = syncdoctor("ledger", "list", "--tenant", "acme", "--db", db_url)
    assert len(listed.stdout.splitlines()) == 2 and "quickbooks.duplicate_document_number" in listed.stdout
    page = json.loads(syncdoctor("ledger", "list", "--tenant", "acme", "--db", db_url, "--json", "--limit", "1").stdout)
    assert len(page["items"]) == 1 and page["next_cursor"]
    shown = syncdoctor("ledger", "show", issue["id"], "--tenant", "acme", "--db", db_url)
    assert issue["id"] in shown.stdout and "1." in shown.stdout
    syncdoctor("ledger", "mute", issue["id"], "--tenant", "acme", "--db", db_url, "--note", "known")
    refused = syncdoctor("ledger", "mute", issue["id"], "--tenant", "acme", "--db", db_url, check=False)
    assert refused.returncode == 1 and "only an open issue can be muted" in refused.stderr
    syncdoctor("ledger", "resolve", issue["id"], "--tenant", "acme", "--db", db_url)
    skipped = syncdoctor("ledger", "skip", issue["id"], "--tenant", "acme", "--db", db_url, check=False)
    assert skipped.returncode == 1
    other = syncdoctor("ledger", "show", issue["id"], "--tenant", "globex", "--db", db_url, check=False)
    assert other.returncode == 1 and "not found" in other.stderr
    detail = ledger.issue("acme", issue["id"])
    assert [(a["action"], a["actor"].startswith("cli:")) for a in detail["actions"]] == [("mute", True),
                                                                                       ("resolve", True)]
    out = tmp_path / "acme.jsonl"
    syncdoctor("ledger", "export", "--tenant", "acme", "--db", db_url, "--output", str(out), "--status", "resolved")
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [issue["id"]]


def test_ledger_prune(ledger: Ledger, db_url: str) -> None:
    ledger.record("acme", rejected())
    assert "0 occurrences pruned" in syncdoctor("ledger", "prune", "--db", db_url).stderr
    assert "1 occurrences pruned" in syncdoctor("ledger", "prune", "--older-than", "0", "--db", db_url).stderr


def test_ledger_on_a_database_behind_says_to_upgrade(bare_db: Database, db_url: str) -> None:
    result = syncdoctor("ledger", "list", "--tenant", "acme", "--db", db_url, check=False)
    assert result.returncode == 2 and "syncdoctor db upgrade" in result.stderr
