from __future__ import annotations

import syncdoctor


def test_all_is_sorted_and_complete() -> None:
    public = [name for name in vars(syncdoctor) if not name.startswith("_") and name not in ("hookspecs", "testing")]
    assert syncdoctor.__all__ == sorted(syncdoctor.__all__, key=str.casefold)
    assert set(syncdoctor.__all__) == set(public)


def test_the_core_imports_no_plugin() -> None:
    import subprocess
    import sys

    code = ("import sys, syncdoctor; syncdoctor.Host(); "
            "print(sorted(m for m in sys.modules if m.startswith('syncdoctor_')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
