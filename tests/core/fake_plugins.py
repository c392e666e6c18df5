"""Plugins for the host's loading tests: one good, several broken in different ways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from syncdoctor import Finding, RulePackPlugin, hookimpl

from .sample_plugin import Sample

good = Sample()


class UnknownHook:
    @hookimpl
    def validate_entri(self, entity: Any) -> None:  # misspelt on purpose
        return None


unknown_hook = UnknownHook()


class BadPack(RulePackPlugin):
    name = "badpack"
    rules = Path(__file__).parent / "packs" / "broken"


bad_pack = BadPack()


class Raising:
    """A hand-written plugin whose hooks raise or answer."""

    @hookimpl
    def validate_entry(self, entity: Any) -> list[Finding]:
        if getattr(entity, "id", None) == "boom":
            raise RuntimeError("kaboom")
        return [Finding(problem="raising.seen", severity="warning", entity=None, message="seen")]

    @hookimpl
    def classify_error(self, report: Any) -> None:
        raise ValueError("classifier down")


raising = Raising()
