"""What every command shares: exit codes, the common options, output, and loading the host.

Exit codes: 0 clean, 1 findings of severity error, 2 bad input or usage (with a message
naming the record and the field).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..engines.choice import ENGINES
from ..errors import UsageError
from ..host.host import Host
from ..model.money import dumps, loads
from ..model.records import open_input
from ..model.text import LANGS

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageError",
    "add_command",
    "err",
    "json_line",
    "load_json_file",
    "open_host",
    "out",
]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def add_command(subparsers: Any, name: str, help: str) -> argparse.ArgumentParser:
    """A subcommand's parser; ``--lang`` and ``--engine`` work after the command name too."""
    p: argparse.ArgumentParser = subparsers.add_parser(name, help=help, description=help)
    p.add_argument("--lang", choices=list(LANGS), default=argparse.SUPPRESS)
    p.add_argument("--engine", choices=list(ENGINES), default=argparse.SUPPRESS)
    return p


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def err(text: str) -> None:
    sys.stderr.write(text + "\n")


def json_line(obj: Any) -> None:
    sys.stdout.write(dumps(obj) + "\n")


def open_host(args: argparse.Namespace) -> Host:
    """The installed plugins; a broken one is a warning on stderr, and the others load."""
    host = Host.from_entry_points(engine=getattr(args, "engine", None))
    for broken in host.broken:
        err(f"warning: plugin {broken.name} {broken.version or '?'} not loaded: {broken.reason}")
    return host


def load_json_file(name: str, what: str) -> Any:
    try:
        with open_input(name) as fh:
            return loads(fh.read())
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"{what} {name} is not valid JSON: {str(exc)[:200]}") from None
    except RecursionError:
        raise UsageError(f"{what} {name} is nested too deeply") from None
