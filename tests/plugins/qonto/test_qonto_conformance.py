"""The core's conformance suite on the Qonto plugin: pack, examples, texts, fuzzing, engines agree."""

from syncdoctor.testing import conformance_tests

test_conformance = conformance_tests("qonto")
