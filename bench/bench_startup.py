"""Start-up: the host with the four plugins, and one-shot commands, beyond the import floor.

The floor is importing what syncdoctor cannot start without (pydantic, pluggy, re2, yaml);
the figures are CPU times (user + system, from ``wait4``) of fresh processes, the median of
interleaved runs. Bytecode is what an installed package has: ``PYTHONDONTWRITEBYTECODE`` is
cleared and ``.pyc`` files go to a private ``PYTHONPYCACHEPREFIX`` (warmed by a first run), and
the packs' cache (rules/pack_cache.py) is warm, as after a command's first run; one figure
also gives a cold pack cache.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from typing import Any

from ._common import installed_env

FLOOR = "import pluggy, pydantic, re2, yaml"
# pydantic 2 loads its model machinery on first use, so the floor above leaves out what any
# program defining a model pays (~35 ms); this second floor includes it, for reference
FLOOR_MODELS = FLOOR + "\nfrom pydantic import BaseModel, Field\nclass M(BaseModel):\n    x: int = Field(default=0, ge=0)"
HOST = "import syncdoctor; h = syncdoctor.Host.from_entry_points(); assert len(h.plugins) >= 4, h.broken"
COMMANDS = {
    "plugins": ["plugins"],
    "classify_one": ["classify", "--json", "the account 4010 does not exist"],
}


def _cpu(argv: list[str], env: dict[str, str]) -> float:
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv} failed")
    return usage.ru_utime + usage.ru_stime


def _heavy_modules(env: dict[str, str]) -> list[str]:
    probe = (HOST + "; import sys; print(','.join(m for m in ('httpx', 'rich', 'click', 'pygments', 'fastapi',"
             " 'sqlalchemy', 'uvicorn', 'jinja2') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    return [m for m in done.stdout.strip().split(",") if m]


def run(repeat: int = 7) -> dict[str, Any]:
    env = installed_env(SYNCDOCTOR_CACHE_DIR=tempfile.mkdtemp(prefix="bench-packs-"))
    cold = {**env, "SYNCDOCTOR_CACHE_DIR": "off"}
    py = sys.executable
    runs: dict[str, list[str]] = {
        "python": [py, "-c", "pass"],
        "floor": [py, "-c", FLOOR],
        "floor_with_models": [py, "-c", FLOOR_MODELS],
        "host": [py, "-c", HOST],
        **{name: [py, "-m", "syncdoctor.cli.main", *args] for name, args in COMMANDS.items()},
    }
    for argv in runs.values():  # warm the bytecode and the packs' cache
        _cpu(argv, env)
    samples: dict[str, list[float]] = {name: [] for name in [*runs, "plugins_cold_packs"]}
    for _ in range(repeat):
        for name, argv in runs.items():
            samples[name].append(_cpu(argv, env))
        samples["plugins_cold_packs"].append(_cpu(runs["plugins"], cold))
    med = {name: statistics.median(v) for name, v in samples.items()}
    floor = med["floor"]
    return {
        "cpu_s": {name: round(v, 3) for name, v in med.items()},
        "beyond_floor_s": {name: round(med[name] - floor, 3) for name in
                           ["host", *COMMANDS, "plugins_cold_packs"]},
        "beyond_floor_with_models_s": {name: round(med[name] - med["floor_with_models"], 3) for name in
                                       ["host", *COMMANDS, "plugins_cold_packs"]},
        "heavy_modules_loaded_by_the_host": _heavy_modules(env),
        "runs": repeat,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
