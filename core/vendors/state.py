"""Fetch state on disk: written atomically, so that a kill at any moment leaves either the
previous state or the new one, never half a file.

``syncdoctor fetch --state FILE`` saves after every batch of delivered entities (not only at
the end): write a temporary file in the same folder, ``fsync`` it, ``rename`` it over the
old one (atomic on POSIX), then ``fsync`` the folder so that the rename itself survives a
power cut.

With ``--output FILE`` the state also records how many bytes of the output were written
when it was saved (:data:`OUTPUT_KEY`): a resumed fetch first cuts the output back to that
length, so what a killed run wrote after its last save is written again exactly once.
Without ``--output`` (standard output), delivery is at-least-once: after a kill, the
entities delivered since the last save come again; each carries the vendor's stable ``id``
for the consumer to de-duplicate (docs/reliability.md).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model.money import dumps, loads

__all__ = ["OUTPUT_KEY", "StateFile", "write_atomic"]

OUTPUT_KEY = "syncdoctor_output_bytes"
MAX_STATE_BYTES = 16 * 1024 * 1024


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that readers see the old file or the new one."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


class StateFile:
    """A fetch's state file: :meth:`load` at start, :meth:`save` after each delivered batch."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.saves = 0
        self._last: str | None = None

    def load(self) -> tuple[dict[str, Any] | None, int | None]:
        """The plugin's state (None when there is no file yet) and the output length it
        recorded (None when it recorded none)."""
        if not self.path.exists():
            return None, None
        try:
            if self.path.stat().st_size > MAX_STATE_BYTES:
                raise InputError(None, "state", f"{self.path} is larger than {MAX_STATE_BYTES} bytes: not a fetch state")
            data = loads(self.path.read_bytes())
        except (OSError, ValueError, RecursionError) as exc:
            raise InputError(None, "state", f"{self.path} is not a readable JSON fetch state: {str(exc)[:200]}") from None
        if not isinstance(data, dict):
            raise InputError(None, "state", f"{self.path} must hold the JSON object a previous fetch saved")
        offset = data.pop(OUTPUT_KEY, None)
        if offset is not None and (not isinstance(offset, int) or isinstance(offset, bool) or offset < 0):
            raise InputError(None, "state", f"{self.path}: {OUTPUT_KEY} must be a byte count")
        return data, offset

    def save(self, state: dict[str, Any], output_bytes: int | None = None) -> bool:
        """Save when something changed; True when the file was written."""
        data = dict(state)
        if output_bytes is not None:
            data[OUTPUT_KEY] = output_bytes
        text = dumps(data, indent=2)
        if text == self._last:
            return False
        write_atomic(self.path, text)
        self._last = text
        self.saves += 1
        return True
