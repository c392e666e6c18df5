"""Issue 20, item 4: a rule pack's YAML aliases cannot blow up the host.

Before the fix an 800-byte alias bomb inside a condition tree took seconds and hundreds of
MB to validate (one level more: over a minute and 2.4 GB), and a host loading it never started.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from syncdoctor import Host, PackError, PluginSpec, hookimpl
from syncdoctor.cli.main import main
from syncdoctor.rules.loader import MAX_PACK_BYTES, load_pack, load_pack_text


def bomb(levels: int = 9) -> str:
    lines = ['    - &a0 {path: "x", equals: "lol"}']
    for i in range(1, levels + 1):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"    - &a{i} {{any: [{refs}]}}")
    return ("plugin: hostile\nanchors:\n" + "\n".join(lines) + "\nproblems:\n  - id: hostile.lol\n"
            "    title: {en: lol, fr: lol}\n    category: General\n    causes: [{en: lol, fr: lol}]\n"
            f"    detect: {{kind: journal_entry, all: [*a{levels}]}}\n")


def test_an_alias_bomb_is_refused_quickly_with_the_file_named() -> None:
    text = bomb()
    assert len(text) < 1200
    started = time.monotonic()
    with pytest.raises(PackError, match="aliases") as caught:
        load_pack_text(text, "hostile.yaml")
    assert time.monotonic() - started < 1
    assert caught.value.file == "hostile.yaml"


def test_shipped_packs_use_aliases_within_the_budget() -> None:
    host = Host.from_entry_points()
    assert host.broken == [] and len(host.plugins) == 4


def test_deep_nesting_and_huge_packs_are_pack_errors() -> None:
    with pytest.raises(PackError, match="nest"):
        load_pack_text("plugin: deep\nproblems: " + "[" * 50_000 + "]" * 50_000, "deep.yaml")
    with pytest.raises(PackError, match="nested"):
        load_pack_text("plugin: deep\nproblems: " + "[" * 150 + "]" * 150, "deep.yaml")
    with pytest.raises(PackError, match="split it"):
        load_pack_text("#" * (MAX_PACK_BYTES + 1), "big.yaml")


class BombPlugin:
    def __init__(self, pack: Path) -> None:
        self.pack = pack

    @hookimpl
    def register_plugin(self) -> PluginSpec:
        return PluginSpec(name="hostile", packs=(self.pack,))


def test_a_host_loading_an_alias_bomb_starts_without_it(tmp_path: Path) -> None:
    pack = tmp_path / "hostile.yaml"
    pack.write_text(bomb(12))
    started = time.monotonic()
    host = Host([BombPlugin(pack)])
    assert time.monotonic() - started < 2
    assert "hostile" not in host.plugins
    assert "aliases" in host.broken[0].reason and "hostile.yaml" in host.broken[0].reason
    with pytest.raises(PackError):
        load_pack(pack)


def test_rules_lint_says_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "hostile.yaml"
    pack.write_text(bomb(12))
    assert main(["rules", "lint", str(pack)]) == 1  # lint's "this pack has errors"
    captured = capsys.readouterr()
    assert "hostile.yaml" in captured.err + captured.out and "aliases" in captured.err + captured.out


def test_a_pack_path_to_an_endless_file_is_read_bounded() -> None:
    with pytest.raises(PackError, match="split it|cannot read"):
        load_pack(Path("/dev/zero"))
