"""Plugins that misbehave the way issue 20 found (loaded by tests through fake entry points)."""

from __future__ import annotations

import threading
from typing import Any

from syncdoctor import PluginSpec, hookimpl

RELEASE = threading.Event()  # set by the tests' teardown: hung hooks end with the test


class ExitsOnRegister:
    @hookimpl
    def register_plugin(self) -> PluginSpec:
        raise SystemExit(3)


class ExitsInHook:
    @hookimpl
    def register_plugin(self) -> PluginSpec:
        return PluginSpec(name="exiting")

    @hookimpl
    def validate_entry(self, entity: Any, context: Any) -> list[Any]:
        raise SystemExit("bye")

    @hookimpl
    def classify_error(self, report: Any, lang: str) -> list[Any]:
        raise SystemExit("bye")


class Hangs:
    def __init__(self) -> None:
        self.calls = 0

    @hookimpl
    def register_plugin(self) -> PluginSpec:
        return PluginSpec(name="hanging")

    @hookimpl
    def validate_entry(self, entity: Any, context: Any) -> list[Any]:
        self.calls += 1
        RELEASE.wait(30)
        return []


class HangsOnRegister:
    @hookimpl
    def register_plugin(self) -> PluginSpec:
        RELEASE.wait(30)
        return PluginSpec(name="slow_to_register")


class ClaimsAcd:
    """Registers the bundled ACD plugin's name from another entry point."""

    @hookimpl
    def register_plugin(self) -> PluginSpec:
        return PluginSpec(name="acd", version="6.6.6")


class Sample:
    def __init__(self, name: str) -> None:
        self.name = name

    @hookimpl
    def register_plugin(self) -> PluginSpec:
        return PluginSpec(name=self.name)


exits_on_register = ExitsOnRegister()
exits_in_hook = ExitsInHook()
hangs = Hangs()
hangs_on_register = HangsOnRegister()
claims_acd = ClaimsAcd()
first = Sample("twin")
second = Sample("twin")


class BadSource:
    """A source whose stream fails after one entity: SystemExit, or a plain bug."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    @hookimpl
    def register_plugin(self) -> PluginSpec:
        return PluginSpec(name=f"bad_{type(self.error).__name__.lower()}")

    @hookimpl
    def fetch_transactions(self, source: str, options: Any) -> Any:
        from syncdoctor import FetchResult, JournalEntry

        if source != "bad":
            return None

        def items() -> Any:
            yield JournalEntry(id="j1", journal="AC", lines=[])
            raise self.error
        return FetchResult(items(), state={"at": 1})
