"""`syncdoctor keys create|list|revoke`: API keys of the host service, in its database.

`keys create` prints the new key alone on stdout, once: it is stored hashed and cannot be shown
again. Everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["register", "run"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("keys", help="create, list and revoke API keys of the service",
                              description="API keys of the HTTP service: one tenant and one role each.")
    sub = p.add_subparsers(dest="keys_command", metavar="create|list|revoke")
    create = sub.add_parser("create", help="a new key; printed alone on stdout, once")
    create.add_argument("--tenant", required=True, help="the tenant (integrator or firm) the key acts for")
    create.add_argument("--role", required=True, choices=["read", "write", "admin"])
    create.add_argument("--name", help="a label to recognise the key by")
    listing = sub.add_parser("list", help="keys (never their secrets)")
    listing.add_argument("--tenant", help="only this tenant's keys")
    listing.add_argument("--json", action="store_true")
    revoke = sub.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id", metavar="ID")
    for q in (create, listing, revoke):
        q.add_argument("--db", help="database URL (default $SYNCDOCTOR_DB, else sqlite:///syncdoctor.db)")
    p.set_defaults(handler=run)
    return p


def _store(url: str | None) -> Any:
    from syncdoctor.ledger import Database, KeyStore

    db = Database(url)
    if db.current() is None:
        db.upgrade()  # a new database: create its tables; an old one is upgraded by `db upgrade`
    else:
        db.require_current()
    return KeyStore(db)


def run(args: argparse.Namespace) -> int:
    command = getattr(args, "keys_command", None)
    if not command:
        sys.stderr.write("syncdoctor: keys: use `keys create`, `keys list` or `keys revoke ID`\n")
        return EXIT_USAGE
    try:
        store = _store(args.db)
        if command == "create":
            key, secret = store.create(args.tenant, args.role, args.name)
            sys.stdout.write(secret + "\n")
            sys.stderr.write(f"key {key.id} for tenant {key.tenant} ({key.role}) created; it is shown only "
                             "this once\n")
            return EXIT_OK
        if command == "list":
            keys = store.list(args.tenant)
            for k in keys:
                if args.json:
                    sys.stdout.write(json.dumps(k.to_json()) + "\n")
                else:
                    state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active"
                    sys.stdout.write(f"{k.id}  {k.tenant}  {k.role:<5}  {state:<18}  {k.name or ''}\n")
            return EXIT_OK
        if store.revoke(args.key_id):
            sys.stderr.write(f"key {args.key_id} revoked\n")
            return EXIT_OK
        sys.stderr.write(f"syncdoctor: no active key {args.key_id!r}\n")
        return EXIT_FAILED
    except ValueError as exc:
        sys.stderr.write(f"syncdoctor: {exc}\n")
        return EXIT_USAGE
    except Exception as exc:  # database unreachable, schema behind: say which, no traceback
        sys.stderr.write(f"syncdoctor: keys {command}: {type(exc).__name__}: {exc}\n")
        return EXIT_USAGE

