"""Issue 20, items 6 and 12: hostile input ends in a clear message and exit 2, never a traceback.

The command line runs in process (``main``): an unexpected exception would escape it and fail
the test, so "no traceback" is what each test checks along with the message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from syncdoctor import SandboxRequest, SandboxResponse, SandboxServer
from syncdoctor.cli.main import main
from syncdoctor.rules.regex import CompileError, compile_regex
from syncdoctor.testing.scaffold import ScaffoldError, plugin_files, write_plugin
from syncdoctor_pos_pennylane.sandbox import SANDBOX_LOCATION, SANDBOX_TOKEN


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.err


@pytest.mark.parametrize(("name", "said"), [
    ("abc\n", "lower-case"),
    ("os", "standard module"),
    ("sys", "standard module"),
    ("acd", "bundled plugin"),
    ("syncdoctor", "syncdoctor's own"),
    ("pytest", "installed module"),
    ("x" * 301, "at most 40"),
])
def test_plugin_new_refuses_names_that_break_or_shadow(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                       name: str, said: str) -> None:
    code, err = run(capsys, "plugin", "new", name, "--dir", str(tmp_path))
    assert code == 2 and said in err
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ScaffoldError):
        plugin_files(name)


def test_plugin_new_with_a_file_as_dir(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("not a folder")
    code, err = run(capsys, "plugin", "new", "xero_books", "--dir", str(target))
    assert code == 2 and "is a file" in err
    with pytest.raises(ScaffoldError, match="cannot write"):
        write_plugin("xero_books", tmp_path / "a-file" / "below")


def test_a_good_name_still_works(tmp_path: Path) -> None:
    assert (write_plugin("xero_books", tmp_path) / "pyproject.toml").exists()


@pytest.mark.parametrize("url", ["http://[::1", "ftp://host", "garbage"])
def test_fetch_with_a_malformed_base_url(capsys: pytest.CaptureFixture[str], url: str) -> None:
    code, err = run(capsys, "fetch", "qonto", "--base-url", url, "--login", "sandbox", "--secret-key", "sandbox")
    assert code == 2 and "base_url" in err


def deep(request: SandboxRequest) -> SandboxResponse:
    return SandboxResponse(200, b'{"organization": ' + b"[" * 200_000 + b"]" * 200_000 + b"}")


def test_fetch_answered_with_deeply_nested_json(capsys: pytest.CaptureFixture[str]) -> None:
    with SandboxServer(deep) as server:
        code, err = run(capsys, "fetch", "qonto", "--base-url", server.url, "--login", "sandbox",
                        "--secret-key", "sandbox")
    assert code == 2 and "nested too deeply" in err


def test_pos_answering_200_with_invalid_json(capsys: pytest.CaptureFixture[str]) -> None:
    def broken(request: SandboxRequest) -> SandboxResponse:
        return SandboxResponse(200, "<html>maintenance</html>")

    with SandboxServer(broken) as server:
        code, err = run(capsys, "fetch", "pos", "--base-url", server.url, "--token", SANDBOX_TOKEN,
                        "--business-location-id", SANDBOX_LOCATION, "--since", "2026-08-30", "--until", "2026-08-30")
    assert code == 2 and "did not answer JSON" in err


def test_fetch_limits_are_flags_and_reported(capsys: pytest.CaptureFixture[str]) -> None:
    def endless(request: SandboxRequest) -> SandboxResponse:
        return SandboxResponse(200, b"[" + b" " * 3_000_000 + b"]")

    with SandboxServer(endless) as server:
        code, err = run(capsys, "fetch", "qonto", "--base-url", server.url, "--login", "sandbox",
                        "--secret-key", "sandbox", "--max-bytes", "100000")
    assert code == 2 and "max_bytes" in err and "--max-bytes" in err
    code, err = run(capsys, "fetch", "qonto", "--base-url", "http://127.0.0.1:9", "--login", "a", "--secret-key", "b",
                    "--deadline", "-1")
    assert code == 2 and "total_deadline must be a positive number" in err


def test_http_status_1e999_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    reports = tmp_path / "reports.jsonl"
    reports.write_text('{"message": "x", "http_status": 1e999}\n{"message": "y", "http_status": 503}\n')
    code = main(["classify", "--json", "--input", str(reports)])
    out = capsys.readouterr().out.splitlines()
    assert code in (0, 1, 2) and len(out) == 2
    assert '"core.invalid_input"' in out[0] and "http_status" in out[0]
    assert '"core.invalid_input"' not in out[1]


def test_a_5_mb_pattern_is_not_echoed_whole() -> None:
    pattern = "(a)\\1" + "x" * 5_000_000
    with pytest.raises(CompileError) as caught:
        compile_regex(pattern)
    assert len(str(caught.value)) < 1000 and "5000005 characters" in str(caught.value)


def test_an_echoing_server_does_not_leak_the_secret_key(capsys: pytest.CaptureFixture[str]) -> None:
    from syncdoctor import Faults
    from syncdoctor_qonto.sandbox import QontoSandbox
    from syncdoctor_qonto.sandbox_data import build_data

    with SandboxServer(QontoSandbox(build_data()), faults=Faults("echo", every=1)) as server:
        code, err = run(capsys, "fetch", "qonto", "--base-url", server.url, "--login", "pied-piper-7132",
                        "--secret-key", "62885d39SuperSecret")
    assert code == 2 and "HTTP 400" in err
    assert "62885d39" not in err and "SuperSecret" not in err


def test_userinfo_in_the_base_url_does_not_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(capsys, "fetch", "qonto", "--base-url", "http://admin:hunter2secret@127.0.0.1:9",
                    "--login", "a", "--secret-key", "b", "--max-retry-wait", "0.5")
    assert code == 2 and "hunter2secret" not in err


def test_an_unknown_vendor_in_classify_input_is_said(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A report naming a vendor no plugin knows, diagnosed under another vendor: a guess,
    marked as such (before: shown as if the report had named ACD)."""
    import json

    reports = tmp_path / "reports.jsonl"
    message = "The account 40100000 does not exist"
    reports.write_text("\n".join(json.dumps(r) for r in (
        {"vendor": "xero", "message": message}, {"vendor": "acd", "message": message}, {"message": message})) + "\n")
    main(["classify", "--format", "jsonl", "--input", str(reports)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [d["vendor"] for d in lines] == ["acd", "acd", "acd"]
    assert [bool(d.get("vendor_guessed")) for d in lines] == [True, False, True]
