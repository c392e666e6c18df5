"""The names of the faults a sandbox injects (``syncdoctor sandbox ACD --faults 429,500``).

Apart from the server (:mod:`.sandbox`) so that building the command line, which lists them in
``--help``, does not import ``http.server``.
"""

from __future__ import annotations

__all__ = ["FAULTS"]

FAULTS = ("429", "500", "drop", "duplicate-page", "slow", "lost-answer", "trickle", "endless", "malformed-page", "echo")
