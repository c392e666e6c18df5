"""The ``syncdoctor`` command line: the top-level parser and the dispatch to commands.

Every command lives in its own module with ``register(subparsers)``, which adds its parser
(``command.add_command``) and ``set_defaults(handler=fn)`` where ``fn(args) -> int`` returns
the exit code. A new command is one module and one line in :data:`COMMANDS`.
Exit codes: 0 clean, 1 findings of severity error, 2 bad input or usage (with a message
naming the record and the field).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from ..engines.choice import ENGINES
from ..errors import SyncdoctorError, UsageError
from ..host.host import Host
from ..host.loading import ENV_ENGINE, ENV_TRACE
from ..model.text import LANGS, default_lang
from . import (
    catalog,
    classify,
    completion,
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
from .command import COLORS, EXIT_OK, EXIT_USAGE, FAIL_ON, err, version
from .config import Config, find_config
from .output import FORMATS

__all__ = ["COMMANDS", "build_parser", "main"]

#: the command modules, in the order ``syncdoctor --help`` lists them
COMMANDS: tuple[ModuleType, ...] = (
    catalog, classify, validate, remediate, fetch, sandbox, demo, lint, plugin, serve, keys, db, ledger, completion,
)


def build_parser(host_for_sources: Host | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="syncdoctor", description="Explain and fix accounting-sync rejections.",
        epilog="examples:\n  syncdoctor validate docs/examples/entries.jsonl\n  syncdoctor --lang fr classify --vendor acd "
               "\"The account FOO does not exist\"\n\nexit codes: 0 clean, 1 findings at the --fail-on level, "
               "2 bad input or usage.\nconfiguration: syncdoctor.toml or [tool.syncdoctor] in pyproject.toml "
               "(see docs/cli.md).",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"syncdoctor {version()}",
                        help="print the version and exit (e.g. syncdoctor --version)")
    parser.add_argument("--engine", choices=list(ENGINES), default=None,
                        help="rule engine (default native, or $SYNCDOCTOR_ENGINE) (e.g. --engine durable)")
    parser.add_argument("--lang", choices=list(LANGS), default=None,
                        help="language of human output (default $SYNCDOCTOR_LANG, the configuration, "
                             "then the locale) (e.g. --lang fr)")
    parser.add_argument("--color", choices=COLORS, default=None,
                        help="colour: auto follows NO_COLOR, FORCE_COLOR and the terminal (e.g. --color never)")
    parser.add_argument("--trace", action="store_true",
                        help="log plugin hook calls and each record's result to stderr (e.g. --trace)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    if host_for_sources is not None:
        fetch.add_sources(sub.choices["fetch"], host_for_sources)
    return parser


def _apply_config(args: argparse.Namespace, config: Config) -> None:
    """Fill what the command line left open: environment, then configuration, then defaults."""
    choices = {"lang": LANGS, "engine": ENGINES, "format": FORMATS, "color": COLORS, "fail_on": FAIL_ON}
    for key, allowed in choices.items():
        value = config.get(key)
        if value is not None and value not in allowed:
            raise UsageError(f"{config.path}: {key} = {value!r}; expected one of {', '.join(allowed)}")
    env_lang = os.environ.get("SYNCDOCTOR_LANG") or None
    if env_lang is not None and env_lang not in LANGS:  # said as the configuration's are, not ignored
        raise UsageError(f"SYNCDOCTOR_LANG={env_lang!r}; expected one of {', '.join(LANGS)}")
    if getattr(args, "lang", None) is None:
        args.lang = env_lang or config.get("lang") or default_lang()
    if getattr(args, "engine", None) is None and not os.environ.get(ENV_ENGINE):
        args.engine = config.get("engine")
    if getattr(args, "color", None) is None:
        args.color = config.get("color") or "auto"
    for key in ("vendor", "context", "format", "fail_on"):
        if args.command in ("classify", "validate", "remediate") and hasattr(args, key) and getattr(args, key) is None:
            if key == "format" and args.command == "classify" and not getattr(args, "input", None):
                continue  # one message reads as text unless --format asks otherwise
            setattr(args, key, config.get(key))


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
        args.root_parser = parser  # for commands that describe the command line (completion)
        _apply_config(args, find_config())
        if args.trace:
            os.environ[ENV_TRACE] = "1"
        return int(args.handler(args))
    except SyncdoctorError as exc:  # UsageError, PackError, InputError, ...: a message, never a traceback
        err(f"syncdoctor: {exc}")
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


def run() -> NoReturn:
    """The ``syncdoctor`` program: :func:`main`, then exit. Before exiting, the objects the
    command made are frozen out of the collector's sight (``gc.freeze``): the interpreter's
    last collection walked them all for nothing (~30 ms of a one-shot command). ``atexit``
    handlers, flushing and closing still run; only cyclic garbage is left for the exit."""
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
