"""The command line as a whole: --version, help with examples everywhere, the generated
docs/cli.md, completion, the configuration file, chaining commands, real boolean flags,
rules lint's exit codes, --trace, and flat memory on a long streamed table."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from syncdoctor.cli import completion, reference
from syncdoctor.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "syncdoctor"
ENTRIES = str(ROOT / "docs/examples/entries.jsonl")
CONTEXT = str(ROOT / "docs/examples/context.json")
#: examples not run by test_every_example_runs_as_written, and why: serve and sandbox serve
#: until stopped (tests/test_docs.py and tests/service start them); fetch needs a sandbox
#: serving; the ledger's commands on one issue and `keys revoke` name an id that a fresh
#: database does not have (tests/ledger/test_cli.py runs them on recorded issues and real keys)
NOT_RUN = {("serve",), ("sandbox",), ("fetch",), ("keys", "revoke"), ("ledger", "show"), ("ledger", "resolve"),
           ("ledger", "reopen"), ("ledger", "mute"), ("ledger", "unmute"), ("ledger", "skip"), ("ledger", "note")}
#: `ledger` itself, whose examples include one on an issue id (its subcommands' run above)
NOT_RUN_PARENTS = {("ledger",)}


def cli(*args: str, stdin: str | None = None, cwd: Path = ROOT, env: dict[str, str] | None = None,
        ) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "SYNCDOCTOR_CONFIG": "", "SYNCDOCTOR_LANG": "en"}
    return subprocess.run([str(SCRIPT), *args], input=stdin, capture_output=True, text=True, timeout=120, cwd=cwd,
                          env={**base, **(env or {})})


def test_version() -> None:
    proc = cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("syncdoctor ") and proc.stdout.split()[1][0].isdigit()


def test_every_command_and_option_has_a_summary_and_an_example() -> None:
    from syncdoctor import Host

    parser = build_parser(Host.from_entry_points())  # with the fetch sources and their plugins' options
    paths = set()
    for path, sub, help_text in reference.walk(parser):
        paths.add(path)
        assert help_text, f"{path} has no one-line summary"
        if not reference._subcommands(sub):  # a leaf: run as written
            assert sub.epilog and "examples:" in sub.epilog, f"{' '.join(path)} --help shows no example"
        for action in sub._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            assert action.help and "(e.g. " in action.help, f"{' '.join(path)} {action.option_strings or action.dest}"
    for action in parser._actions:
        if not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            assert action.help and "(e.g. " in action.help, action.option_strings
    assert {("serve",), ("keys", "create"), ("db", "upgrade"), ("ledger", "prune"), ("fetch", "qonto")} <= paths


def test_every_service_setting_has_a_flag_example() -> None:
    from syncdoctor.cli.serve import SETTING_EXAMPLES
    from syncdoctor.service.settings import Settings

    assert set(SETTING_EXAMPLES) == set(Settings.model_fields)
    for name, example in SETTING_EXAMPLES.items():
        assert example.split()[0] in ("--" + name.replace("_", "-"), "--no-" + name.replace("_", "-")), name


def test_help_pages_show_examples() -> None:
    proc = cli("validate", "--help")
    assert proc.returncode == 0 and "examples:" in proc.stdout and "--format sarif" in proc.stdout


def test_docs_cli_md_is_generated_from_the_parser() -> None:
    from syncdoctor import Host

    expected = reference.cli_markdown(build_parser(Host.from_entry_points()))
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == expected, \
        "docs/cli.md is stale: run python -m syncdoctor.cli.docs"


def test_bash_completion_is_generated_from_the_parser_and_completes(tmp_path: Path) -> None:
    script = tmp_path / "syncdoctor.bash"
    script.write_text(cli("completion", "bash").stdout)
    probe = textwrap.dedent(f"""
        source {script}
        COMP_WORDS=(syncdoctor val); COMP_CWORD=1; _syncdoctor; echo "1:${{COMPREPLY[*]}}"
        COMP_WORDS=(syncdoctor validate --f); COMP_CWORD=2; _syncdoctor; echo "2:${{COMPREPLY[*]}}"
        COMP_WORDS=(syncdoctor validate --format ""); COMP_CWORD=3; _syncdoctor; echo "3:${{COMPREPLY[*]}}"
        COMP_WORDS=(syncdoctor rules l); COMP_CWORD=2; _syncdoctor; echo "4:${{COMPREPLY[*]}}"
    """)
    proc = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["1:validate", "2:--format --fail-on", "3:text json jsonl sarif junit github",
                                        "4:lint"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_completion(shell: str, tmp_path: Path) -> None:
    text = completion.script(shell, build_parser())
    for word in ("validate", "classify", "--format", "sarif", "completion"):
        assert word in text
    exe = shutil.which(shell)
    if exe is None:
        pytest.skip(f"{shell} is not installed: the script is checked by its content only")
    path = tmp_path / f"syncdoctor.{shell}"
    path.write_text(text)
    check = [exe, "-n", str(path)] if shell == "zsh" else [exe, "--no-execute", str(path)]
    assert subprocess.run(check, capture_output=True, timeout=30).returncode == 0


def test_configuration_file_sets_defaults_and_the_command_line_wins(tmp_path: Path) -> None:
    shutil.copy(CONTEXT, tmp_path / "ctx.json")  # a relative path is relative to the file that names it
    (tmp_path / "syncdoctor.toml").write_text('lang = "fr"\ncontext = "ctx.json"\nformat = "jsonl"\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=120, cwd=sub,
                              env={"PATH": "/usr/bin:/bin", **(env or {})})

    found = run("validate", ENTRIES)  # found from a folder below, format and context from the file
    assert found.returncode == 1 and json.loads(found.stdout.splitlines()[0])["entity"] == "e1"
    assert "Auxiliary" not in found.stdout and "auxiliaire" in found.stdout.lower()  # French messages
    text = run("validate", "--format", "text", ENTRIES)
    assert "erreur" in text.stdout
    english = run("--lang", "en", "validate", "--format", "text", ENTRIES)
    assert " error " in english.stdout
    env_wins = run("validate", "--format", "text", ENTRIES, env={"SYNCDOCTOR_LANG": "en"})
    assert " error " in env_wins.stdout


def test_pyproject_tool_table_and_bad_configuration(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.syncdoctor]\nformat = "github"\n')
    proc = subprocess.run([str(SCRIPT), "validate", "--context", CONTEXT, ENTRIES], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, env={"PATH": "/usr/bin:/bin"})
    assert proc.stdout.startswith("::error ")
    (tmp_path / "syncdoctor.toml").write_text('format = "yaml"\n')
    bad = subprocess.run([str(SCRIPT), "validate", ENTRIES], capture_output=True, text=True, timeout=120,
                         cwd=tmp_path, env={"PATH": "/usr/bin:/bin"})
    assert bad.returncode == 2 and "format = 'yaml'" in bad.stderr and "Traceback" not in bad.stderr
    (tmp_path / "syncdoctor.toml").write_text('colour = "never"\n')
    unknown = subprocess.run([str(SCRIPT), "plugins"], capture_output=True, text=True, timeout=120,
                             cwd=tmp_path, env={"PATH": "/usr/bin:/bin"})
    assert unknown.returncode == 2 and "unknown key 'colour'" in unknown.stderr


def test_a_language_the_environment_names_wrongly_is_said_not_ignored() -> None:
    bad = cli("plugins", env={"SYNCDOCTOR_LANG": "de"})
    assert bad.returncode == 2 and "SYNCDOCTOR_LANG='de'; expected one of en, fr" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert cli("plugins", env={"SYNCDOCTOR_LANG": ""}).returncode == 0  # empty: not set


def test_classify_with_a_payload_needs_no_message(tmp_path: Path) -> None:
    fault = {"Fault": {"Error": [{"Message": "Duplicate Document Number Error", "code": "6140",
                                  "Detail": "Duplicate Document Number Error : You must specify a different number. "
                                            "This number has already been used. DocNumber=1781 is assigned to "
                                            "TxnType=Invoice with TxnId=3188"}], "type": "ValidationFault"}}
    path = tmp_path / "fault.json"
    path.write_text(json.dumps(fault))
    proc = cli("classify", "--vendor", "quickbooks", "--payload", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[0])["problem"] == "quickbooks.duplicate_document_number"
    assert cli("classify").returncode == 2


@pytest.mark.parametrize("first", [
    ["classify", "--input", str(ROOT / "docs/examples/errors.jsonl")],
    ["classify", "--json", "--vendor", "acd", "The account FOO does not exist"],
    ["validate", "--json", "--context", CONTEXT, ENTRIES],
])
def test_commands_chain_into_remediate_line_by_line(first: list[str]) -> None:
    env = {"PATH": "/usr/bin:/bin", "SYNCDOCTOR_CONFIG": "", "SYNCDOCTOR_LANG": "en"}
    upstream = subprocess.run([str(SCRIPT), *first], capture_output=True, text=True, timeout=120, env=env)
    assert upstream.stdout.count("\n") >= 1
    proc = subprocess.run([str(SCRIPT), "remediate", "-", "--json"], input=upstream.stdout, capture_output=True,
                          text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    plans = [json.loads(x) for x in proc.stdout.splitlines()]
    wanted = [d["problem"] for d in map(json.loads, upstream.stdout.splitlines()) if "problem" in d] or [
        f["problem"] for d in map(json.loads, upstream.stdout.splitlines()) for f in d.get("findings", [])]
    assert len(wanted) >= 1 and [p["problem"] for p in plans][: len(wanted)] == [
        w if w != "unknown" else "core.unknown_error" for w in wanted][: len(plans)]


def test_boolean_options_are_real_flags() -> None:
    from syncdoctor import Host

    parser = build_parser(Host.from_entry_points())
    assert parser.parse_args(["fetch", "qonto", "--base-url", "http://x", "--no-invoices"]).invoices is False
    assert parser.parse_args(["fetch", "qonto", "--base-url", "http://x", "--invoices"]).invoices is True
    proc = cli("fetch", "qonto", "--base-url", "http://127.0.0.1:9", "--invoices", "maybe")
    assert proc.returncode == 2 and "maybe" in proc.stderr


def _packs() -> list[Path]:
    return [ROOT / "core" / "packs", *sorted(p / "rules" for p in (ROOT / "plugins").iterdir() if (p / "rules").is_dir())]


@pytest.mark.parametrize("pack", _packs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_rules_lint_passes_on_every_shipped_pack_and_runs_its_examples(pack: Path) -> None:
    proc = cli("rules", "lint", str(pack))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok: ") and "not run" not in proc.stderr


def test_rules_lint_exit_codes_and_skipped_examples_said(tmp_path: Path) -> None:
    assert cli("rules", "lint", str(tmp_path / "missing.yaml")).returncode == 2
    assert cli("rules", "lint", "/dev/zero").returncode == 2
    sample = (ROOT / "tests" / "core" / "packs" / "sample.yaml").read_text()
    (tmp_path / "sample.yaml").write_text(sample)
    skipped = cli("rules", "lint", str(tmp_path / "sample.yaml"))
    assert skipped.returncode == 0 and "examples not run" in skipped.stderr and "'sample'" in skipped.stderr
    assert "examples not run" in skipped.stdout  # the "ok" line says so too
    (tmp_path / "sample.yaml").write_text(sample.replace("system: qonto", "system: nowhere"))
    assert cli("rules", "lint", str(tmp_path / "sample.yaml")).returncode == 1
    (tmp_path / "core.yaml").write_text((ROOT / "core" / "packs" / "core.yaml").read_text())
    copy = cli("rules", "lint", str(tmp_path / "core.yaml"))  # a host only ever loads the installed core pack
    assert copy.returncode == 0 and "examples not run" in copy.stderr and "installed core pack" in copy.stderr


def test_trace_prints_each_record_for_validate_and_classify() -> None:
    proc = cli("--trace", "validate", "--context", CONTEXT, ENTRIES)
    assert "syncdoctor trace: line 1: e1: acd.auxiliary_code_invalid (error)" in proc.stderr
    proc = cli("classify", "--trace", "--input", str(ROOT / "docs/examples/errors.jsonl"))
    assert "syncdoctor trace: line 1:" in proc.stderr


MEASURE = textwrap.dedent("""
    import resource, subprocess, sys
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=False)
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
""")


def test_the_text_table_streams_with_flat_memory(tmp_path: Path) -> None:
    lines = (ROOT / "docs/examples/entries.jsonl").read_text().splitlines()
    bad, good = json.loads(lines[0]), json.loads(lines[1])

    path = tmp_path / "in.jsonl"
    with path.open("w") as f:
        for i in range(9000):  # 3,000 entities with 2 findings each: 6,000 rows
            f.write(json.dumps({**(bad if i % 3 == 0 else good), "id": f"entity-{i}"}) + "\n")

    def peak(*fmt: str) -> int:
        proc = subprocess.run([sys.executable, "-c", MEASURE, str(SCRIPT), "validate", *fmt, "--context", CONTEXT,
                               str(path)], capture_output=True, text=True, timeout=300,
                              env={**os.environ, "SYNCDOCTOR_CONFIG": "", "COLUMNS": "80"})
        return int(proc.stdout.strip())

    # the batch's own state (first-seen document numbers...) is the same for both: the table
    # must cost no more than JSON Lines, which holds nothing (rows held cost ~1 KB each)
    lines_kb, table_kb = peak("--json"), peak("--format", "text")
    assert table_kb - lines_kb < 2_500, f"peak RSS: JSON Lines {lines_kb} KB, text table {table_kb} KB"


def _examples() -> list[tuple[str, str]]:
    found = []
    for path, sub, _ in reference.walk(build_parser()):
        if path[:2] in NOT_RUN or path[:1] in NOT_RUN or path in NOT_RUN_PARENTS:
            continue
        found += [(" ".join(path), example) for example in reference._examples(sub)]
    return found


@pytest.mark.parametrize(("command", "example"), _examples())
def test_every_example_runs_as_written(command: str, example: str, tmp_path: Path) -> None:
    for folder in ("docs", "plugins", "core"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    (tmp_path / ".config" / "fish" / "completions").mkdir(parents=True)
    env = {"PATH": f"{SCRIPT.parent}:/usr/bin:/bin", "HOME": str(tmp_path), "SYNCDOCTOR_CONFIG": "",
           "SYNCDOCTOR_LANG": "en"}
    if command.startswith("ledger "):  # the ledger's commands need a database at the newest schema
        subprocess.run([str(SCRIPT), "db", "upgrade"], check=True, capture_output=True, timeout=120, cwd=tmp_path,
                       env=env)
    proc = subprocess.run(["bash", "-c", f"set -o pipefail; {example}"], capture_output=True, text=True, timeout=180,
                          cwd=tmp_path, env=env)
    assert proc.returncode in (0, 1), f"{example}\n{proc.stdout[-1500:]}\n{proc.stderr[-1500:]}"
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("argv", [["serve", "--port", "0"], ["keys", "list"], ["db", "current"],
                                  ["ledger", "list", "--tenant", "t"],
                                  ["validate", "--record", "--client", "c", "docs/examples/entry.json"]])
def test_a_command_that_needs_the_service_extra_says_so_without_a_traceback(argv: list[str]) -> None:
    # `pip install .` has no service extra: what needs it names the missing package and the fix
    probe = ("import sys\n"
             "for name in ('fastapi', 'uvicorn', 'sqlalchemy', 'alembic'):\n"
             "    sys.modules[name] = None  # importing it raises ImportError, as when not installed\n"
             "from syncdoctor.cli.main import main\n"
             f"raise SystemExit(main({argv!r}))\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, "SYNCDOCTOR_CONFIG": ""})
    assert proc.returncode == 2, proc.stderr
    assert "needs the service extra" in proc.stderr and "pip install 'syncdoctor[service]'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_program_exits_with_the_commands_code_and_all_its_output(tmp_path: Path) -> None:
    """``syncdoctor`` (cli.main:run) freezes its objects before exiting, so the interpreter's
    last collection does not walk them (issue 19): the exit code and every line still come."""
    reports = tmp_path / "reports.jsonl"
    reports.write_text("".join(f'{{"message": "the account 4{i:03d} does not exist"}}\n' for i in range(3000)))
    done = subprocess.run([sys.executable, "-m", "syncdoctor.cli.main", "classify", "--input", str(reports),
                           "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["input"] for line in done.stdout.splitlines()] == list(range(3000))
    bad = subprocess.run([sys.executable, "-m", "syncdoctor.cli.main", "classify", "--nope"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "unrecognized arguments: --nope" in bad.stderr


def test_the_catalog_shows_general_titles_without_template_markup() -> None:
    """A title's optional segments need a record's params: the catalog, for no record, leaves
    them out; its other placeholders stay as what they name."""
    done = cli("--lang", "fr", "problems", "--json")
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) > 50 and not [r["id"] for r in rows if "[[" in r["title"] or "]]" in r["title"]]
    row = next(r for r in rows if r["id"] == "acd.unbalanced_entry")
    assert row["title"] == "Écriture déséquilibrée : les débits et les crédits diffèrent"
    assert (row["category"], row["category_label"]) == ("Entries", "Écritures")  # the key, and its label
    shown = cli("--lang", "fr", "problems", "--plugin", "acd", env={"COLUMNS": "200"}).stdout
    assert "[[" not in shown and "avant l'envoi (journal_entry) ; dans les rejets" in shown
