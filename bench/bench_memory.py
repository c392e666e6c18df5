"""Peak memory while validating a million streamed entities; durable memory after many batches;
and the command line's streamed paths (issue 19): JSON Lines, a JSON array and the table mode
of ``validate``, and ``classify --input``, each at 100,000 and 1,000,000 records. A path is flat
when its peak at 1M is that of 100k (give or take a few MB): memory does not grow with the input."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

STREAM = r"""
import json, itertools, sys
sys.path.insert(0, ".")
from bench._common import rss_mb, peak_mb, example_entities
from syncdoctor import Host
host = Host.from_entry_points()
raw = example_entities(host)
n = int(sys.argv[1])
def records():
    for i, r in enumerate(itertools.islice(itertools.cycle(raw), n)):
        d = dict(r); d["id"] = f"e{i}"
        yield d
samples = []
findings = 0
for i, result in enumerate(host.validate_many(records())):
    findings += len(result.findings)
    if i % (n // 10) == 0:
        samples.append(round(rss_mb(), 1))
print(json.dumps({"n": n, "findings": findings, "rss_samples_mb": samples, "peak_mb": round(peak_mb(), 1)}))
"""

DURABLE = r"""
import json, sys
sys.path.insert(0, ".")
from bench._common import rss_mb, example_entities
from syncdoctor import BatchState, Host
from syncdoctor.engines import durable as _durable

def worker_mb():
    for worker in _durable._WORKERS.values():
        if worker._process is not None:
            with open(f"/proc/{worker._process.pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        return round(int(line.split()[1]) / 1024, 1)
    return None

host = Host.from_entry_points()
engine = host.make_engine("durable")
parsed = [host.parse_entity(r) for r in example_entities(host)]
samples, parent = [], []
for batch in range(int(sys.argv[1])):
    state = BatchState()
    for i, e in enumerate(parsed * 20):
        engine.validate(e, i, {}, state)
    if batch % 10 == 0:
        samples.append(worker_mb())
        parent.append(round(rss_mb(), 1))
facts = sum(w.facts for w in _durable._WORKERS.values())
print(json.dumps({"batches": int(sys.argv[1]), "entities_per_batch": len(parsed) * 20,
                  "recycle_after_facts": _durable.RECYCLE_AFTER,
                  "worker_rss_samples_mb": samples, "host_rss_samples_mb": parent}))
"""


CLI_PATHS = {
    "validate_jsonl_json": ("entities.jsonl", ["validate", "{file}", "--json"]),
    "validate_array_json": ("entities.json", ["validate", "{file}", "--json"]),
    "validate_jsonl_table": ("entities.jsonl", ["validate", "{file}"]),
    "classify_jsonl_json": ("messages.jsonl", ["classify", "--input", "{file}", "--json"]),
}


def _cli_inputs(folder: Any, n: int) -> None:
    """n entities (JSON Lines and one JSON array) and n messages, from the packs' examples."""
    import itertools

    from syncdoctor import Host
    from syncdoctor.model.money import dumps

    from ._common import example_entities, example_messages

    host = Host.from_entry_points()
    entities = example_entities(host)
    messages = [r.model_dump(exclude_none=True, exclude_defaults=True) for r in example_messages(host)]
    with open(folder / "entities.jsonl", "w") as lines, open(folder / "entities.json", "w") as array:
        array.write("[\n")
        for i, raw in enumerate(itertools.islice(itertools.cycle(entities), n)):
            text = dumps({**raw, "id": f"e{i}"})
            lines.write(text + "\n")
            array.write(("," if i else "") + text + "\n")
        array.write("]\n")
    with open(folder / "messages.jsonl", "w") as fh:
        for raw in itertools.islice(itertools.cycle(messages), n):
            fh.write(dumps(raw) + "\n")


def _peak_mb(argv: list[str]) -> float:
    import os

    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise RuntimeError(f"{argv} exited {os.waitstatus_to_exitcode(status)}")
    return round(usage.ru_maxrss / 1024, 1)  # this process's own peak (kB on Linux)


def run_cli(sizes: tuple[int, ...] = (100_000, 1_000_000)) -> dict[str, Any]:
    import tempfile
    from pathlib import Path

    out: dict[str, Any] = {}
    for n in sizes:
        folder = Path(tempfile.mkdtemp(prefix=f"bench-mem-{n}-"))
        _cli_inputs(folder, n)
        for name, (file, args) in CLI_PATHS.items():
            argv = [sys.executable, "-m", "syncdoctor.cli.main", *(a.format(file=folder / file) for a in args)]
            out.setdefault(name, {})[str(n)] = _peak_mb(argv)
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    for figures in out.values():
        values = list(figures.values())
        figures["growth_mb"] = round(values[-1] - values[0], 1)
    return out


def run(n: int = 1_000_000, batches: int = 100) -> dict[str, Any]:
    stream = json.loads(subprocess.run([sys.executable, "-c", STREAM, str(n)], capture_output=True, text=True,
                                       check=True).stdout)
    durable = json.loads(subprocess.run([sys.executable, "-c", DURABLE, str(batches)], capture_output=True,
                                        text=True, check=True).stdout)
    return {"stream": stream, "durable": durable, "cli_peak_mb": run_cli()}


if __name__ == "__main__":
    if sys.argv[1:] == ["cli"]:
        print(json.dumps(run_cli(), indent=2))
    else:
        print(json.dumps(run(), indent=2))
