"""Import a plugin package from a source folder for one test, and forget it afterwards."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def forget(package: str) -> None:
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]


@contextmanager
def imported(src: Path, package: str) -> Iterator[Any]:
    """The module ``package`` from ``src`` (not installed), removed from sys.modules after."""
    forget(package)
    sys.path.insert(0, str(src))
    importlib.invalidate_caches()
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(src))
        forget(package)
