"""The ``syncdoctor`` command line: the top-level parser and the dispatch to commands.

Every command lives in its own module with ``register(subparsers)``, which adds its parser
(``command.add_command``) and ``set_defaults(handler=fn)`` where ``fn(args) -> int`` returns
the exit code. A new command is one module and one line in :data:`COMMANDS`.
Exit codes: 0 clean, 1 findings of severity error, 2 bad input or usage (with a message
naming the record and the field).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from ..engines.choice import ENGINES
from ..errors import SyncdoctorError
from ..host.host import Host
from ..model.text import LANGS, default_lang
from . import (
    catalog,
    classify,
    db,
    demo,
    fetch,
    keys,
    ledger,
    lint,
    plugin,
    remediate,
    sandbox,
    serve,
    validate,
)
from .command import EXIT_OK, EXIT_USAGE, err

__all__ = ["COMMANDS", "build_parser", "main"]

#: the command modules, in the order ``syncdoctor --help`` lists them
COMMANDS: tuple[ModuleType, ...] = (
    catalog, classify, validate, remediate, fetch, sandbox, demo, lint, plugin, serve, keys, db, ledger,
)


def build_parser(host_for_sources: Host | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="syncdoctor", description="Explain and fix accounting-sync rejections.")
    parser.add_argument("--engine", choices=list(ENGINES), default=None,
                        help="rule engine (default native, or $SYNCDOCTOR_ENGINE)")
    parser.add_argument("--lang", choices=list(LANGS), default=default_lang(),
                        help="language of causes and steps (default from the locale)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    if host_for_sources is not None:
        fetch.add_sources(sub.choices["fetch"], host_for_sources)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):  # a lone surrogate in input is written as \udXXX, not a crash
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    host_for_sources = None
    if "fetch" in argv:  # only fetch needs the plugins to build its parser
        try:
            host_for_sources = Host.from_entry_points()
        except SyncdoctorError as exc:
            err(f"syncdoctor: {exc}")
            return EXIT_USAGE
    parser = build_parser(host_for_sources)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else EXIT_USAGE
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.handler(args))
    except SyncdoctorError as exc:  # UsageError, PackError, InputError, ...: a message, never a traceback
        err(f"syncdoctor: {exc}")
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
