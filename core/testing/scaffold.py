"""``syncdoctor plugin new NAME``: writes a complete, installable plugin package.

::

    from syncdoctor.testing.scaffold import write_plugin

    root = write_plugin("xero", Path("."))     # -> ./syncdoctor-xero/

The package has a ``pyproject.toml`` with the entry point, the plugin object, a context
model, a rule pack with one example problem (a pattern, a detect condition, a plan and its
examples), tests that run the conformance suite, and a README. Freshly generated,
``pip install`` then ``pytest`` in it passes.
"""

from __future__ import annotations

import importlib.util
import keyword
import re
import sys
from importlib.resources import files
from pathlib import Path

from syncdoctor import __version__
from syncdoctor.errors import ScaffoldError  # re-exported: tests and users catch it from here

__all__ = ["ScaffoldError", "plugin_files", "write_plugin"]

_NAME = re.compile(r"[a-z][a-z0-9_]*")  # used with fullmatch: "$" would let "abc\n" through
MAX_NAME = 40
"""Longer names make problem ids nobody types, and paths (``syncdoctor-<name>/src/...``) that
some file systems refuse."""
BUNDLED = frozenset({"acd", "quickbooks", "pos_pennylane", "qonto"})

# template -> path in the generated project ({name} is the plugin name)
_LAYOUT = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "gitignore.tmpl": ".gitignore",
    "__init__.py.tmpl": "src/syncdoctor_{name}/__init__.py",
    "context.py.tmpl": "src/syncdoctor_{name}/context.py",
    "rules.yaml.tmpl": "src/syncdoctor_{name}/rules/{name}.yaml",
    "test_conformance.py.tmpl": "tests/test_conformance.py",
    "test_rules.py.tmpl": "tests/test_rules.py",
}


def _shadowed(name: str) -> str | None:
    """What a plugin of this name would hide or be hidden by, if anything: its problems are
    ``<name>.x``, its entry point is ``<name>``, and a tool may import ``<name>``."""
    if name in BUNDLED:
        return f"the bundled plugin {name!r}"
    if name == "syncdoctor" or name.startswith("syncdoctor"):
        return "syncdoctor's own packages"
    if name in sys.stdlib_module_names or name in sys.builtin_module_names:
        return f"Python's standard module {name!r}"
    try:
        found = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        found = None
    if found is not None:
        return f"the installed module {name!r}"
    return None


def _check_name(name: str) -> None:
    if not isinstance(name, str) or len(name) > MAX_NAME:
        raise ScaffoldError(f"plugin name of {len(str(name))} characters: at most {MAX_NAME} "
                            f"({str(name)[:20]!r}…)")
    if not _NAME.fullmatch(name) or keyword.iskeyword(name):
        suggestion = re.sub(r"[^a-z0-9_]", "_", name.lower()).strip("_") or "my_tool"
        if not suggestion[0].isalpha():
            suggestion = "tool_" + suggestion
        raise ScaffoldError(
            f"plugin name {name!r} must be lower-case letters, digits and underscores, starting with a letter "
            f"(it prefixes problem ids and names the package syncdoctor_<name>); try {suggestion!r}")
    if name == "core":
        raise ScaffoldError("plugin name 'core' is reserved for syncdoctor's own problems")
    shadowed = _shadowed(name)
    if shadowed is not None:
        raise ScaffoldError(f"plugin name {name!r} is taken by {shadowed}; choose another "
                            f"(e.g. {name}_sync or my_{name})")


def _values(name: str) -> dict[str, str]:
    words = name.split("_")
    return {
        "name": name,
        "dist": name.replace("_", "-"),
        "Title": " ".join(w.capitalize() for w in words),
        "Class": "".join(w.capitalize() for w in words),
        "core_version": __version__,
    }


def _render(template: str, values: dict[str, str]) -> str:
    text = template
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    left = re.findall(r"\{\{\w+\}\}", text)
    if left:
        raise AssertionError(f"template placeholders left unfilled: {sorted(set(left))}")
    return text


def plugin_files(name: str) -> dict[str, str]:
    """The generated project as ``{relative path: content}`` (nothing is written)."""
    _check_name(name)
    values = _values(name)
    templates = files(__package__) / "templates"
    out = {}
    for template, target in _LAYOUT.items():
        out[target.format(name=name)] = _render((templates / template).read_text(encoding="utf-8"), values)
    out[f"src/syncdoctor_{name}/py.typed"] = ""
    return out


def write_plugin(name: str, directory: Path) -> Path:
    """Write the plugin package ``syncdoctor-<name>`` inside ``directory``; return its path.

    Refuses to overwrite: the project directory must not exist, or be empty.
    """
    contents = plugin_files(name)
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ScaffoldError(f"--dir {directory} is a file, not a folder; name a folder to create the plugin in")
    root = directory / f"syncdoctor-{name.replace('_', '-')}"
    try:
        if root.exists() and (not root.is_dir() or any(root.iterdir())):
            raise ScaffoldError(f"{root} already exists and is not empty; choose another --dir or remove it")
        for rel, text in contents.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ScaffoldError(f"cannot write the plugin in {directory}: {exc.strerror or exc}"
                            + (f" ({exc.filename})" if exc.filename else "")) from None
    return root
