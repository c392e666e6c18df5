"""How much a vendor may cost us: bytes per answer, time per call, time per fetch, and the
total time spent waiting between retries.

Every :class:`~syncdoctor.vendors.client.VendorClient` has a :class:`Limits`. Defaults come
from the environment (``SYNCDOCTOR_HTTP_*``) so that every plugin gets them without passing
anything; ``syncdoctor fetch`` also takes them as flags and hands them to the plugin in
``options["limits"]``. A limit that is crossed ends in a :class:`~syncdoctor.VendorError`
that names the limit and the setting that raises it, never in a silent wait.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["ENV", "Limits", "LimitExceeded"]

from ..errors import VendorError

#: setting -> environment variable
ENV = {
    "max_bytes": "SYNCDOCTOR_HTTP_MAX_BYTES",
    "call_deadline": "SYNCDOCTOR_HTTP_CALL_DEADLINE",
    "total_deadline": "SYNCDOCTOR_HTTP_TOTAL_DEADLINE",
    "max_retry_wait": "SYNCDOCTOR_HTTP_MAX_RETRY_WAIT",
}


class LimitExceeded(VendorError):
    """A vendor answer or a fetch went past one of the :class:`Limits` (not retried)."""

    def __init__(self, vendor: str, message: str, setting: str) -> None:
        self.setting = setting
        super().__init__(vendor, f"{message} (limit {setting}, set ${ENV[setting]} or --{setting.replace('_', '-')})")


@dataclass(frozen=True)
class Limits:
    """Caps on one client (one fetch, one push session).

    * ``max_bytes``: the largest answer body read, in bytes (an endless body stops there);
    * ``call_deadline``: seconds for one HTTP call, body included (a trickling server stops);
    * ``total_deadline``: seconds for everything the client does, retries and waits included
      (the whole fetch, since a fetch uses one client);
    * ``max_retry_wait``: seconds spent sleeping between retries in total, ``Retry-After``
      included: past it, the client gives up and says so.
    """

    max_bytes: int = 64 * 1024 * 1024
    call_deadline: float = 120.0
    total_deadline: float = 3600.0
    max_retry_wait: float = 120.0

    def __post_init__(self) -> None:
        for name in ENV:
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0 or value != value:
                raise ValueError(f"{name} must be a positive number, not {value!r}")
            if value == float("inf"):
                raise ValueError(f"{name} must be finite")

    @classmethod
    def from_env(cls, environ: Any = None) -> Limits:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, var in ENV.items():
            raw = env.get(var)
            if raw is None or not str(raw).strip():
                continue
            try:
                values[name] = int(raw) if name == "max_bytes" else float(raw)
            except ValueError:
                raise ValueError(f"${var} must be a number, not {str(raw)[:40]!r}") from None
        return cls(**values)

    @classmethod
    def from_options(cls, options: Any) -> Limits:
        """The ``limits`` a host passed in a fetch's options, else the environment's."""
        given = options.get("limits") if hasattr(options, "get") else None
        return given if isinstance(given, Limits) else cls.from_env()

    def with_(self, **changes: Any) -> Limits:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def report(self) -> dict[str, float | int]:
        return {name: getattr(self, name) for name in ENV}
