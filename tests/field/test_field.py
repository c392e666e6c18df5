"""The field corpus: real rejection messages, each with its public source, run through both
engines (issue 14).

Every ``tests/field/*.yaml`` file is a list of entries::

    {id, vendor, message, http_status?, code?, payload?, expected: <problem id>|unknown,
     source: <URL or owner/repo path#issue>, variant?: "of <id>: why"}

An entry is classified as a support person would: with its vendor given, through the public
:class:`~syncdoctor.Host` API. Its verdict is the first diagnosis (a Fault holding several
errors gives one diagnosis per error; the corpus names the problem of the first).

* answered: the expected problem (or ``unknown`` when ``unknown`` is expected);
* wrong: another problem, or any problem where ``unknown`` is expected;
* unknown: ``unknown`` where a problem is expected.

Targets per vendor file and engine: at least 90% answered and nothing wrong. ``pytest -s``
prints the table; nothing is written anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from syncdoctor import EngineUnavailable, ErrorReport, Host

HERE = Path(__file__).parent
FILES = sorted(HERE.glob("*.yaml"))
REQUIRED = ("id", "vendor", "message", "expected", "source")
OPTIONAL = ("http_status", "code", "payload", "variant", "note")
TARGET = 0.90
_VARIANT = re.compile(r"^of (?P<of>\S+?):\s*\S")


def _load(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(data or [])


CORPUS: dict[str, list[dict[str, Any]]] = {path.stem: _load(path) for path in FILES}
ENTRIES = [(stem, entry) for stem, entries in CORPUS.items() for entry in entries]


@cache
def _host(engine: str) -> Host:
    return Host.from_entry_points(engine=engine)


def _durable_host() -> Host:
    try:
        return _host("durable")
    except EngineUnavailable as exc:
        pytest.skip(f"durable engine unavailable: {exc}")


def _report(entry: dict[str, Any]) -> ErrorReport:
    code = entry.get("code")
    return ErrorReport(
        vendor=entry["vendor"],
        message=entry.get("message") or "",
        http_status=entry.get("http_status"),
        code=None if code is None else str(code),
        payload=entry.get("payload"),
    )


# ------------------------------------------------------------------ the corpus itself


def _problems(errors: list[str], stem: str, entry: dict[str, Any], known: set[str], ids: set[str]) -> None:
    where = f"{stem}.yaml: {entry.get('id', '?')}"
    missing = [k for k in REQUIRED if k not in entry]
    if missing:
        errors.append(f"{where}: missing {', '.join(missing)}")
        return
    extra = sorted(set(entry) - set(REQUIRED) - set(OPTIONAL))
    if extra:
        errors.append(f"{where}: unknown keys {', '.join(extra)}")
    if not isinstance(entry["source"], str) or len(entry["source"].strip()) < 8:
        errors.append(f"{where}: a source (URL or owner/repo path#issue) is required")
    if not isinstance(entry["message"], str):
        errors.append(f"{where}: message must be text")
    elif not entry["message"].strip() and entry.get("payload") is None:
        errors.append(f"{where}: an entry needs a message or a payload")
    if entry["expected"] != "unknown" and entry["expected"] not in known:
        errors.append(f"{where}: expected {entry['expected']!r} is no loaded problem")
    status = entry.get("http_status")
    if status is not None and not (isinstance(status, int) and 100 <= status <= 599):
        errors.append(f"{where}: http_status {status!r} is not an HTTP status")
    if "variant" in entry:
        m = _VARIANT.match(str(entry["variant"]))
        if m is None:
            errors.append(f"{where}: variant must read 'of <id>: why'")
        elif m["of"] not in ids:
            errors.append(f"{where}: variant of {m['of']!r}, which is no entry")


def test_entries_are_well_formed() -> None:
    known = set(_host("native").catalog.problems)
    ids: list[str] = [str(e.get("id")) for _, e in ENTRIES]
    errors: list[str] = []
    for stem, entry in ENTRIES:
        _problems(errors, stem, entry, known, set(ids))
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        errors.append(f"ids used twice: {', '.join(duplicates)}")
    assert not errors, "\n".join(errors)


def test_the_validator_catches_bad_entries() -> None:
    """The checks above can fail: a bad entry is reported."""
    errors: list[str] = []
    _problems(errors, "x", {"id": "a", "vendor": "quickbooks", "message": "m", "expected": "nope.none",
                            "source": "owner/repo#12"}, {"quickbooks.throttled"}, {"a"})
    _problems(errors, "x", {"id": "c", "vendor": "quickbooks", "message": "m", "expected": "unknown"}, set(), {"c"})
    _problems(errors, "x", {"id": "b", "vendor": "quickbooks", "message": "", "expected": "unknown",
                            "source": "somewhere/repo#1", "variant": "of zz: shorter"}, set(), {"b"})
    text = "\n".join(errors)
    assert "missing source" in text and "no loaded problem" in text
    assert "needs a message or a payload" in text and "variant of 'zz'" in text


def test_the_corpus_has_its_size() -> None:
    """Issue 14: at least 250 real messages across vendors once every file is written;
    QuickBooks carries at least 150 of them."""
    assert len(CORPUS.get("quickbooks", [])) >= 150
    if all(CORPUS.get(v) for v in ("acd", "qonto", "pos_pennylane", "quickbooks")):
        assert len(ENTRIES) >= 250


# ------------------------------------------------------------------ classification


@dataclass
class Tally:
    answered: int = 0
    wrong: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.answered + len(self.wrong) + len(self.unknown)


def _verdict(host: Host, entry: dict[str, Any]) -> str:
    diagnoses = host.classify(_report(entry), vendor=entry["vendor"])
    return diagnoses[0].problem if diagnoses else "unknown"


def _tally(host: Host, entries: list[dict[str, Any]]) -> Tally:
    tally = Tally()
    for entry in entries:
        got, want = _verdict(host, entry), entry["expected"]
        if got == want:
            tally.answered += 1
        elif got == "unknown":
            tally.unknown.append(f"{entry['id']}: expected {want}")
        else:
            tally.wrong.append(f"{entry['id']}: expected {want}, got {got}")
    return tally


def _hosts() -> Iterator[tuple[str, Host | None, str]]:
    yield "native", _host("native"), ""
    try:
        yield "durable", _host("durable"), ""
    except EngineUnavailable as exc:
        yield "durable", None, str(exc)


def test_report_table(capsys: pytest.CaptureFixture[str]) -> None:
    """The table support reads: answered / wrong / unknown per vendor file and engine."""
    rows = [f"{'vendor file':<16}{'engine':<9}{'entries':>8}{'answered':>10}{'wrong':>7}{'unknown':>9}{'rate':>8}"]
    for name, host, why in _hosts():
        for stem, entries in CORPUS.items():
            if host is None:
                rows.append(f"{stem:<16}{name:<9}  skipped: {why}")
                continue
            t = _tally(host, entries)
            rate = f"{t.answered / t.total:.0%}" if t.total else "-"
            rows.append(f"{stem:<16}{name:<9}{t.total:>8}{t.answered:>10}{len(t.wrong):>7}{len(t.unknown):>9}{rate:>8}")
    with capsys.disabled():
        print("\nfield corpus (tests/field):\n" + "\n".join(rows))
    assert len(rows) > 1


def _check(host: Host, stem: str) -> None:
    entries = CORPUS[stem]
    if not entries:
        pytest.skip(f"{stem}.yaml has no entries yet")
    t = _tally(host, entries)
    assert not t.wrong, f"{stem}: {len(t.wrong)} wrong:\n" + "\n".join(t.wrong)
    assert t.answered >= TARGET * t.total, (
        f"{stem}: {t.answered}/{t.total} answered, below {TARGET:.0%}; unanswered:\n" + "\n".join(t.unknown))


@pytest.mark.parametrize("stem", sorted(CORPUS))
def test_native_answers_the_field(stem: str) -> None:
    _check(_host("native"), stem)


@pytest.mark.parametrize("stem", sorted(CORPUS))
def test_durable_answers_the_field(stem: str) -> None:
    _check(_durable_host(), stem)


@pytest.mark.parametrize("stem", sorted(CORPUS))
def test_engines_agree_on_every_entry(stem: str) -> None:
    """Not only the counts: both engines give the same verdict on each entry."""
    native, durable = _host("native"), _durable_host()
    differ = [e["id"] for e in CORPUS[stem] if _verdict(native, e) != _verdict(durable, e)]
    assert not differ, f"{stem}: engines disagree on {differ}"
