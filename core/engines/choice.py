"""Choosing an engine by name: ``native`` (generated programs, the default) or ``durable``.

durable_rules is imported only when asked for: it is a C extension that does not build on
every Python (see engines/durable.py), and the native engine must not depend on it.
"""

from __future__ import annotations

from ..errors import EngineUnavailable
from ..rules.catalog import Catalog
from .engine import Engine
from .native import NativeEngine

__all__ = ["ENGINES", "make_engine"]

ENGINES = ("native", "durable")


def make_engine(name: str, catalog: Catalog) -> Engine:
    """An engine over a frozen catalog, or :class:`EngineUnavailable` naming the choices."""
    if name == "native":
        return NativeEngine(catalog)
    if name == "durable":
        from .durable import DurableEngine

        return DurableEngine(catalog)
    raise EngineUnavailable(f"unknown engine {name!r}; choose {' or '.join(ENGINES)}")
