"""The pytest fixtures of ``syncdoctor.testing``.

Registered by :func:`syncdoctor.testing.pytest_configure`, so that importing the package
outside pytest (the ``plugin new`` command does) never imports pytest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from syncdoctor import Faults, Host, SandboxServer
from syncdoctor.errors import EngineUnavailable

__all__ = ["HostFactory", "SandboxFactory", "make_host", "syncdoctor_host", "syncdoctor_sandbox"]


def make_host(*plugins: Any, engine: str = "native", strict: bool = True) -> Host:
    """A host with exactly the plugins named: entry-point names and/or plugin objects.

    Nothing else is loaded, whatever is installed and whatever ``SYNCDOCTOR_PLUGINS`` says.
    With ``strict`` (the default) a plugin that does not load fails the test with the reason.
    """
    names = [p for p in plugins if isinstance(p, str)]
    objects = [p for p in plugins if not isinstance(p, str)]
    if names:
        host = Host.from_entry_points(names=names, engine=engine, strict=False, trace=False)
    else:
        host = Host(engine=engine, strict=False, trace=False)
    for obj in objects:
        host.add_plugin(obj)
    if strict:
        if host.broken:
            reasons = "; ".join(f"{b.name}: {b.reason}" for b in host.broken)
            raise pytest.fail.Exception(f"syncdoctor_host: plugin(s) not loaded: {reasons}", pytrace=False)
        missing = [n for n in names if n not in host.plugins]
        if missing:
            raise pytest.fail.Exception(
                f"syncdoctor_host: no plugin named {', '.join(missing)} was loaded (is it installed, or excluded by "
                "SYNCDOCTOR_DISABLE_PLUGINS?); loaded: " + (", ".join(sorted(host.plugins)) or "none"), pytrace=False)
    try:
        _ = host.engine  # build it now: an unavailable engine skips the test instead of failing later
    except EngineUnavailable as exc:
        pytest.skip(f"engine {engine!r} is not available here: {exc}")
    return host


class HostFactory:
    """``syncdoctor_host(*plugins, engine="native", strict=True) -> Host``; engines are
    closed by :meth:`close`."""

    def __init__(self) -> None:
        self.made: list[Host] = []

    def __call__(self, *plugins: Any, engine: str = "native", strict: bool = True) -> Host:
        host = make_host(*plugins, engine=engine, strict=strict)
        self.made.append(host)
        return host

    def close(self) -> None:
        for host in self.made:
            if host._engine is not None:
                host._engine.close()
        self.made.clear()


class SandboxFactory:
    """``syncdoctor_sandbox(name, faults=None, *, plugin=None, host=None) -> SandboxServer``
    (started); every server is stopped by :meth:`close`."""

    def __init__(self) -> None:
        self.started: list[SandboxServer] = []

    def __call__(self, name: str, faults: str | Faults | None = None, *, plugin: str | None = None,
                 host: Host | None = None) -> SandboxServer:
        if host is None:
            owner = plugin or name.split(".")[0]
            try:
                host = make_host(owner)
            except pytest.fail.Exception as exc:
                hint = "" if plugin else (f" (the sandbox {name!r} was looked for in a plugin named {owner!r}; pass "
                                          "plugin= when a sandbox is not named after its plugin)")
                raise pytest.fail.Exception(f"syncdoctor_sandbox: {exc}{hint}", pytrace=False) from None
        sandboxes = host.sandboxes()
        make = sandboxes.get(name)
        if make is None:
            raise pytest.fail.Exception(
                f"syncdoctor_sandbox: no sandbox named {name!r}; the loaded plugins ship: "
                + (", ".join(sorted(sandboxes)) or "none") + " (pass plugin= to load the plugin that ships it)",
                pytrace=False)
        names = faults if isinstance(faults, str) or faults is None else ",".join(faults.names)
        server: SandboxServer = make(port=0, faults=names)
        _tune(server.faults, faults)
        server.start()
        self.started.append(server)
        return server

    def close(self) -> None:
        for server in reversed(self.started):
            server.stop()
        self.started.clear()


def _tune(target: Faults, asked: str | Faults | None) -> None:
    """Copy timings onto the server's own Faults object (the app may hold a reference)."""
    if isinstance(asked, Faults):
        target.every, target.retry_after, target.slow_seconds = asked.every, asked.retry_after, asked.slow_seconds
    else:
        target.retry_after = 0


@pytest.fixture
def syncdoctor_host() -> Iterator[HostFactory]:
    """Factory of hosts with only the plugins a test names::

        def test_classify(syncdoctor_host):
            host = syncdoctor_host("acd")                          # an installed plugin, by entry point
            host = syncdoctor_host(MyPlugin(), engine="durable")   # or a plugin object

    A plugin that does not load fails the test with the reason; a durable host is skipped
    (not failed) where durable_rules cannot run. Engines are closed at teardown.
    """
    factory = HostFactory()
    yield factory
    factory.close()


@pytest.fixture
def syncdoctor_sandbox() -> Iterator[SandboxFactory]:
    """Factory of running sandboxes on a free loopback port, stopped at teardown::

        def test_fetch(syncdoctor_sandbox):
            server = syncdoctor_sandbox("qonto", faults="429,duplicate-page")
            ...  # server.url is http://127.0.0.1:<port>

    ``name`` is a sandbox name from ``host.sandboxes()``; the plugin that ships it is loaded
    alone (``plugin=`` names it when it differs from the sandbox's name, or pass ``host=``).
    ``faults`` is a comma-separated list or a :class:`syncdoctor.Faults`; as a string,
    ``Retry-After`` is 0 so that tests stay fast.
    """
    factory = SandboxFactory()
    yield factory
    factory.close()
