"""Tenants never see each other's issues, by construction: every statement goes through
TenantScope, and another tenant's issue is simply not found."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import syncdoctor.ledger
from syncdoctor.ledger import IssueNotFound
from syncdoctor.ledger.ledger import Ledger
from syncdoctor.ledger.scope import TENANT_TABLES

from .helpers import accepted, rejected


def test_another_tenants_issue_is_not_found_for_reading_or_acting(ledger: Ledger) -> None:
    mine = ledger.record("alice", rejected())["issues"][0]
    with pytest.raises(IssueNotFound):
        ledger.issue("bob", mine["id"])
    with pytest.raises(IssueNotFound):
        ledger.act("bob", mine["id"], "resolve", actor="k")
    assert ledger.issues("bob")["items"] == []
    assert list(ledger.export("bob")) == []
    assert ledger.issue("alice", mine["id"])["status"] == "open"


def test_the_same_rejection_for_two_tenants_is_two_issues(ledger: Ledger) -> None:
    a = ledger.record("alice", rejected())["issues"][0]
    b = ledger.record("bob", rejected())["issues"][0]
    assert a["id"] != b["id"] and a["count"] == b["count"] == 1


def test_an_accepted_event_resolves_only_its_tenants_issues(ledger: Ledger) -> None:
    a = ledger.record("alice", rejected())["issues"][0]
    ledger.record("bob", rejected())
    assert ledger.record("bob", accepted())["resolved"] != [a["id"]]
    assert ledger.issue("alice", a["id"])["status"] == "open"


def test_failure_streaks_are_per_tenant(ledger: Ledger) -> None:
    ledger.record("alice", rejected())
    ledger.record("alice", rejected())
    assert ledger.record("bob", rejected())["findings"] == []


def _statements_outside_the_scope(path: Path) -> list[str]:
    """Calls that build a statement on a tenant table without TenantScope: select(t), t.select(),
    t.insert(), t.update(), t.delete(), insert(t), update(t), delete(t)."""
    names = {table.name for table in TENANT_TABLES}
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("select", "update", "delete", "insert", "dialect_insert"):
            args = [a.id for a in node.args if isinstance(a, ast.Name)]
            if set(args) & names:
                found.append(f"{path.name}:{node.lineno} {func.id}({', '.join(args)})")
        if (isinstance(func, ast.Attribute) and func.attr in ("select", "insert", "update", "delete")
                and isinstance(func.value, ast.Name) and func.value.id in names):
            found.append(f"{path.name}:{node.lineno} {func.value.id}.{func.attr}()")
    return found


def test_no_ledger_module_queries_tenant_tables_except_through_the_scope() -> None:
    package = Path(syncdoctor.ledger.__file__).parent
    offenders = []
    for path in package.glob("*.py"):
        if path.name in ("scope.py", "schema.py"):
            continue
        offenders += _statements_outside_the_scope(path)
    assert offenders == []


def test_the_checker_catches_an_unscoped_query(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("q = select(issues)\nr = issues.update()\n")
    assert len(_statements_outside_the_scope(bad)) == 2
