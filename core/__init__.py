"""syncdoctor: explains and fixes accounting-sync rejections with declarative rule packs.

The public API is what ``__all__`` lists; everything else lives in private modules.
"""

from ._conditions import BatchState
from ._exceptions import (
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
from ._host import BrokenPlugin, EntityResult, Host, LoadedPlugin
from ._http import RetryPolicy, VendorClient
from ._loader import load_pack, load_pack_text
from ._models import (
    ACTIONS,
    SYSTEMS,
    AccountRef,
    Attachment,
    BankTransaction,
    ClientInvoice,
    Customer,
    Diagnosis,
    EntityBase,
    ErrorReport,
    Expense,
    Finding,
    Invoice,
    JournalEntry,
    JournalLine,
    Party,
    Payment,
    PosLine,
    PosOrder,
    Refund,
    RemediationPlan,
    Service,
    Step,
)
from ._money import Money, dumps, loads
from ._patch import apply_patch
from ._paths import value_of
from ._plugin import FetchOption, FetchResult, PluginSpec, RulePackPlugin, hookimpl
from ._report import DemoEvent, DemoSection
from ._sandbox import Faults, SandboxRequest, SandboxResponse, SandboxServer
from ._schema import Problem, RulePack
from ._text import Text

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
    "DemoEvent",
    "DemoSection",
    "Diagnosis",
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
