"""The project's conformance suite on the ACD plugin: pack, examples, texts, fuzzing, engines."""

from __future__ import annotations

from syncdoctor.testing import conformance_tests

test_conformance = conformance_tests("acd")
