"""Test-wide settings. Under CI (``CI`` set), hypothesis is derandomized so that a run's verdict
does not depend on the seed; locally it explores new inputs on every run."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
