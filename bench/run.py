"""Run every benchmark and print the results as JSON (copy them into bench/RESULTS.md)."""

from __future__ import annotations

import json
import platform
import sys
from datetime import UTC, datetime

from . import bench_classify, bench_cli, bench_floor, bench_memory, bench_peers, bench_startup, bench_validate


def main() -> None:
    results = {
        "date": datetime.now(UTC).isoformat(timespec="minutes"),
        "python": sys.version.split()[0],
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}",
        "classify": bench_classify.run(),
        "validate": bench_validate.run(),
        "floor": bench_floor.run(),
        "cli": bench_cli.run(),
        "peers": bench_peers.run(),
        "startup": bench_startup.run(),
        "memory": bench_memory.run(),
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
