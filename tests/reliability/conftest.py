"""Helpers of the reliability suite: run the real ``syncdoctor`` command line in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

CLI = [sys.executable, "-c", "import sys; from syncdoctor.cli.main import main; sys.exit(main())"]


def run_cli(*args: str, timeout: float = 60, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout, env=env,
                          stdin=subprocess.DEVNULL, **kwargs)


def start_cli(*args: str, **kwargs: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*CLI, *args], stdin=subprocess.DEVNULL, **kwargs)
