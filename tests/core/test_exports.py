from __future__ import annotations

import types

import syncdoctor


def test_all_is_sorted_and_complete() -> None:
    # submodules (hookspecs, testing, errors and the layer folders) are not part of __all__
    public = [name for name, obj in vars(syncdoctor).items()
              if not name.startswith("_") and not isinstance(obj, types.ModuleType)]
    public += syncdoctor._LAZY  # loaded on first use (module __getattr__): the vendor client and httpx
    assert syncdoctor.__all__ == sorted(syncdoctor.__all__, key=str.casefold)
    assert set(syncdoctor.__all__) == set(public)


def test_the_core_imports_no_plugin() -> None:
    import subprocess
    import sys

    code = ("import sys, syncdoctor; syncdoctor.Host(); "
            "print(sorted(m for m in sys.modules if m.startswith('syncdoctor_')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
