"""`syncdoctor ledger list|show|resolve|mute|skip|reopen|note|export|prune`: the issue ledger
from the command line, on the same database as the service.

Every command but ``prune`` works inside one tenant (``--tenant``), exactly as an API key
does. Actions are recorded in the issue's audit trail as done by ``cli:<user>``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import datetime, timedelta
from typing import Any

from .command import add_command, missing_extra

__all__ = ["register", "run"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
ACTIONS = ("resolve", "reopen", "mute", "unmute", "skip", "note")


_ISSUE = "iss_7kq2m9x4hp3tva8c"  # the shape of an issue id, for the examples
_ACTION_HELP = {
    "resolve": "mark an issue fixed (it reopens, as regressed, if it fails again)",
    "reopen": "open a resolved or skipped issue again (unmute a muted one)",
    "mute": "silence an issue: still counted, no notifications",
    "unmute": "open a muted issue again (notifications resume)",
    "skip": "stop retrying an issue's record, and keep it",
    "note": "add a note to an issue's audit trail without changing its status",
}


def _db_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="URL", help="database URL (default $SYNCDOCTOR_DB, else sqlite:///syncdoctor.db) "
                   "(e.g. --db postgresql+psycopg://sd@db.internal/sd)")


def _command(sub: Any, name: str, help: str, examples: tuple[str, ...], description: str | None = None) -> Any:
    return add_command(sub, name, help, examples, description, common=False)


def register(subparsers: Any) -> argparse.ArgumentParser:
    p = add_command(subparsers, "ledger", "list, show and act on recorded issues",
                    ("syncdoctor ledger list --tenant acme --status open",
                     f"syncdoctor ledger resolve {_ISSUE} --tenant acme --note 'account created'"),
                    "The issue ledger: failed syncs, deduplicated, with their status. Every command but "
                    "prune works inside one tenant (--tenant), as an API key does.", common=False)
    sub = p.add_subparsers(dest="ledger_command", metavar="list|show|" + "|".join(ACTIONS) + "|export|prune")
    listing = _command(sub, "list", "issues, most recently seen first",
                       ("syncdoctor ledger list --tenant acme --status open --vendor qonto",
                        "syncdoctor ledger list --tenant acme --since 2026-11-01T00:00Z --json"))
    export = _command(sub, "export", "every issue as JSON Lines (with the same filters as list)",
                      ("syncdoctor ledger export --tenant acme -o acme-issues.jsonl",
                       "syncdoctor ledger export --tenant acme --status open --problem acd.journal_missing"))
    for q in (listing, export):
        q.add_argument("--status", action="append", choices=["open", "resolved", "muted", "skipped"],
                       help="repeat for several (e.g. --status open --status muted)")
        q.add_argument("--vendor", help="only this vendor's issues (e.g. --vendor qonto)")
        q.add_argument("--client", help="only this client's issues (e.g. --client dupont-sarl)")
        q.add_argument("--problem", help="only issues of this problem id (e.g. --problem acd.journal_missing)")
        q.add_argument("--since", help="last seen at or after this ISO time (with its zone) "
                       "(e.g. --since 2026-11-01T00:00+01:00)")
    listing.add_argument("--limit", type=int, default=50, help="issues per page (default 50) (e.g. --limit 200)")
    listing.add_argument("--cursor", help="next page: the cursor the previous page printed (e.g. --cursor CURSOR)")
    listing.add_argument("--json", action="store_true", help='{"items": [...], "next_cursor": ...} (e.g. --json)')
    export.add_argument("--output", "-o", metavar="FILE", help="write there instead of stdout "
                        "(e.g. -o issues.jsonl)")
    show = _command(sub, "show", "one issue: occurrences, actions, plan",
                    (f"syncdoctor ledger show {_ISSUE} --tenant acme",
                     f"syncdoctor ledger show {_ISSUE} --tenant acme --json"))
    show.add_argument("issue_id", metavar="ID", help=f"the issue's id, as list shows it (e.g. {_ISSUE})")
    show.add_argument("--json", action="store_true", help="the issue as one JSON object (e.g. --json)")
    acts = []
    for action in ACTIONS:
        note = "--note 'duplicate of the March import'" if action == "note" else "--note 'account created in ACD'"
        q = _command(sub, action, _ACTION_HELP[action], (f"syncdoctor ledger {action} {_ISSUE} --tenant acme "
                                                         + note,))
        q.add_argument("issue_id", metavar="ID", help=f"the issue's id, as list shows it (e.g. {_ISSUE})")
        q.add_argument("--note", required=action == "note", help="why (kept in the audit trail) "
                       "(e.g. --note 'fixed in ACD')")
        acts.append(q)
    for q in (listing, export, show, *acts):
        q.add_argument("--tenant", required=True, help="the tenant whose ledger this is (e.g. --tenant acme)")
        _db_flag(q)
    prune = _command(sub, "prune", "delete occurrences older than the retention (every tenant)",
                     ("syncdoctor ledger prune", "syncdoctor ledger prune --older-than 30"))
    prune.add_argument("--older-than", type=float, metavar="DAYS", help="default: the ledger's retention (90) "
                       "(e.g. --older-than 30)")
    _db_flag(prune)
    p.set_defaults(handler=run)
    return p


def _ledger(url: str | None) -> Any:
    from syncdoctor.ledger import Database, Ledger

    db = Database(url)
    db.require_current()
    return Ledger(db)


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.utcoffset() is None:
        raise ValueError(f"--since {text}: give the zone, e.g. {text}Z or {text}+01:00")
    return value


def _line(issue: dict[str, Any]) -> str:
    flag = " escalated" if issue["escalated"] else ""
    back = f" regressed {issue['regressed']}x" if issue["regressed"] else ""
    return (f"{issue['id']}  {issue['status']:<8}  {issue['count']:>6}x  {issue['last_seen'][:19]}  "
            f"{issue['client']}  {issue['vendor']}:{issue['entity']}  {issue['problem']}{back}{flag}\n")


def _show(issue: dict[str, Any]) -> str:
    out = [_line(issue), f"  {issue['title'] or issue['problem']}\n",
           f"  first seen {issue['first_seen']}, last seen {issue['last_seen']}\n"]
    for n, step in enumerate(issue["plan"].get("steps", []), 1):
        done = " (done)" if step.get("action") in issue["steps_done"] else ""
        out.append(f"  {n}. [{step.get('system')}] {step.get('instructions')}{done}\n")
    for occurrence in issue["occurrences"][:5]:
        out.append(f"  - {occurrence['at']}: {str(occurrence['report'].get('message', ''))[:120]}\n")
    for action in issue["actions"]:
        note = f": {action['note']}" if action["note"] else ""
        out.append(f"  * {action['at']} {action['actor']} {action['action']} "
                   f"({action['from_status']} -> {action['to_status']}){note}\n")
    return "".join(out)


def run(args: argparse.Namespace) -> int:
    command = getattr(args, "ledger_command", None)
    if not command:
        sys.stderr.write("syncdoctor: ledger: use `ledger list --tenant T` (see `syncdoctor ledger --help`)\n")
        return EXIT_USAGE
    try:
        from syncdoctor.ledger import ActionNotAllowed, IssueNotFound, LedgerError
    except ImportError as exc:
        raise missing_extra("ledger", exc) from None
    try:
        ledger = _ledger(args.db)
        if command == "prune":
            older = timedelta(days=args.older_than) if args.older_than is not None else None
            removed = ledger.prune(older_than=older)
            sys.stderr.write(f"{removed} occurrences pruned\n")
            return EXIT_OK
        if command in ("list", "export"):
            filters = {"status": args.status, "vendor": args.vendor, "client": args.client,
                       "problem": args.problem, "since": _since(args.since)}
            if command == "export":
                out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
                try:
                    count = 0
                    for issue in ledger.export(args.tenant, **filters):
                        out.write(json.dumps(issue, ensure_ascii=False) + "\n")
                        count += 1
                finally:
                    if out is not sys.stdout:
                        out.close()
                sys.stderr.write(f"{count} issues exported\n")
                return EXIT_OK
            page = ledger.issues(args.tenant, limit=args.limit, cursor=args.cursor, **filters)
            if args.json:
                sys.stdout.write(json.dumps(page, ensure_ascii=False) + "\n")
            else:
                sys.stdout.writelines(_line(i) for i in page["items"])
                if page["next_cursor"]:
                    sys.stderr.write(f"more: --cursor {page['next_cursor']}\n")
            return EXIT_OK
        if command == "show":
            issue = ledger.issue(args.tenant, args.issue_id)
            sys.stdout.write(json.dumps(issue, ensure_ascii=False) + "\n" if args.json else _show(issue))
            return EXIT_OK
        issue = ledger.act(args.tenant, args.issue_id, command, actor=f"cli:{getpass.getuser()}", note=args.note)
        sys.stdout.write(_line(issue))
        return EXIT_OK
    except IssueNotFound as exc:
        sys.stderr.write(f"syncdoctor: {exc} (tenant {args.tenant})\n")
        return EXIT_FAILED
    except ActionNotAllowed as exc:
        sys.stderr.write(f"syncdoctor: {exc}\n")
        return EXIT_FAILED
    except (LedgerError, ValueError) as exc:
        sys.stderr.write(f"syncdoctor: {exc}\n")
        return EXIT_USAGE
    except Exception as exc:  # database unreachable: say what, no traceback
        sys.stderr.write(f"syncdoctor: ledger {command}: {type(exc).__name__}: {exc}\n")
        return EXIT_USAGE

