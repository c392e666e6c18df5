"""A small plugin of the core's own tests: not a vendor's pack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from syncdoctor import RulePackPlugin

PACKS = Path(__file__).parent / "packs"


class SampleContext(BaseModel):
    tolerance: str | None = None


def fix_code(code: str, party: str) -> str | None:
    if party not in ("supplier", "customer"):
        return None
    return ("F" if party == "supplier" else "C") + code[1:]


class Sample(RulePackPlugin):
    name = "sample"
    version = "1.0"
    rules = PACKS / "sample.yaml"
    context_model = SampleContext
    vendors = ("sample_vendor",)

    def functions(self) -> dict[str, Any]:
        return {"sample.fix": fix_code}


plugin = Sample()
