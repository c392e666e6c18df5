"""Peak memory while validating a million streamed entities; durable memory after many batches."""

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


def run(n: int = 1_000_000, batches: int = 100) -> dict[str, Any]:
    stream = json.loads(subprocess.run([sys.executable, "-c", STREAM, str(n)], capture_output=True, text=True,
                                       check=True).stdout)
    durable = json.loads(subprocess.run([sys.executable, "-c", DURABLE, str(batches)], capture_output=True,
                                        text=True, check=True).stdout)
    return {"stream": stream, "durable": durable}


if __name__ == "__main__":
    print(run())
