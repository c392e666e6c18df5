"""The loop ``validate`` and ``classify`` share: read records, stream results to a format,
show progress, count, and choose the exit code. Memory stays flat: nothing is held per record."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ..host.host import Host
from ..host.loading import ENV_TRACE
from ..model.labels import label
from ..model.records import RecordReader, open_input
from .command import UsageError, version
from .output import Hit, Options, Sink, exit_code, make_sink
from .terminal import Progress, Terminal

__all__ = ["open_records", "run_batch"]


@contextmanager
def open_records(name: str) -> Iterator[RecordReader]:
    stream = open_input(name)
    try:
        yield RecordReader(stream)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def make_output(args: argparse.Namespace, command: str, host: Host, fmt: str) -> Sink:
    return make_sink(fmt, Options(
        command=command, source=getattr(args, "source_name", "-"), lang=args.lang,
        fail_on=args.fail_on or args.default_fail_on, quiet=args.quiet, statistics=args.statistics,
        catalog=host.catalog, version=version(), terminal=Terminal(args.color)))


def run_batch(args: argparse.Namespace, sink: Sink, reader: RecordReader, results: Iterable[Any],
              convert: Callable[[Any], tuple[str | int | None, list[Hit], Any]], noun: str) -> int:
    """Feed each result (one per input record, in order) to the sink with its line number."""
    progress = Progress.for_input(args.source_name, label(noun, args.lang), enabled=False if args.quiet else None,
                                  lang=args.lang)
    lines = reader.lines
    trace = bool(os.environ.get(ENV_TRACE))  # rule packs run inside the engine: no hook call to log
    add, update, popleft = sink.add, progress.update if progress.enabled else None, lines.popleft
    try:
        for result in results:
            ref, hits, data = convert(result)
            line = popleft() if lines else 0
            if trace:
                sys.stderr.write(f"syncdoctor trace: line {line}: {ref}: "
                                 + (", ".join(f"{h.problem} ({h.severity})" for h in hits) or "nothing found") + "\n")
            add(line, ref, hits, data)
            if update is not None:
                update(reader.count, reader.consumed)
    except BaseException:
        sink.interrupted()  # Ctrl-C, a broken ledger: what was answered still reaches the output
        raise
    finally:
        progress.close()
    sink.finish()
    sys.stdout.flush()
    if not reader.count:
        raise UsageError("the input holds no records (expected JSON Lines, a JSON array or a JSON object)")
    return exit_code(sink)
