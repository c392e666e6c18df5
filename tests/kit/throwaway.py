"""A throwaway virtual environment that sees the project's packages, to install a generated
plugin into without touching the environment the tests run in.

``python -m venv --system-site-packages`` run from inside a virtual environment exposes the
*base* interpreter's site-packages, not the project environment's (where syncdoctor, pytest
and hypothesis are). A ``.pth`` file adds the running interpreter's site-packages after the
new environment's own, so the new environment sees the project (and its pip and setuptools)
while whatever is installed into it stays in it. ``sys.executable`` is used throughout, so
this works with any environment the tests run in (a CI one included).
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path


def make_venv(where: Path) -> Path:
    """Create the environment; return its python."""
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(where)],
                   check=True, capture_output=True, timeout=120)
    python = where / ("Scripts" if os.name == "nt" else "bin") / ("python.exe" if os.name == "nt" else "python")
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    parent = sysconfig.get_paths()["purelib"]
    Path(site, "_syncdoctor_project.pth").write_text(f"import site; site.addsitedir({parent!r})\n", encoding="utf-8")
    return python


def pip_install(python: Path, project: Path) -> None:
    """``pip install --no-deps --no-build-isolation PROJECT`` into that environment."""
    proc = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                           "--disable-pip-version-check", "--no-input", str(project)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"pip install failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


def run(python: Path, *args: str, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNCDOCTOR_", "PYTEST_"))}
    return subprocess.run([str(python), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
