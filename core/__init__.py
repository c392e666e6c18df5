"""syncdoctor: explains and fixes accounting-sync rejections with declarative rule packs.

The public API is what ``__all__`` lists; everything else lives in private modules.
"""

import typing as _typing

from .errors import (
    ContextError,
    EngineUnavailable,
    InputError,
    PackError,
    PatchError,
    PluginLoadError,
    SyncdoctorError,
    VendorAuthError,
    VendorError,
)
from .host.host import BrokenPlugin, EntityResult, Host, LoadedPlugin
from .host.plugins import FetchOption, FetchResult, PluginSpec, RulePackPlugin, deferred, hookimpl
from .model.demo import DemoEvent, DemoSection
from .model.entities import (
    AccountRef,
    Attachment,
    BankTransaction,
    ClientInvoice,
    Customer,
    EntityBase,
    Expense,
    Invoice,
    JournalEntry,
    JournalLine,
    Party,
    Payment,
    PosLine,
    PosOrder,
    Refund,
    Service,
)
from .model.money import Money, dumps, loads
from .model.plans import ACTIONS, SYSTEMS, DiagnosisPlan, RemediationPlan, Step
from .model.reports import Diagnosis, ErrorReport, Finding
from .model.text import Text
from .rules.conditions.batch import BatchState
from .rules.loader import load_pack, load_pack_text
from .rules.patches import apply_patch
from .rules.paths import value_of
from .rules.schema import Problem, RulePack

if _typing.TYPE_CHECKING:  # loaded on first use: see __getattr__ below
    from .vendors.client import RetryPolicy, VendorClient
    from .vendors.sandbox import Faults, SandboxRequest, SandboxResponse, SandboxServer

__version__ = "0.1.0"

__all__ = [
    "AccountRef",
    "ACTIONS",
    "apply_patch",
    "Attachment",
    "BankTransaction",
    "BatchState",
    "BrokenPlugin",
    "ClientInvoice",
    "ContextError",
    "Customer",
    "deferred",
    "DemoEvent",
    "DemoSection",
    "Diagnosis",
    "DiagnosisPlan",
    "dumps",
    "EngineUnavailable",
    "EntityBase",
    "EntityResult",
    "ErrorReport",
    "Expense",
    "Faults",
    "FetchOption",
    "FetchResult",
    "Finding",
    "hookimpl",
    "Host",
    "InputError",
    "Invoice",
    "JournalEntry",
    "JournalLine",
    "load_pack",
    "load_pack_text",
    "LoadedPlugin",
    "loads",
    "Money",
    "PackError",
    "Party",
    "PatchError",
    "Payment",
    "PluginLoadError",
    "PluginSpec",
    "PosLine",
    "PosOrder",
    "Problem",
    "Refund",
    "RemediationPlan",
    "RetryPolicy",
    "RulePack",
    "RulePackPlugin",
    "SandboxRequest",
    "SandboxResponse",
    "SandboxServer",
    "Service",
    "Step",
    "SyncdoctorError",
    "SYSTEMS",
    "Text",
    "value_of",
    "VendorAuthError",
    "VendorClient",
    "VendorError",
]


_LAZY = {
    "RetryPolicy": "syncdoctor.vendors.client",
    "VendorClient": "syncdoctor.vendors.client",
    "Faults": "syncdoctor.vendors.sandbox",
    "SandboxRequest": "syncdoctor.vendors.sandbox",
    "SandboxResponse": "syncdoctor.vendors.sandbox",
    "SandboxServer": "syncdoctor.vendors.sandbox",
}
"""Names whose modules load on first use: the vendor client imports httpx (~90 ms, with the
rich, click and pygments its own command line pulls in), the sandbox server http.server and
email (~8 ms); no command needs either to start."""


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'syncdoctor' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
