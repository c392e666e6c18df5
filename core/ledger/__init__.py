"""The issue ledger: every failed sync remembered, deduplicated, resolved (design section 11).

``Database`` (SQLite or PostgreSQL, migrations shipped here), ``KeyStore`` (API keys),
``Ledger`` (events, issues, actions, webhooks; every method takes the tenant first).
"""

from __future__ import annotations

from ..errors import ActionNotAllowed, DatabaseNotCurrent, IssueNotFound, LedgerError, SubscriptionNotFound
from .database import Database, default_url
from .delivery import WebhookDelivery
from .keys import ROLES, ApiKey, KeyStore, role_allows
from .ledger import Ledger, LedgerConfig, ledger_config
from .retention import Pruner

__all__ = [
    "ActionNotAllowed",
    "ApiKey",
    "Database",
    "DatabaseNotCurrent",
    "default_url",
    "IssueNotFound",
    "KeyStore",
    "Ledger",
    "LedgerConfig",
    "ledger_config",
    "LedgerError",
    "Pruner",
    "ROLES",
    "role_allows",
    "SubscriptionNotFound",
    "WebhookDelivery",
]
