from __future__ import annotations

import syncdoctor


def test_all_is_sorted_and_complete() -> None:
    public = [name for name in vars(syncdoctor) if not name.startswith("_") and name not in ("hookspecs", "testing")]
    assert syncdoctor.__all__ == sorted(syncdoctor.__all__, key=str.casefold)
    assert set(syncdoctor.__all__) == set(public)


def test_the_core_imports_no_plugin() -> None:
    import sys

    for name in list(sys.modules):
        if name.startswith("syncdoctor_"):
            del sys.modules[name]
    import importlib

    importlib.reload(syncdoctor)
    host = syncdoctor.Host()
    assert host.plugins == {}
    assert not any(name.startswith("syncdoctor_") for name in sys.modules)
