"""``syncdoctor fetch SOURCE``: transactions from a source, as JSON Lines.

Each source is a subcommand with its plugin's own options (``PluginSpec.fetch_options``), so
the parser needs the installed plugins: ``main`` loads them only when the command line names
``fetch`` and hands them to :func:`add_sources`.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from ..host.host import Host
from ..model.money import dumps
from .command import EXIT_OK, UsageError, add_command, err, json_line, load_json_file

__all__ = ["add_sources", "register"]


def cmd_fetch(args: argparse.Namespace) -> int:
    host: Host | None = args.sources_host
    if not args.source or host is None:
        raise UsageError("name a SOURCE: " + ", ".join(sorted(host.sources() if host else [])))
    options: dict[str, Any] = {"base_url": args.base_url, "since": args.since, "until": args.until}
    state_file = Path(args.state) if args.state else None
    if state_file and state_file.exists():
        options["state"] = load_json_file(str(state_file), "state")
    for opt in host.sources().get(args.source, ()):
        key = opt.flag.lstrip("-").replace("-", "_")
        value = getattr(args, key, None)
        if value is None and opt.env:
            value = os.environ.get(opt.env)
        if value is None:
            value = opt.default
        if value is not None:
            options[key] = SecretStr(value) if opt.secret else value
    result = host.fetch(args.source, options)
    count = 0
    for entity in result:
        json_line(entity.model_dump(mode="json", exclude_none=True))
        count += 1
    if state_file:
        state_file.write_text(dumps(result.state, indent=2))
    stats = ", ".join(f"{k}={v}" for k, v in sorted(result.stats.items()))
    err(f"{count} entities fetched" + (f" ({stats})" if stats else ""))
    return EXIT_OK


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "fetch", "fetch transactions from a source as JSON Lines")
    p.set_defaults(handler=cmd_fetch, source=None, sources_host=None)


def add_sources(fetch: argparse.ArgumentParser, host: Host) -> None:
    """One subcommand per source the loaded plugins fetch from, with their options."""
    fetch_sub = fetch.add_subparsers(dest="source", metavar="SOURCE")
    for source, opts in sorted(host.sources().items()):
        sp = fetch_sub.add_parser(source, help=f"fetch from {source}")
        sp.add_argument("--base-url", required=True, help="API base URL (a sandbox's URL to try things)")
        sp.add_argument("--since", help="ISO date or datetime")
        sp.add_argument("--until", help="ISO date or datetime")
        sp.add_argument("--state", help="JSON file: read to resume, written with where this fetch stopped")
        for opt in opts:
            help_text = opt.help + (f" (or ${opt.env})" if opt.env else "")
            sp.add_argument(opt.flag, help=help_text, default=None)
    fetch.set_defaults(sources_host=host)
