"""The command line's batches as users run them, against reference pipelines (issue 19).

- ``classify --input F --json`` against a reference that does the least a classifier must:
  read each JSON line (orjson), match its message against every pattern of the catalog in one
  RE2 set pass (the catalog's own set), and write a diagnosis line of the same size class (the
  matched problem's rendered diagnosis, with the input's index, encoded by orjson).
- ``validate F --json`` against the bare cost of reading and parsing the same file: each line
  decoded as the command's reader decodes it (orjson; the Decimal decoder for a line with
  floats) and parsed into its entity model (pydantic).

Commands and references run with bytecode and a buffered stdout, as an installed package runs
for most users (``_common.installed_env``).

Every command runs in its own process, as a user runs it. Times are CPU times (user + system,
from ``wait4``), not wall times: on this shared 2-core machine other sessions' load made wall
times 3x the CPU time. A command's rate is its records over its CPU time minus that of the same
command on a one-record input (start-up, measured apart by bench_startup). The references
time their loop only (``process_time``), in a process of their own. Runs are interleaved
(reference, command, reference, command, ...) and the median is kept.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from syncdoctor import Host
from syncdoctor.model.money import dumps

from ._common import cycle, example_entities, example_messages, installed_env, valid_traffic

CLASSIFY_REFERENCE = r"""
import sys, time, orjson
sys.path.insert(0, ".")
from syncdoctor import Host
host = Host.from_entry_points()
catalog = host.catalog
host.engine  # freezes the catalog: its RE2 sets
rset, sigs = catalog._sets[None]
# one rendered diagnosis per problem (the size class of the real line), and the fallback
lines = {}
for cp in catalog.problems.values():
    lines[cp.id] = host.engine.diagnosis(cp, {}, None, "en").model_dump(mode="json", exclude_none=True)
unknown = lines["core.unknown_error"]
by_status = {status: lines[sig.problem.id] for status, sig in catalog._status_fallback.items()}
out = sys.stdout.buffer
dumps, loads, match = orjson.dumps, orjson.loads, rset.Match
start = time.process_time()
with open(sys.argv[1], "rb") as fh:
    for i, raw in enumerate(fh):
        report = loads(raw)
        message = report.get("message")
        hits = match(message.encode()) if message else None
        hits = [h for h in hits if h < len(sigs)] if hits else None
        diag = lines[sigs[min(hits)].problem.id] if hits else by_status.get(report.get("http_status"), unknown)
        out.write(dumps({**diag, "input": i}, option=orjson.OPT_APPEND_NEWLINE))
out.flush()
print(time.process_time() - start, file=sys.stderr)
"""

PARSE_REFERENCE = r"""
import json, sys, time
from decimal import Decimal
import orjson
sys.path.insert(0, ".")
from syncdoctor import Host
from syncdoctor.model.records import _holds_float
host = Host.from_entry_points()
decode = json.JSONDecoder(parse_float=Decimal).decode
parse, loads = host.parse_entity, orjson.loads
start = time.process_time()
with open(sys.argv[1], "rb") as fh:
    for i, raw in enumerate(fh):
        try:
            # the same decoding as the command's reader: orjson, the Decimal decoder for floats
            value = loads(raw)
            parse(decode(raw.decode()) if _holds_float(value) else value, i)
        except Exception:
            pass
print(time.process_time() - start, file=sys.stderr)
"""


_ENV = installed_env()


def _reference(code: str, path: Path) -> float:
    done = subprocess.run([sys.executable, "-c", code, str(path)], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=True, env=_ENV)
    return float(done.stderr.strip().splitlines()[-1])


def _command(*args: str) -> float:
    """The command's CPU time (user + system), as the kernel counted it for that process."""
    proc = subprocess.Popen([sys.executable, "-m", "syncdoctor.cli.main", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=_ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"syncdoctor {' '.join(args)} exited {proc.returncode}")
    return usage.ru_utime + usage.ru_stime


def _write(path: Path, records: Any) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(dumps(record) + "\n")
    return path


def inputs(folder: Path, n: int) -> dict[str, Path]:
    host = Host.from_entry_points()
    messages = [r.model_dump(exclude_none=True, exclude_defaults=True) for r in example_messages(host)]

    def with_ids(raw: list[dict[str, Any]], unique_numbers: bool = False) -> Any:
        for i, r in enumerate(cycle(raw, n)):
            record = {**r, "id": f"e{i}"}
            if unique_numbers and isinstance(r.get("doc_number"), str):  # a healthy sync repeats no number
                record["doc_number"] = f"{r['doc_number'][:12]}-{i}"
            yield record

    return {
        "messages": _write(folder / "messages.jsonl", cycle(messages, n)),
        "entities": _write(folder / "entities.jsonl", with_ids(example_entities(host))),
        "valid": _write(folder / "valid.jsonl", with_ids(valid_traffic(host), unique_numbers=True)),
        "empty": _write(folder / "empty.jsonl", [{"message": "x"}]),
        "empty_entity": _write(folder / "empty_entity.jsonl", [{"kind": "journal_entry", "id": "x"}]),
    }


def run(n: int = 100_000, repeat: int = 5) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    files = inputs(folder, n)
    samples: dict[str, list[float]] = {k: [] for k in (
        "classify_ref", "classify", "classify_empty", "parse_ref", "validate", "validate_empty",
        "parse_ref_valid", "validate_valid")}
    for _ in range(repeat):  # interleaved: each round runs every measure once
        samples["classify_ref"].append(_reference(CLASSIFY_REFERENCE, files["messages"]))
        samples["classify"].append(_command("classify", "--input", str(files["messages"]), "--json"))
        samples["classify_empty"].append(_command("classify", "--input", str(files["empty"]), "--json"))
        samples["parse_ref"].append(_reference(PARSE_REFERENCE, files["entities"]))
        samples["validate"].append(_command("validate", str(files["entities"]), "--json"))
        samples["validate_empty"].append(_command("validate", str(files["empty_entity"]), "--json"))
        samples["parse_ref_valid"].append(_reference(PARSE_REFERENCE, files["valid"]))
        samples["validate_valid"].append(_command("validate", str(files["valid"]), "--json"))
    med = {k: statistics.median(v) for k, v in samples.items()}
    classify_s = med["classify"] - med["classify_empty"]
    validate_s = med["validate"] - med["validate_empty"]
    validate_valid_s = med["validate_valid"] - med["validate_empty"]
    return {
        "records": n,
        "runs": repeat,
        "classify_messages_per_s": round(n / classify_s),
        "classify_end_to_end_messages_per_s": round(n / med["classify"]),
        "classify_reference_messages_per_s": round(n / med["classify_ref"]),
        "classify_over_reference": round(classify_s / med["classify_ref"], 2),
        "validate_us": round(validate_s / n * 1e6, 1),
        "read_parse_us": round(med["parse_ref"] / n * 1e6, 1),
        "validate_over_read_parse": round(validate_s / med["parse_ref"], 2),
        "valid_traffic": {
            "validate_us": round(validate_valid_s / n * 1e6, 1),
            "read_parse_us": round(med["parse_ref_valid"] / n * 1e6, 1),
            "validate_over_read_parse": round(validate_valid_s / med["parse_ref_valid"], 2),
        },
        "start_up_s": {"classify": round(med["classify_empty"], 3), "validate": round(med["validate_empty"], 3)},
        "samples_s": {k: [round(x, 3) for x in v] for k, v in samples.items()},
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
