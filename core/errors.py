"""Every error syncdoctor raises on purpose.

The tree::

    SyncdoctorError
    ├── PackError            a rule pack is invalid (file, problem id, line, what was expected)
    ├── PluginLoadError      a plugin could not be loaded (name, version, reason)
    ├── PluginTimeout        a plugin's hook went past the host's time limit
    ├── InputError           a record of user input is invalid (record number, field)
    │   └── ContextError     the --context document is invalid (plugin, field)
    ├── EngineUnavailable    an engine cannot run here (durable_rules missing)
    ├── PatchError           a remediation patch cannot be applied to an entity
    ├── UsageError           the command line was used wrongly (what to type instead)
    ├── ScaffoldError        `plugin new` cannot write the plugin asked for (also a ValueError)
    ├── LedgerError          the issue ledger refuses (service: 404, 409, 503 by subclass)
    │   ├── IssueNotFound         no such issue for this tenant (another tenant's is "not found" too)
    │   ├── SubscriptionNotFound  no such webhook subscription for this tenant
    │   ├── ActionNotAllowed      the issue's status does not allow the action (the reason says why)
    │   └── DatabaseNotCurrent    the schema is behind the code: run `syncdoctor db upgrade`
    └── VendorError          a vendor API answered with an error we cannot retry past
        └── VendorAuthError  credentials refused (401/403): stop at once, do not retry

This module imports nothing from syncdoctor, so every layer (model up to cli) may import it.

Messages say what happened and what to do next; the objects at fault are kept as
attributes so a host can act on them without parsing text.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ActionNotAllowed",
    "ContextError",
    "DatabaseNotCurrent",
    "EngineUnavailable",
    "InputError",
    "IssueNotFound",
    "LedgerError",
    "PackError",
    "PatchError",
    "PluginLoadError",
    "PluginTimeout",
    "ScaffoldError",
    "SubscriptionNotFound",
    "SyncdoctorError",
    "UsageError",
    "VendorAuthError",
    "VendorError",
]


class SyncdoctorError(Exception):
    """Base class of every error syncdoctor raises on purpose."""


class PackError(SyncdoctorError):
    """A rule pack does not follow the schema."""

    def __init__(self, file: str, problem: str | None, line: int | None, expected: str) -> None:
        self.file = file
        self.problem = problem
        self.line = line
        self.expected = expected
        self.errors: list[PackError] = [self]  # a pack with several schema errors: each of them
        where = file + (f":{line}" if line else "")
        who = f" problem {problem}:" if problem else ""
        super().__init__(f"{where}:{who} {expected}")


class PluginLoadError(SyncdoctorError):
    """A plugin failed to import, declared an unknown hook or shipped an invalid pack."""

    def __init__(self, name: str, version: str | None, reason: str) -> None:
        self.name = name
        self.version = version
        self.reason = reason
        super().__init__(f"plugin {name} {version or '?'} was not loaded: {reason}")


class InputError(SyncdoctorError):
    """A record of input is not a valid entity, error report or context."""

    def __init__(self, record: int | str | None, field: str | None, reason: str) -> None:
        self.record = record
        self.field = field
        self.reason = reason
        parts = []
        if record is not None:
            parts.append(f"record {record}")
        if field:
            parts.append(f"field {field}")
        prefix = ", ".join(parts)
        super().__init__(f"{prefix}: {reason}" if prefix else reason)


class ContextError(InputError):
    """The context document (``--context``) is invalid for a plugin."""


class EngineUnavailable(SyncdoctorError):
    """The requested engine cannot run in this interpreter."""


class PatchError(SyncdoctorError):
    """A JSON Patch could not be applied to an entity."""


class VendorError(SyncdoctorError):
    """A vendor API answered with an error that retrying will not fix."""

    def __init__(
        self, vendor: str, message: str, status: int | None = None, code: str | None = None, body: Any = None
    ) -> None:
        self.vendor = vendor
        self.status = status
        self.code = code
        self.body = body  # the vendor's answer (parsed JSON, else text), to classify it
        super().__init__(f"{vendor}: {message}" + (f" (HTTP {status})" if status else ""))


class VendorAuthError(VendorError):
    """The vendor refused the credentials (401/403): fix them before retrying."""


class UsageError(SyncdoctorError):
    """The command line was used wrongly; the message says what to type instead."""


class ScaffoldError(SyncdoctorError, ValueError):
    """``syncdoctor plugin new`` cannot write the plugin asked for (a bad name, a non-empty
    directory). Also a ValueError, as it was when the kit defined it."""


class LedgerError(SyncdoctorError):
    """Base class of the ledger's errors."""


class IssueNotFound(LedgerError):
    """No issue with this id in the tenant's ledger."""

    def __init__(self, issue_id: str) -> None:
        self.issue_id = issue_id
        super().__init__(f"issue {issue_id} not found")


class SubscriptionNotFound(LedgerError):
    """No webhook subscription with this id for the tenant."""

    def __init__(self, subscription_id: str) -> None:
        self.subscription_id = subscription_id
        super().__init__(f"webhook subscription {subscription_id} not found")


class ActionNotAllowed(LedgerError):
    """The issue's status does not allow this action; ``reason`` says why and what would."""

    def __init__(self, issue_id: str, action: str, status: str, reason: str) -> None:
        self.issue_id = issue_id
        self.action = action
        self.status = status
        self.reason = reason
        super().__init__(f"cannot {action} issue {issue_id}: {reason}")


class DatabaseNotCurrent(LedgerError):
    """The schema is older (or newer) than the code expects."""

    def __init__(self, current: str | None, head: str) -> None:
        self.current = current
        self.head = head
        super().__init__(
            f"the database is at migration {current or 'none'}, the code needs {head}: "
            "run `syncdoctor db upgrade` (with the same --db)"
        )


class PluginTimeout(SyncdoctorError):
    """A plugin's hook took longer than the host's time limit (``SYNCDOCTOR_HOOK_TIMEOUT``);
    the host reports it as a ``core.plugin_error`` and calls that plugin no more."""

    def __init__(self, plugin: str, hook: str, seconds: float, earlier: bool = False) -> None:
        self.plugin = plugin
        self.hook = hook
        self.seconds = seconds
        if earlier:
            text = f"not called: its {hook} hook hung earlier (over {seconds:g}s)"
        else:
            text = f"its {hook} hook did not return within {seconds:g}s (SYNCDOCTOR_HOOK_TIMEOUT); left running, not waited for"
        super().__init__(text)
