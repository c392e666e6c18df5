"""Every command shown in the README and docs/ runs as written.

Commands are the lines starting with ``$ syncdoctor`` inside ```console blocks. A line
``$ syncdoctor sandbox NAME --port P &`` starts that sandbox (in-process) for the rest of its
block. A command passes when it exits 0, or 1 (findings of severity error).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from syncdoctor import Host

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"```console\n(.*?)```", re.S)


def blocks() -> list[Any]:
    out = []
    for page in PAGES:
        for i, block in enumerate(BLOCK.findall(page.read_text(encoding="utf-8"))):
            commands = [line[2:].strip() for line in block.splitlines() if line.startswith("$ syncdoctor")]
            if commands:
                out.append(pytest.param(commands, id=f"{page.relative_to(ROOT)}#{i + 1}"))
    return out


@pytest.mark.parametrize("commands", blocks())
def test_documented_commands_run(commands: list[str], tmp_path: Path) -> None:
    servers = []
    host = Host.from_entry_points()
    try:
        for command in commands:
            argv = shlex.split(command)
            if argv[1] == "sandbox" and argv[-1] == "&":
                port = int(argv[argv.index("--port") + 1])
                server = host.sandboxes()[argv[2]](port=port)
                servers.append(server.start())
                continue
            argv = [a if not a.endswith("-state.json") else str(tmp_path / a) for a in argv]
            proc = subprocess.run([sys.executable, "-m", "syncdoctor.cli.main", *argv[1:]], cwd=ROOT,
                                  capture_output=True, text=True, timeout=120)
            assert proc.returncode in (0, 1), f"{command}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
            assert "Traceback" not in proc.stderr, proc.stderr
            assert proc.stdout.strip() or proc.stderr.strip(), f"{command} printed nothing"
    finally:
        for server in servers:
            server.stop()


def test_every_doc_link_points_to_a_file() -> None:
    for page in PAGES:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), f"{page.relative_to(ROOT)} links to missing {target}"
