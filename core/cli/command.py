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
from ..model.records import MAX_RECORD_BYTES, open_input
from ..model.text import LANGS

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_OK",
    "EXIT_USAGE",
    "COLORS",
    "FAIL_ON",
    "UsageError",
    "add_command",
    "add_output_options",
    "err",
    "json_line",
    "load_json_file",
    "open_host",
    "out",
    "version",
]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def add_command(subparsers: Any, name: str, help: str, examples: tuple[str, ...] = (),
                description: str | None = None, common: bool = True) -> argparse.ArgumentParser:
    """A subcommand's parser with its one-line ``help``, a longer ``description`` and examples
    (shown by ``--help`` and in docs/cli.md); ``--lang``, ``--engine``, ``--color`` and
    ``--trace`` work after the command name too, unless ``common`` is false (``serve`` has
    settings of those names; the database commands and nested subcommands have no use for them)."""
    epilog = ("examples:\n" + "\n".join(f"  {e}" for e in examples)) if examples else None
    p: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help, description=description or help[:1].upper() + help[1:] + ".", epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(examples=examples)
    if not common:
        return p
    p.add_argument("--lang", choices=list(LANGS), default=argparse.SUPPRESS,
                   help="language of human output (e.g. --lang fr)")
    p.add_argument("--engine", choices=list(ENGINES), default=argparse.SUPPRESS,
                   help="rule engine (e.g. --engine durable)")
    p.add_argument("--color", choices=COLORS, default=argparse.SUPPRESS,
                   help="colour: auto follows NO_COLOR, FORCE_COLOR and the terminal (e.g. --color never)")
    p.add_argument("--trace", action="store_true", default=argparse.SUPPRESS,
                   help="log plugin hook calls and each record's result to stderr (e.g. --trace)")
    return p


COLORS = ["auto", "always", "never"]
FAIL_ON = ["error", "warning", "never"]


def add_output_options(p: argparse.ArgumentParser, default_fail_on: str) -> None:
    """--format, --json, --fail-on, --quiet, --statistics: what validate and classify share."""
    from .output import FORMATS

    p.add_argument("--format", choices=FORMATS, default=None,
                   help="output: text for people; json, jsonl, sarif (code scanning), junit (CI test "
                        "reports), github (PR annotations) (e.g. --format sarif > out.sarif)")
    p.add_argument("--json", dest="format", action="store_const", const="jsonl",
                   help="same as --format jsonl: one JSON value per line (e.g. --json | syncdoctor remediate -)")
    p.add_argument("--fail-on", choices=FAIL_ON, default=None,
                   help=f"lowest severity that exits 1 (default {default_fail_on}; bad input always exits 2) "
                        "(e.g. --fail-on warning)")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="only the findings: no summary line, no progress bar (e.g. -q)")
    p.add_argument("--statistics", action="store_true",
                   help="a count per problem at the end (stderr for machine formats) (e.g. --statistics)")
    p.set_defaults(default_fail_on=default_fail_on)


def missing_extra(what: str, exc: ImportError) -> UsageError:
    """The usage error of a command whose optional dependencies are not installed."""
    return UsageError(f"{what} needs the service extra ({exc.name} is missing): "
                      "pip install 'syncdoctor[service]'")


def version() -> str:
    """The installed distribution's version (what --version and SARIF report)."""
    from importlib import metadata

    try:
        return metadata.version("syncdoctor")
    except metadata.PackageNotFoundError:
        return "0+unknown"


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
            data = fh.read(MAX_RECORD_BYTES + 1)  # bounded: `--context /dev/zero` is an error, not a MemoryError
        if len(data) > MAX_RECORD_BYTES:
            raise UsageError(f"{what} {name} is larger than {MAX_RECORD_BYTES // (1024 * 1024)} MB")
        return loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"{what} {name} is not valid JSON: {str(exc)[:200]}") from None
    except RecursionError:
        raise UsageError(f"{what} {name} is nested too deeply") from None
