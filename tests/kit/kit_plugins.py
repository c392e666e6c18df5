"""Plugins of the kit's own tests: one correct, one that breaks every rule it can, one whose
pack does not load. They are plugin objects, never installed (no entry point)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from syncdoctor import Faults, RulePackPlugin, SandboxRequest, SandboxResponse, SandboxServer

PACKS = Path(__file__).parent / "packs"


class GoodContext(BaseModel):
    """Every field optional, as the contract says."""

    tolerance: str | None = None


def fix_prefix(code: Any, party: Any) -> str | None:
    """F for a supplier, C for a customer; None (no automatic fix) when it cannot tell."""
    if not isinstance(code, str) or not code or party not in ("supplier", "customer"):
        return None
    return ("F" if party == "supplier" else "C") + code[1:]


def _ledger_app(faults: Faults) -> Callable[[SandboxRequest], SandboxResponse]:
    pages = [[{"id": "e1"}, {"id": "e2"}], [{"id": "e3"}]]

    def app(request: SandboxRequest) -> SandboxResponse:
        if request.path != "/entries":
            return SandboxResponse(404, {"error": "not found"})
        page = int(request.arg("page", "1") or 1)
        items = list(pages[page - 1]) if 0 < page <= len(pages) else []
        if faults.duplicate_page and page > 1:
            items = pages[page - 2] + items
        return SandboxResponse(200, {"entries": items, "next_page": page + 1 if page < len(pages) else None})

    return app


def ledger_sandbox(port: int = 0, faults: str | None = None) -> SandboxServer:
    active = Faults(faults)
    return SandboxServer(_ledger_app(active), port=port, faults=active, name="kitgood")


class GoodPlugin(RulePackPlugin):
    name = "kitgood"
    version = "1.0"
    rules = PACKS / "good.yaml"
    context_model = GoodContext

    def functions(self) -> Mapping[str, Callable[..., Any]]:
        return {"kitgood.fix_prefix": fix_prefix}

    def extra_spec(self) -> dict[str, Any]:
        return {"sandboxes": {"kitgood": ledger_sandbox, "kitgood.ledger": ledger_sandbox}}


class BrokenContext(BaseModel):
    """Breaks the contract: a required field."""

    company_id: str


def too_long(reference: Any) -> bool:
    """Breaks the contract: raises on any reference that is not made of digits."""
    return int(reference) > 10**21


class BrokenPlugin(RulePackPlugin):
    name = "kitbroken"
    version = "0.0.1"
    rules = PACKS / "broken.yaml"
    context_model = BrokenContext

    def functions(self) -> Mapping[str, Callable[..., Any]]:
        return {"kitbroken.too_long": too_long}


class InvalidPackPlugin(RulePackPlugin):
    name = "kitinvalid"
    rules = PACKS / "invalid.yaml"


# module-level objects, as an entry point names them ("tests.kit.kit_plugins:good")
good = GoodPlugin()
broken = BrokenPlugin()


class Coin:
    """A named check that answers differently each time it is asked: not deterministic."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, value: Any) -> bool:
        self.calls += 1
        return self.calls % 2 == 0


class FlakyPlugin(RulePackPlugin):
    name = "kitflaky"
    rules = PACKS / "flaky.yaml"

    def functions(self) -> Mapping[str, Callable[..., Any]]:
        return {"kitflaky.coin": Coin()}
