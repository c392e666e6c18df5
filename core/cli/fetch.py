"""``syncdoctor fetch SOURCE``: transactions from a source, as JSON Lines.

Each source is a subcommand with its plugin's own options (``PluginSpec.fetch_options``), so
the parser needs the installed plugins: ``main`` loads them only when the command line names
``fetch`` and hands them to :func:`add_sources`.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import IO, Any

from pydantic import SecretStr

from ..host.host import Host
from ..model.money import dumps
from ..vendors.limits import Limits
from ..vendors.state import StateFile
from .command import EXIT_OK, UsageError, add_command, err

__all__ = ["add_sources", "register"]


def _limits(args: argparse.Namespace) -> Limits:
    try:
        return Limits.from_env().with_(max_bytes=args.max_bytes, call_deadline=args.call_deadline,
                                       total_deadline=args.deadline, max_retry_wait=args.max_retry_wait)
    except ValueError as exc:
        raise UsageError(f"fetch: {exc}") from None


def _open_output(path: str | None, offset: int | None, resuming: bool) -> tuple[IO[bytes], bool]:
    """The output stream; a file is cut back to where the saved state says it ended, so a
    resumed fetch writes what a killed one wrote after its last save exactly once."""
    if path is None:
        return sys.stdout.buffer, False
    fh: IO[bytes]
    try:
        if resuming and offset is not None and os.path.exists(path):
            fh = open(path, "r+b")  # noqa: SIM115 - closed by the caller
            fh.truncate(offset)
            fh.seek(offset)
        elif resuming:
            fh = open(path, "ab")  # noqa: SIM115 - a state saved without an offset: keep what is there
        else:
            fh = open(path, "wb")  # noqa: SIM115 - no state: a fresh fetch
    except OSError as exc:
        raise UsageError(f"fetch: cannot write --output {path}: {exc.strerror or exc}") from None
    return fh, True


def cmd_fetch(args: argparse.Namespace) -> int:
    host: Host | None = args.sources_host
    if not args.source or host is None:
        raise UsageError("name a SOURCE: " + ", ".join(sorted(host.sources() if host else [])))
    limits = _limits(args)
    options: dict[str, Any] = {"base_url": args.base_url, "since": args.since, "until": args.until, "limits": limits}
    state_file = StateFile(args.state) if args.state else None
    previous, offset = state_file.load() if state_file else (None, None)
    if previous is not None:
        options["state"] = previous
    for opt in host.sources().get(args.source, ()):
        key = opt.flag.lstrip("-").replace("-", "_")
        value = getattr(args, key, None)
        if value is None and opt.env:
            value = os.environ.get(opt.env)
        if value is None:
            value = opt.default
        if value is not None and is_boolean(opt):
            value = boolean(value, f"${opt.env}" if opt.env and os.environ.get(opt.env) is not None else opt.flag)
        if value is not None:
            options[key] = SecretStr(str(value)) if opt.secret else value
    every = max(1, args.checkpoint_every)
    result = host.fetch(args.source, options)
    stream, is_file = _open_output(args.output, offset, previous is not None)
    count = pending = 0
    completed = False

    def checkpoint() -> None:
        # the entities first, then the state that counts them: a kill between the two
        # repeats a batch (stdout) or cuts it off again (--output), never loses one
        stream.flush()
        if is_file:
            os.fsync(stream.fileno())
        if state_file:
            state_file.save(result.state, stream.tell() if is_file else None)

    try:
        for entity in result:
            # every field, null ones too: the contract (design section 7) shows "note": null
            stream.write(dumps(entity.model_dump(mode="json")).encode("utf-8") + b"\n")
            count += 1
            pending += 1
            if pending >= every:
                checkpoint()
                pending = 0
        completed = True
    finally:
        # also after an error or Ctrl-C: the state then says where the delivered entities end
        # (when the output itself cannot be flushed, the state is not moved past it)
        try:
            checkpoint()
        except (OSError, ValueError):
            if completed:
                raise
        finally:
            if is_file:
                stream.close()
    stats = ", ".join(f"{k}={v}" for k, v in sorted(result.stats.items()))
    err(f"{count} entities fetched" + (f" ({stats})" if stats else "")
        + "; limits: " + ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                                  for k, v in limits.report().items()))
    return EXIT_OK


def register(subparsers: Any) -> None:
    p = add_command(subparsers, "fetch", "fetch transactions from a source as JSON Lines",
                    ("syncdoctor fetch qonto --base-url http://127.0.0.1:8765 --since 2026-11-01 > transactions.jsonl",
                     "syncdoctor fetch pos --base-url http://127.0.0.1:8766 --state pos-state.json --output sales.jsonl"),
                    "Fetch transactions from a source (one per installed plugin that fetches: "
                    "`syncdoctor fetch --help` lists them) as JSON Lines on stdout or in --output; --state "
                    "resumes a killed fetch where it stopped (docs/reliability.md).")
    p.set_defaults(handler=cmd_fetch, source=None, sources_host=None)


_YES, _NO = ("yes", "true", "1", "on"), ("no", "false", "0", "off")


def is_boolean(opt: Any) -> bool:
    """A plugin's yes/no option (its default is yes or no, or its help says "yes/no")."""
    return str(opt.default).lower() in _YES + _NO or "yes/no" in opt.help


def boolean(value: Any, name: str) -> bool:
    """A yes/no value from the environment or a default; anything else is a usage error."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _YES or text in _NO:
        return text in _YES
    raise UsageError(f"{name}: expected yes or no, not {value!r}")


def _option_help(opt: Any) -> str:
    """A plugin option's help, with its variable and an example: the plugin's own, else one
    made from what the option says of itself (a flag, its variable, its default)."""
    help_text = opt.help + (f" (or ${opt.env})" if opt.env else "")
    if is_boolean(opt):
        help_text = help_text.replace(" (yes/no)", "").replace("yes/no; ", "")
    example = getattr(opt, "example", None)
    if example:
        shown = example if example.startswith("-") else f"{opt.flag} {example}"
    elif is_boolean(opt):
        shown = "--no-" + opt.flag[2:] if boolean(opt.default or "no", opt.flag) else opt.flag
    elif opt.env:
        shown = f'{opt.flag} "${opt.env}"'
    elif opt.default is not None:
        shown = f"{opt.flag} {opt.default}"
    else:
        return help_text  # nothing to show: tests/cli/test_commands.py names the option
    return f"{help_text} (e.g. {shown})"


def add_sources(fetch: argparse.ArgumentParser, host: Host) -> None:
    """One subcommand per source the loaded plugins fetch from, with their options."""
    fetch_sub = fetch.add_subparsers(dest="source", metavar="SOURCE")
    for source, opts in sorted(host.sources().items()):
        sp = add_command(fetch_sub, source, f"fetch from {source}",
                         (f"syncdoctor fetch {source} --base-url http://127.0.0.1:8765 --since 2026-11-01 "
                          f"> {source}.jsonl",
                          f"syncdoctor fetch {source} --base-url http://127.0.0.1:8765 --state {source}-state.json "
                          f"--output {source}.jsonl"),
                         f"Fetch from {source} as JSON Lines; its own options are read from their variables "
                         "when not given.", common=False)
        sp.add_argument("--base-url", required=True, help="API base URL (a sandbox's URL to try things) "
                        "(e.g. --base-url http://127.0.0.1:8765)")
        sp.add_argument("--since", help="ISO date or datetime (e.g. --since 2026-11-01)")
        sp.add_argument("--until", help="ISO date or datetime (e.g. --until 2026-11-30T23:59:59+01:00)")
        sp.add_argument("--state", help="JSON file: read to resume; saved atomically after every batch "
                        f"delivered, so a killed fetch resumes where it stopped (e.g. --state {source}-state.json)")
        sp.add_argument("--output", help="write the JSON Lines to this file instead of standard output; with "
                        "--state, a resumed fetch continues it exactly once (see docs/reliability.md) "
                        f"(e.g. --output {source}.jsonl)")
        sp.add_argument("--checkpoint-every", type=int, default=100, metavar="N",
                        help="save the state after every N entities written (default 100) "
                        "(e.g. --checkpoint-every 1000)")
        sp.add_argument("--max-bytes", type=int, help="largest vendor answer read, in bytes "
                        "($SYNCDOCTOR_HTTP_MAX_BYTES, default 64 MiB) (e.g. --max-bytes 16777216)")
        sp.add_argument("--call-deadline", type=float, help="seconds for one vendor call, body included "
                        "($SYNCDOCTOR_HTTP_CALL_DEADLINE, default 120) (e.g. --call-deadline 30)")
        sp.add_argument("--deadline", type=float, help="seconds for the whole fetch "
                        "($SYNCDOCTOR_HTTP_TOTAL_DEADLINE, default 3600) (e.g. --deadline 600)")
        sp.add_argument("--max-retry-wait", type=float, help="seconds of waiting between retries in total, "
                        "Retry-After included ($SYNCDOCTOR_HTTP_MAX_RETRY_WAIT, default 120) "
                        "(e.g. --max-retry-wait 300)")
        for opt in opts:
            if is_boolean(opt):  # a real flag: --invoices / --no-invoices, never "--invoices maybe"
                sp.add_argument(opt.flag, help=_option_help(opt), action=argparse.BooleanOptionalAction, default=None)
            else:
                sp.add_argument(opt.flag, help=_option_help(opt), default=None)
    fetch.set_defaults(sources_host=host)
