"""The kit for plugin authors and testers: a pytest plugin, strategies, a conformance suite.

Installed with syncdoctor and registered with pytest (entry point ``pytest11``), so in any
test of a project that has syncdoctor installed:

* fixtures ``syncdoctor_host`` (a host with only the plugins a test names) and
  ``syncdoctor_sandbox`` (a plugin's sandbox running on a free loopback port);
* :mod:`syncdoctor.testing.strategies`: hypothesis strategies for entities, error reports
  and contexts;
* :func:`conformance_tests`: the conformance suite, on in one line::

      from syncdoctor.testing import conformance_tests

      test_conformance = conformance_tests("xero")

* :func:`syncdoctor.testing.scaffold.write_plugin` (``syncdoctor plugin new NAME``).

Importing this package is cheap and loads no plugin: pytest imports it in every test run of
every project that has syncdoctor installed. Everything heavy is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .conformance import CHECKS, CheckOutcome, Conformance, ConformanceFailure, conformance_tests

__all__ = ["CheckOutcome", "CHECKS", "Conformance", "conformance_tests", "ConformanceFailure"]

_LAZY = set(__all__)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import conformance

        return getattr(conformance, name)
    raise AttributeError(f"module 'syncdoctor.testing' has no attribute {name!r}")


def pytest_configure(config: Any) -> None:
    """Register the fixtures (a separate module, so that plain imports skip pytest)."""
    from . import _fixtures

    if not config.pluginmanager.is_registered(_fixtures):
        config.pluginmanager.register(_fixtures, "syncdoctor.testing.fixtures")
