"""The shape of core/: no import cycle, no oversized module, a map in the docs that matches.

The graph is computed from the source (every ``import`` and ``from ... import`` anywhere in a
module, including those inside functions and under ``if TYPE_CHECKING``), so a cycle hidden
in a lazy import counts too: a lazy import is how a cycle is usually papered over.
"""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "core"
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = ["syncdoctor", *path.relative_to(CORE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, Path]:
    return {
        _module_name(p): p
        for p in sorted(CORE.rglob("*.py"))
        if "templates" not in p.relative_to(CORE).parts
    }


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    if node.level > 1:
        base = base[: -(node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def import_graph() -> dict[str, set[str]]:
    """Module -> the core modules it imports (a name imported from a package counts as the
    submodule when it is one, else as the package)."""
    sources = _sources()
    graph: dict[str, set[str]] = {name: set() for name in sources}
    for name, path in sources.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_package, node)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in sources else base for a in node.names]
            for target in targets:
                while target and target not in sources:
                    target = target.rpartition(".")[0]  # import a.b.c -> the deepest core module
                if target and target != name:
                    graph[name].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_the_graph_sees_lazy_and_relative_imports() -> None:
    graph = import_graph()
    assert "syncdoctor.hookspecs" in graph["syncdoctor.host.host"]
    assert "syncdoctor.engines.durable" in graph["syncdoctor.engines.choice"]  # imported inside a function
    assert graph["syncdoctor.errors"] == set()


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_core_has_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_core_module_is_oversized() -> None:
    sizes = {name: len(path.read_text().splitlines()) for name, path in _sources().items()}
    oversized = {name: n for name, n in sizes.items() if n > MAX_LINES}
    assert not oversized, f"modules over {MAX_LINES} lines (split them along their concerns): {oversized}"


def test_the_concepts_map_names_every_core_folder() -> None:
    concepts = (CORE.parent / "docs" / "concepts.md").read_text()
    # the map opens the page: its first section
    assert concepts.split("\n## ", 2)[1].startswith("Where things live"), "docs/concepts.md must open with the map"
    head = concepts.split("\n## ", 2)[1]
    folders = sorted(
        p.relative_to(CORE).as_posix() + "/"
        for p in CORE.rglob("__init__.py")
        if p.parent != CORE and "templates" not in p.parts
        for p in [p.parent]
    )
    missing = [f for f in folders if f"{f}" not in head]
    assert not missing, f"docs/concepts.md's map does not name: {missing}"
    named = {line.split("`")[1] for line in head.splitlines() if line.startswith("| `") and line.count("`") >= 2}
    planned = {line.split("`")[1] for line in head.splitlines() if line.startswith("| `") and "*planned*" in line}
    stale = [n for n in named if n.endswith("/") and not (CORE / n).is_dir() and n not in planned]
    assert not stale, f"docs/concepts.md's map names folders that do not exist: {stale}"
