from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from syncdoctor import PackError, load_pack, load_pack_text
from syncdoctor.cli.lint import lint_paths, schema_json

GOOD = (Path(__file__).parent / "packs" / "sample.yaml").read_text(encoding="utf-8")


def test_sample_pack_loads() -> None:
    pack = load_pack_text(GOOD, "sample.yaml")
    assert [p.id for p in pack.problems] == ["sample.bad_prefix", "sample.unbalanced", "sample.duplicate_ref"]


def test_yaml_floats_become_decimals() -> None:
    text = GOOD.replace('tolerance: {ref: $context.tolerance, default: "0"}', "tolerance: 0.01")
    pack = load_pack_text(text, "sample.yaml")
    tolerance = pack.problems[1].detect.when.sum_differs.tolerance  # type: ignore[union-attr]
    assert tolerance == Decimal("0.01") and isinstance(tolerance, Decimal)


def test_error_names_file_problem_line_and_expectation() -> None:
    # a typo in a closed vocabulary (systems are open to plugins: see test_systems.py)
    broken = GOOD.replace("        - action: mark_verified\n", "        - action: mark_verifed\n")
    with pytest.raises(PackError) as err:
        load_pack_text(broken, "packs/sample.yaml")
    exc = err.value
    assert exc.file == "packs/sample.yaml"
    assert exc.problem == "sample.bad_prefix"
    assert exc.line == broken.splitlines().index("        - action: mark_verifed") + 1
    assert "'fix_entity'" in exc.expected and "action" in exc.expected
    assert str(exc).startswith(f"packs/sample.yaml:{exc.line}: problem sample.bad_prefix:")


def test_unknown_field_is_reported_with_its_line() -> None:
    broken = GOOD.replace("    category: Entries\n", "    category: Entries\n    categroy: x\n", 1)
    with pytest.raises(PackError) as err:
        load_pack_text(broken, "p.yaml")
    assert err.value.problem == "sample.unbalanced"
    assert "unknown field" in err.value.expected
    assert err.value.line == broken.splitlines().index("    categroy: x") + 1


def test_invalid_yaml_and_wrong_top_level() -> None:
    with pytest.raises(PackError, match="not valid YAML"):
        load_pack_text("plugin: [", "p.yaml")
    with pytest.raises(PackError, match="expected a mapping"):
        load_pack_text("- 1", "p.yaml")


def test_schema_is_exported_and_forbids_extra_fields() -> None:
    schema = json.loads(schema_json())
    assert schema["title"] == "syncdoctor rule pack"
    problem = schema["$defs"]["Problem"]
    assert problem["additionalProperties"] is False
    assert {"id", "title", "category", "causes", "remediation"} <= set(problem["required"])


def test_lint_reports_problems_without_examples(tmp_path: Path) -> None:
    text = GOOD.split("    examples:")[0] + "\n"
    path = tmp_path / "pack.yaml"
    path.write_text(text)
    found = lint_paths([path])
    assert any("no examples.match" in f["message"] for f in found)
    assert all(f["message"].startswith(str(path)) for f in found)


def test_load_pack_reports_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="cannot read"):
        load_pack(tmp_path / "nope.yaml")


def test_identity_names_params_and_lint_holds_it_to_what_the_problem_gives(tmp_path: Path) -> None:
    with_identity = GOOD.replace("  - id: sample.bad_prefix\n", "  - id: sample.bad_prefix\n    identity: [code, typo]\n")
    assert load_pack_text(with_identity, "p.yaml").problems[0].identity == ["code", "typo"]
    path = tmp_path / "pack.yaml"
    path.write_text(with_identity)
    found = [f["message"] for f in lint_paths([path])]
    assert any("identity names param 'typo'" in m for m in found)
    assert not any("'code'" in m for m in found)  # the pattern's named group gives it
    with pytest.raises(PackError) as err:
        load_pack_text(with_identity.replace("[code, typo]", "[code, 'two words']"), "p.yaml")
    assert err.value.problem == "sample.bad_prefix" and "identity" in err.value.expected


def test_every_schema_error_of_a_pack_is_listed_by_lint(tmp_path: Path) -> None:
    broken = GOOD.replace("        - action: mark_verified\n", "        - action: mark_verifed\n").replace(
        "    category: Entries\n", "    category: Entries\n    categroy: x\n", 1)
    with pytest.raises(PackError) as err:
        load_pack_text(broken, "p.yaml")
    assert "(and 1 more error)" in err.value.expected and len(err.value.errors) == 2
    path = tmp_path / "pack.yaml"
    path.write_text(broken)
    found = lint_paths([path])
    assert {(f["problem"], f["line"]) for f in found} == {
        ("sample.bad_prefix", broken.splitlines().index("        - action: mark_verifed") + 1),
        ("sample.unbalanced", broken.splitlines().index("    categroy: x") + 1)}
