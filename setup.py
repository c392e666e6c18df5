"""Package discovery for the folder-to-name mapping in pyproject.toml (``package-dir``).

setuptools' declarative ``packages.find`` names packages after their folders (``core.cli``),
not after the import names ``package-dir`` gives them (``syncdoctor.cli``); this finds every
package below each mapped folder and names it under its import name. Everything else about
the distribution is in pyproject.toml.
"""

from setuptools import find_packages, setup

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python < 3.11 is not supported anyway
    tomllib = None


def _packages() -> list[str]:
    with open("pyproject.toml", "rb") as fh:
        package_dir = tomllib.load(fh)["tool"]["setuptools"]["package-dir"]
    found = []
    for name, folder in package_dir.items():
        found.append(name)
        found += [f"{name}.{sub}" for sub in find_packages(folder, exclude=["*.templates", "*.templates.*"])]
    return sorted(found)


setup(packages=_packages())
