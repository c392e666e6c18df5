"""Input reading holds whatever people feed it (issue 20, items 6, 9 and 12; issue 18's input
points): every JSON shape streamed with line numbers, odd line endings and BOMs, and bounded
memory on endless or huge input (a clear error and exit 2, never a MemoryError)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncdoctor.errors import InputError
from syncdoctor.model.records import MAX_RECORD_BYTES, RecordReader

ROOT = Path(__file__).resolve().parents[2]


def read(data: bytes) -> list[tuple[int, Any]]:
    """(line, record) pairs; an InputError is shown as its message."""
    reader = RecordReader(io.BytesIO(data))
    out = []
    for record in reader:
        line = reader.lines.popleft()
        out.append((line, str(record) if isinstance(record, InputError) else record))
    assert not reader.lines
    return out


def test_json_lines_are_numbered_by_line_and_a_bad_line_does_not_stop_the_rest() -> None:
    got = read(b'{"a": 1}\n{bad\n\n{"b": 2.50}\n')
    assert got[0] == (1, {"a": 1}) and got[2] == (4, {"b": Decimal("2.50")})
    assert got[1][0] == 2 and got[1][1].startswith("line 2: not valid JSON")


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_lf_crlf_and_cr_line_endings(newline: bytes) -> None:
    data = newline.join([b'{"a": 1}', b'{"b": 2}', b"", b'{"c": 3}']) + newline
    assert read(data) == [(1, {"a": 1}), (2, {"b": 2}), (4, {"c": 3})]


def test_a_bom_may_open_any_line() -> None:
    bom = b"\xef\xbb\xbf"
    assert read(bom + b'{"a": 1}\n' + bom + b'{"b": 2}\n') == [(1, {"a": 1}), (2, {"b": 2})]
    assert read(bom + b'[{"a": 1}]') == [(1, {"a": 1})]


def test_a_single_pretty_printed_object_is_one_record() -> None:
    entry = (ROOT / "docs" / "examples" / "entry.json").read_bytes()
    assert entry.count(b"\n") > 10  # the repository's own example is pretty-printed
    got = read(entry)
    assert len(got) == 1 and got[0][0] == 1 and got[0][1]["id"] == json.loads(entry)["id"]


def test_jq_output_a_stream_of_pretty_objects_gives_one_record_each() -> None:
    docs = [{"id": "a", "lines": [{"x": 1}, {"y": [1, 2]}]}, {"id": "b"}, {"id": "c", "n": {"deep": {"er": 1}}}]
    data = "\n".join(json.dumps(d, indent=2) for d in docs).encode()
    got = read(data)
    assert [r for _, r in got] == docs
    sizes = [json.dumps(d, indent=2).count("\n") + 1 for d in docs]
    assert [line for line, _ in got] == [1, 1 + sizes[0], 1 + sizes[0] + sizes[1]]


def test_a_json_array_pretty_or_not_gives_its_items_with_the_line_each_starts_on() -> None:
    items = [{"id": "x"}, {"id": "y", "n": [1, 2]}, 3]
    assert read(json.dumps(items, indent=2).encode()) == [(2, items[0]), (5, items[1]), (12, 3)]
    assert read(json.dumps(items).encode()) == [(1, items[0]), (1, items[1]), (1, 3)]
    assert read(b"[]") == [] and read(b"  \n [ ]\n") == []


def test_a_broken_array_gives_the_good_items_then_one_error() -> None:
    got = read(b'[{"id": "a"},\n {"id": oops},\n {"id": "c"}]')
    assert got[0] == (1, {"id": "a"})
    assert len(got) == 2 and got[1][1].startswith("line 2: not valid JSON") and "rest of the JSON array" in got[1][1]
    assert read(b'[1, 2')[-1][1].endswith("the JSON array ends without its closing ']'")


def test_a_pretty_object_left_open_does_not_swallow_the_next_records() -> None:
    got = read(b'{"a": [\n{"b": 1}\n{"c": 2}\n')
    assert got[0][1].startswith("line 1: not valid JSON") and got[1:] == [(2, {"b": 1}), (3, {"c": 2})]


def test_numbers_split_across_the_reading_window_are_whole() -> None:
    numbers = list(range(10**9, 10**9 + 200_000))
    got = read(json.dumps(numbers).encode())
    assert [r for _, r in got] == numbers


def test_invalid_utf8_names_its_line() -> None:
    got = read(b'\xff\n{"c": 2}\n')
    assert got == [(1, "line 1: not valid UTF-8 (byte 1 of the line)"), (2, {"c": 2})]


def test_a_line_over_the_limit_is_one_bad_record_and_the_rest_goes_on() -> None:
    big = b'{"a": 1}\n{"x": "' + b"y" * (MAX_RECORD_BYTES + 10) + b'"}\n{"b": 2}\n'
    got = read(big)
    assert got[0] == (1, {"a": 1}) and got[2] == (3, {"b": 2})
    assert got[1][0] == 2 and "longer than 16 MB" in got[1][1]


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "syncdoctor"
    return subprocess.run([str(script), *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, env={"SYNCDOCTOR_CONFIG": "", "PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize("command", [["validate", "--json"], ["classify", "--input"]])
def test_dev_zero_ends_with_a_clear_error_and_exit_2(command: list[str]) -> None:
    proc = _cli(*command, "/dev/zero")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr
    assert "longer than 16 MB" in proc.stdout and "without a line break" in proc.stdout


def test_the_repository_examples_are_read_as_they_are() -> None:
    proc = _cli("validate", "--json", str(ROOT / "docs" / "examples" / "entry.json"))
    assert proc.returncode == 1 and len(proc.stdout.splitlines()) == 1  # one entity, not 39 bad records


MEMORY = textwrap.dedent("""
    import resource, sys
    from syncdoctor.model.records import RecordReader
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(sys.argv[1], "rb") as f:
        reader = RecordReader(f)
        n = 0
        for record in reader:
            reader.lines.popleft()
            n += 1
    print(n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
""")


@pytest.mark.parametrize("shape", ["array", "pretty-array", "jsonl"])
def test_memory_stays_flat_on_a_large_input(tmp_path: Path, shape: str) -> None:
    entity = {"kind": "journal_entry", "id": "e", "journal": "AC", "date": "2026-03-26",
              "lines": [{"account": "40100000", "auxiliary": "FAARO", "credit": "100.00", "label": "Facture 2026-001"},
                        {"account": "60610000", "debit": "100.00", "label": "Achat"}]}
    n = 120_000  # ~30 MB: a few seconds; the whole file would cost ~300 MB of objects if it were held
    path = tmp_path / "big.json"
    with path.open("w") as f:
        if shape == "jsonl":
            for i in range(n):
                f.write(json.dumps({**entity, "id": f"e{i}"}) + "\n")
        else:
            f.write("[\n")
            for i in range(n):
                item = json.dumps({**entity, "id": f"e{i}"}, indent=2 if shape == "pretty-array" else None)
                f.write(("," if i else "") + item + "\n")
            f.write("]\n")
    proc = subprocess.run([sys.executable, "-c", MEMORY, str(path)], capture_output=True, text=True, timeout=120)
    count, growth_kb = map(int, proc.stdout.split())
    assert count == n
    assert growth_kb < 40_000, f"peak RSS grew by {growth_kb} KB reading {path.stat().st_size // 1_000_000} MB"


@pytest.mark.parametrize("args", [
    ["validate", "--context", "/dev/zero", str(ROOT / "docs" / "examples" / "entry.json")],
    ["classify", "--payload", "/dev/zero"],
    ["remediate", "/dev/zero"],
    ["remediate", "--apply", "--entity", "/dev/zero"],
    ["rules", "lint", "/dev/zero"],
])
def test_every_file_option_is_bounded(args: list[str]) -> None:
    proc = _cli(*args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr
    assert "16 MB" in proc.stderr or "not a file" in proc.stderr


_JSON = st.recursive(
    st.none() | st.booleans() | st.text() | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1e300, -0.0, 2**70, -(2**64), 2**63, "\ud800 lone", "\u0000"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=5), _JSON, max_size=4), min_size=1, max_size=5))
def test_json_lines_read_as_the_standard_decoder_with_decimals_reads_them(values: list[Any]) -> None:
    # lines (records are objects; a first "[" opens an array) are read with orjson when that
    # changes nothing (issue 19): floats, integers past 64 bits, lone surrogates and the rest
    # go to the standard decoder, Decimals as before
    lines = [json.dumps(v) for v in values]
    expected = [json.loads(line, parse_float=Decimal) for line in lines]
    got = [record for _, record in read(("\n".join(lines) + "\n").encode())]
    assert got == expected
    assert [type(x) for x in got] == [type(x) for x in expected]


def test_a_file_of_float_lines_stops_trying_the_fast_decoder_and_reads_every_line() -> None:
    data = b"".join(b'{"amount": %d.5, "n": %d}\n' % (i, i) for i in range(300))
    got = [record for _, record in read(data)]
    assert got == [{"amount": Decimal(f"{i}.5"), "n": i} for i in range(300)]
    assert all(type(r["amount"]) is Decimal for r in got)


@pytest.mark.parametrize("size", [10**32, 1e30, 10**15 + 1])
def test_an_attachment_size_no_file_has_is_invalid_input_not_a_silent_pass(size: Any) -> None:
    """Past 1e30 a number is unknown to the rules, so the 30 MB check said nothing: the model
    refuses sizes no file has, naming the field."""
    from syncdoctor import Host

    entity = {"kind": "bank_transaction", "id": "t1", "amount": "1.00", "side": "debit",
              "attachments": [{"filename": "a.pdf", "size": size}]}
    (result,) = Host.from_entry_points().validate_many([entity])
    (finding,) = result.findings
    assert finding.problem == "core.invalid_input" and finding.path == "attachments.0.size"
