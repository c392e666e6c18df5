"""``syncdoctor plugin new NAME``: write a complete plugin package for a new accounting tool."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .command import EXIT_OK, UsageError, add_command, out

__all__ = ["register"]


def cmd_plugin(args: argparse.Namespace) -> int:
    from ..testing.scaffold import write_plugin  # the kit (and its templates) only when asked for

    if not args.plugin_command:
        raise UsageError("plugin: use `plugin new NAME`")
    path = write_plugin(args.name, Path(args.dir))
    out(f"created plugin {args.name} in {path}")
    out(f"next: pip install -e {path} && pytest {path}")
    return EXIT_OK


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "plugin", "create a new plugin package", ("syncdoctor plugin new pennylane_bank --dir build",),
                    "Create plugin packages: `plugin new NAME` writes a complete, tested plugin to start from.")
    plugin_sub = p.add_subparsers(dest="plugin_command", metavar="new")
    new = plugin_sub.add_parser("new", help="write a complete plugin package for a new accounting tool",
                                description="Write a complete plugin package (rule pack, hooks, tests) for a new "
                                            "accounting tool.",
                                epilog="examples:\n  syncdoctor plugin new sage50 --dir build",
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    new.add_argument("name", help="the plugin's name, a Python identifier (e.g. sage50)")
    new.add_argument("--dir", default=".", help="folder to write it in (default: here) (e.g. --dir plugins)")
    p.set_defaults(handler=cmd_plugin)
