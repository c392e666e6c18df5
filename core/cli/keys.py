"""`syncdoctor keys create|list|revoke`: API keys of the host service, in its database.

`keys create` prints the new key alone on stdout, once: it is stored hashed and cannot be shown
again. Everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .command import add_command, missing_extra

__all__ = ["register", "run"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


_DB_HELP = ("database URL (default $SYNCDOCTOR_DB, else sqlite:///syncdoctor.db) "
            "(e.g. --db postgresql+psycopg://sd@db.internal/sd)")


def register(subparsers: Any) -> argparse.ArgumentParser:
    p = add_command(subparsers, "keys", "create, list and revoke API keys of the service",
                    ("syncdoctor keys create --tenant acme --role write --name billing-sync",
                     "syncdoctor keys list --tenant acme"),
                    "API keys of the HTTP service: one tenant and one role each, stored hashed in the "
                    "service's database (created there if it is new).", common=False)
    sub = p.add_subparsers(dest="keys_command", metavar="create|list|revoke")
    create = add_command(sub, "create", "a new key; printed alone on stdout, once",
                         ("syncdoctor keys create --tenant acme --role write --name billing-sync",
                          "syncdoctor keys create --tenant globex --role admin > globex-admin.key"),
                         "Create an API key. The key is printed alone on stdout, once: it is stored hashed "
                         "and cannot be shown again.", common=False)
    create.add_argument("--tenant", required=True, help="the tenant (integrator or firm) the key acts for "
                        "(e.g. --tenant acme)")
    create.add_argument("--role", required=True, choices=["read", "write", "admin"],
                        help="read: look; write: also post events and act on issues; admin: also keys "
                        "and webhooks (e.g. --role write)")
    create.add_argument("--name", help="a label to recognise the key by (e.g. --name billing-sync)")
    listing = add_command(sub, "list", "keys (never their secrets)",
                          ("syncdoctor keys list", "syncdoctor keys list --tenant acme --json"),
                          "List API keys: id, tenant, role, state and name; never their secrets.", common=False)
    listing.add_argument("--tenant", help="only this tenant's keys (e.g. --tenant acme)")
    listing.add_argument("--json", action="store_true", help="one JSON object per key (e.g. --json)")
    revoke = add_command(sub, "revoke", "revoke a key by its id",
                         ("syncdoctor keys revoke k7m2q9x4hp",),
                         "Revoke a key by its id (the part between the underscores of sdk_<id>_<secret>, as "
                         "`keys list` shows it); exit 1 if no active key has it.", common=False)
    revoke.add_argument("key_id", metavar="ID", help="the key's id, as `keys list` shows it (e.g. k7m2q9x4hp)")
    for q in (create, listing, revoke):
        q.add_argument("--db", metavar="URL", help=_DB_HELP)
    p.set_defaults(handler=run)
    return p


def _store(url: str | None) -> Any:
    try:
        from syncdoctor.ledger import Database, KeyStore
    except ImportError as exc:
        raise missing_extra("keys", exc) from None

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

