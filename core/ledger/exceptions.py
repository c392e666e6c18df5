"""The errors the ledger raises on purpose, all under the core's one base class.

::

    SyncdoctorError (syncdoctor)
    └── LedgerError             anything the ledger refuses
        ├── IssueNotFound       no such issue *for this tenant* (another tenant's is "not found" too)
        ├── ActionNotAllowed    the issue's state does not allow the action (HTTP 409, with the reason)
        ├── SubscriptionNotFound no such webhook subscription for this tenant
        └── DatabaseNotCurrent  the database schema is behind the code: run ``syncdoctor db upgrade``

Kept in one module so the service maps each class to one HTTP status in one place.
"""

from __future__ import annotations

from syncdoctor import SyncdoctorError

__all__ = [
    "ActionNotAllowed",
    "DatabaseNotCurrent",
    "IssueNotFound",
    "LedgerError",
    "SubscriptionNotFound",
]


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
