"""``syncdoctor sandbox VENDOR``: serve a plugin's local fake of its vendor's API."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..vendors.faults import FAULTS
from .command import EXIT_OK, UsageError, add_command, err, open_host

__all__ = ["register"]


def cmd_sandbox(args: argparse.Namespace) -> int:
    host = open_host(args)
    factories = host.sandboxes()
    if args.vendor not in factories:
        raise UsageError(f"no sandbox named {args.vendor!r}; available: " + ", ".join(sorted(factories)))
    try:
        server = factories[args.vendor](port=args.port, faults=args.faults)
    except (ValueError, OverflowError) as exc:
        raise UsageError(f"sandbox {args.vendor}: {exc}") from None
    except OSError as exc:
        raise UsageError(f"sandbox {args.vendor} cannot listen on port {args.port}: {exc.strerror or exc}") from None
    err(f"{args.vendor} sandbox listening on {server.url} (Ctrl-C to stop)"
         + (f"; faults: {args.faults}" if args.faults else ""))
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "sandbox", "serve a local fake of a vendor's API",
                    ("syncdoctor sandbox qonto --port 8765", "syncdoctor sandbox pos --faults 429,duplicate-page"),
                    "Serve a local fake of a vendor's API on loopback, for trying fetch and push without an "
                    "account, and for tests; --faults injects the failures real APIs show.")
    p.add_argument("vendor", help="the sandbox to serve: a plugin's name (e.g. qonto)")
    p.add_argument("--port", type=int, default=0, help="loopback port; 0 picks a free one (e.g. --port 8765)")
    p.add_argument("--faults", help="comma-separated: " + ",".join(FAULTS) + " (e.g. --faults 429,500; "
                   "docs/reliability.md)")
    p.set_defaults(handler=cmd_sandbox)
