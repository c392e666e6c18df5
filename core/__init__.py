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
from ._plugin import FetchOption, FetchResult, PluginSpec, RulePackPlugin, hookimpl
from ._remediation import apply_patch
from ._schema import Problem, RulePack
from ._text import Text

__version__ = "0.1.0"

__all__ = [
    "ACTIONS",
    "AccountRef",
    "Attachment",
    "BankTransaction",
    "BatchState",
    "BrokenPlugin",
    "ClientInvoice",
    "ContextError",
    "Customer",
    "Diagnosis",
    "EngineUnavailable",
    "EntityBase",
    "EntityResult",
    "ErrorReport",
    "Expense",
    "FetchOption",
    "FetchResult",
    "Finding",
    "Host",
    "InputError",
    "Invoice",
    "JournalEntry",
    "JournalLine",
    "LoadedPlugin",
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
    "RulePack",
    "RulePackPlugin",
    "SYSTEMS",
    "Service",
    "Step",
    "SyncdoctorError",
    "Text",
    "VendorAuthError",
    "VendorError",
    "apply_patch",
    "dumps",
    "hookimpl",
    "load_pack",
    "load_pack_text",
    "loads",
]
