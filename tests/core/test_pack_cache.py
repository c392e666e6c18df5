"""Parsed packs are cached by content (issue 19): an edited pack is parsed again, a folder that
cannot be written or a damaged entry changes nothing but speed, concurrent writers are safe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from syncdoctor.errors import PackError
from syncdoctor.rules import loader, pack_cache

PACK = """plugin: sample
problems:
  - id: sample.bad_prefix
    category: Accounts
    title: {en: "Bad prefix", fr: "Mauvais préfixe"}
    causes: [{en: "Cause {x}", fr: "Cause {x}"}]
    remediation:
      steps:
        - {action: contact_support, system: syncdoctor, instructions: {en: "Do it", fr: "Faites-le"}}
    match: [{pattern: "the account (?P<x>\\\\w+) does not exist"}]
"""


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SYNCDOCTOR_CACHE_DIR", str(folder))
    parsed: list[str] = []
    real = loader._parse_yaml

    def counting(text: str) -> Any:
        parsed.append(text)
        return real(text)

    monkeypatch.setattr(loader, "_parse_yaml", counting)
    return folder, parsed


def test_second_load_comes_from_the_cache_and_equals_the_first(cache: tuple[Path, list[str]]) -> None:
    folder, parsed = cache
    first = loader.load_pack_text(PACK, "p.yaml")
    second = loader.load_pack_text(PACK, "p.yaml")
    assert first == second and len(parsed) == 1
    assert len(list(folder.glob("*.pickle"))) == 1
    assert oct(folder.stat().st_mode & 0o777) == oct(0o700)


def test_an_edited_pack_is_parsed_again(cache: tuple[Path, list[str]]) -> None:
    _, parsed = cache
    loader.load_pack_text(PACK, "p.yaml")
    edited = loader.load_pack_text(PACK.replace("Bad prefix", "Wrong prefix"), "p.yaml")
    assert len(parsed) == 2 and edited.problems[0].title.en == "Wrong prefix"
    assert loader.load_pack_text(PACK, "p.yaml").problems[0].title.en == "Bad prefix"  # both kept
    assert len(parsed) == 2


def test_the_key_is_the_content_and_the_format(monkeypatch: pytest.MonkeyPatch) -> None:
    key = pack_cache._key(PACK)
    assert key == pack_cache._key(str(PACK)) != pack_cache._key(PACK + " ")
    monkeypatch.setattr(pack_cache, "FORMAT", pack_cache.FORMAT + "-next")
    assert pack_cache._key(PACK) != key


def test_a_damaged_entry_is_parsed_again_and_rewritten(cache: tuple[Path, list[str]]) -> None:
    folder, parsed = cache
    loader.load_pack_text(PACK, "p.yaml")
    (entry,) = folder.glob("*.pickle")
    for damage in (b"", b"garbage", pack_cache._MAGIC + b"\x80\x05truncated", entry.read_bytes()[:-7]):
        entry.write_bytes(damage)
        assert loader.load_pack_text(PACK, "p.yaml").plugin == "sample"
    assert len(parsed) == 5
    assert loader.load_pack_text(PACK, "p.yaml").plugin == "sample" and len(parsed) == 5  # rewritten whole


def test_an_entry_under_another_key_is_not_used(cache: tuple[Path, list[str]]) -> None:
    folder, parsed = cache
    loader.load_pack_text(PACK, "p.yaml")
    other = PACK.replace("Bad prefix", "Other")
    (entry,) = folder.glob("*.pickle")
    entry.rename(folder / f"{pack_cache._key(other)}.pickle")  # a file copied under the wrong name
    assert loader.load_pack_text(other, "p.yaml").problems[0].title.en == "Other"
    assert len(parsed) == 2


def test_a_cached_pack_is_not_walked_again_and_its_budget_still_holds(
    cache: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The expanded size is stored with the data (the walk was ~40 ms of every start-up), and a
    pack over the budget is refused from the cache as it was on its first load."""
    _, parsed = cache
    walks: list[int] = []
    real = loader._expanded_size
    monkeypatch.setattr(loader, "_expanded_size", lambda data: walks.append(1) or real(data))
    loader.load_pack_text(PACK, "p.yaml")
    assert loader.load_pack_text(PACK, "p.yaml").plugin == "sample"
    assert len(parsed) == 1 and len(walks) == 1
    monkeypatch.setattr(loader, "MAX_PACK_DEPTH", 3)
    for _ in range(2):
        with pytest.raises(PackError, match="nested"):
            loader.load_pack_text(PACK, "p.yaml")
    assert len(parsed) == 1 and len(walks) == 1


def test_errors_are_not_cached(cache: tuple[Path, list[str]]) -> None:
    folder, parsed = cache
    for _ in range(2):
        with pytest.raises(PackError, match="bad.yaml:3: not valid YAML"):
            loader.load_pack_text("plugin: x\nproblems: [\n", "bad.yaml")
    assert len(parsed) == 2 and not list(folder.glob("*.pickle"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_unwritable_folder_only_costs_speed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    monkeypatch.setenv("SYNCDOCTOR_CACHE_DIR", str(folder / "packs"))
    assert loader.load_pack_text(PACK, "p.yaml").plugin == "sample"


def test_a_file_where_the_folder_should_be_only_costs_speed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SYNCDOCTOR_CACHE_DIR", str(blocker / "packs"))
    assert loader.load_pack_text(PACK, "p.yaml").plugin == "sample"
    assert loader.load_pack_text(PACK, "p.yaml").plugin == "sample"


def test_off_parses_every_time(cache: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    folder, parsed = cache
    monkeypatch.setenv("SYNCDOCTOR_CACHE_DIR", "off")
    loader.load_pack_text(PACK, "p.yaml")
    loader.load_pack_text(PACK, "p.yaml")
    assert len(parsed) == 2 and not folder.exists()


def test_default_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SYNCDOCTOR_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert pack_cache.cache_dir() == tmp_path / "syncdoctor" / "packs"


CONCURRENT = """
import sys
from syncdoctor.rules.loader import load_pack_text
pack = open(sys.argv[1]).read()
for _ in range(30):
    assert load_pack_text(pack, "p.yaml").problems[0].id == "sample.bad_prefix"
"""


def test_concurrent_processes_share_one_entry(tmp_path: Path) -> None:
    pack = tmp_path / "p.yaml"
    pack.write_text(PACK)
    env = {**os.environ, "SYNCDOCTOR_CACHE_DIR": str(tmp_path / "cache")}
    procs = [subprocess.Popen([sys.executable, "-c", CONCURRENT, str(pack)], env=env) for _ in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [f"{pack_cache._key(PACK)}.pickle"]


def test_a_pack_file_edited_on_disk_is_read_anew(cache: tuple[Path, list[str]], tmp_path: Path) -> None:
    _, parsed = cache
    pack = tmp_path / "sample.yaml"
    pack.write_text(PACK, encoding="utf-8")
    assert loader.load_pack(pack).problems[0].title.en == "Bad prefix"
    assert loader.load_pack(pack).problems[0].title.en == "Bad prefix" and len(parsed) == 1
    stat = pack.stat()
    pack.write_text(PACK.replace("Bad prefix", "Edited"), encoding="utf-8")
    os.utime(pack, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime: content decides, not time
    assert loader.load_pack(pack).problems[0].title.en == "Edited" and len(parsed) == 2
