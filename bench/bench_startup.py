"""Start-up cost of the host with the four plugins, beyond importing the dependencies."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

DEPS = "import pluggy, pydantic, httpx, yaml, re2, durable.engine, json, decimal, zoneinfo"
HOST = DEPS + "; import syncdoctor; h = syncdoctor.Host.from_entry_points(); assert len(h.plugins) >= 4, h.broken"


def _best(code: str, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", f"import time; t=time.perf_counter(); {code}; "
                              "print(time.perf_counter()-t)"], capture_output=True, text=True, check=True)
        best = min(best, float(out.stdout.strip().splitlines()[-1]))
    return best


def run() -> dict[str, Any]:
    deps = _best(DEPS)
    host = _best(HOST)
    return {"imports_s": round(deps, 3), "imports_and_host_s": round(host, 3), "startup_beyond_imports_s": round(host - deps, 3)}


if __name__ == "__main__":
    print(run())
