"""syncdoctor plugin for ACD (i-Suite Expert / Comptabilité Expert), the French accounting target.

It knows every rejection the Qonto Accounting Hub documents for ACD, catches them before
sending where the entry and the folder's settings (the ``acd`` context, :class:`AcdContext`)
say enough, explains ACD's answers after the fact, and fixes what software can fix alone
(an auxiliary code with the wrong letter). It ships a loopback fake of ACD's API
(``syncdoctor sandbox acd``) and the ACD half of the Qonto → ACD demo.

Host tools (``host.tool(name)``): ``acd.push(base_url, entry) -> ErrorReport | None`` sends a
journal entry, ``acd.to_body(entry, folder=None)`` shows the body ACD receives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib.resources import files
from typing import Any

from syncdoctor import ErrorReport, RulePackPlugin, deferred

from .checks import FUNCTIONS
from .context import AcdContext
from .envelope import split_report

__all__ = ["Acd", "AcdContext", "plugin"]

__version__ = "0.1.0"


class Acd(RulePackPlugin):
    """The ACD rule pack, its named checks, its sandbox, its tools and its demo section."""

    name = "acd"
    version = __version__
    rules = files(__package__) / "rules"
    context_model = AcdContext
    vendors = ("isuite", "i-suite", "isuite_expert", "acd_compta")
    description = "ACD (i-Suite Expert): Qonto Accounting Hub rejections, pre-flight checks, loopback sandbox"

    def functions(self) -> Mapping[str, Callable[..., Any]]:
        return FUNCTIONS

    def normalize_report(self, report: ErrorReport) -> list[ErrorReport]:
        return split_report(report)

    def extra_spec(self) -> dict[str, Any]:
        # imported on first use: the sandbox and demo load the HTTP server (syncdoctor.deferred)
        return {
            "sandboxes": {"acd": deferred(f"{__package__}.sandbox:sandbox")},
            "demo": deferred(f"{__package__}.demo:run_demo"),
            "tools": {"acd.push": deferred(f"{__package__}.api:push"),
                      "acd.to_body": deferred(f"{__package__}.api:to_body")},
        }


plugin = Acd()
