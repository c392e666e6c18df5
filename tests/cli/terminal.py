"""Run the real ``syncdoctor`` console script inside a pseudo-terminal of a given size, as a
person at a terminal would, and read back what it showed."""

from __future__ import annotations

import fcntl
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[=>]")


def syncdoctor_exe() -> str:
    exe = Path(sys.executable).parent / "syncdoctor"
    return str(exe) if exe.exists() else (shutil.which("syncdoctor") or "syncdoctor")


def run_in_pty(args: list[str], columns: int = 80, rows: int = 40, env: dict[str, str] | None = None,
               cwd: str | Path | None = None, timeout: float = 60.0, stdout_pipe: bool = False) -> tuple[int, str, str]:
    """(exit code, what the terminal showed, what went to a pipe when ``stdout_pipe``): stderr
    is the terminal always; stdout too unless ``stdout_pipe``."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "CI")}
    full_env.update({"TERM": "xterm-256color", "SYNCDOCTOR_CONFIG": ""})
    full_env.update(env or {})
    proc = subprocess.Popen([syncdoctor_exe(), *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE if stdout_pipe else slave, stderr=slave, cwd=cwd, env=full_env,
                            start_new_session=True)
    os.close(slave)
    shown = bytearray()
    piped = bytearray()
    streams = [master] + ([proc.stdout.fileno()] if stdout_pipe and proc.stdout is not None else [])
    deadline = time.monotonic() + timeout
    while streams:
        ready, _, _ = select.select(streams, [], [], 0.1)
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # the pty is closed once the process is gone (EIO)
                data = b""
            if data:
                (shown if fd == master else piped).extend(data)
            elif fd != master or proc.poll() is not None:
                streams.remove(fd)
        if not ready and proc.poll() is not None:
            break
        if time.monotonic() > deadline:
            proc.kill()
            raise TimeoutError(f"syncdoctor {args} still running after {timeout} s")
    os.close(master)
    return proc.wait(), shown.decode("utf-8", "replace").replace("\r\n", "\n"), bytes(piped).decode("utf-8", "replace")


def visible_lines(text: str) -> list[str]:
    return ANSI.sub("", text).split("\n")
