"""The examples of the core's sample pack, on both engines, and the engines' contract."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from syncdoctor import BatchState, ErrorReport, Host
from syncdoctor.host.examples import run_examples
from syncdoctor.rules.catalog import normalize_code

from .sample_plugin import Sample


def test_sample_examples_pass(sample_host: Host) -> None:
    assert run_examples(sample_host, "sample") == []


def test_validate_finds_each_problem_with_path_and_params(sample_host: Host) -> None:
    entity = {"kind": "journal_entry", "id": "e1", "party": {"type": "supplier"},
              "lines": [{"account": "401", "auxiliary": "FOK"}, {"account": "401", "auxiliary": "XAARO", "credit": "1"}]}
    findings = sample_host.validate(entity)
    by_problem = {f.problem: f for f in findings}
    assert set(by_problem) == {"sample.bad_prefix", "sample.unbalanced"}
    bad = by_problem["sample.bad_prefix"]
    assert bad.path == "lines[1].auxiliary" and bad.entity == "e1"
    assert bad.params["code"] == "XAARO" and bad.params["fixed"] == "FAARO" and bad.params["pointer"] == "/lines/1"
    assert bad.message == "Code XAARO has a bad prefix"


def test_french_messages(sample_host: Host) -> None:
    entity = {"kind": "journal_entry", "lines": [{"account": "401", "auxiliary": "XAARO"}]}
    findings = sample_host.validate(entity, lang="fr")
    assert findings[0].message == "Le code XAARO a un mauvais préfixe"


def test_correlation_across_the_batch(sample_host: Host) -> None:
    records = [{"kind": "journal_entry", "id": f"e{i}", "reference": ref} for i, ref in enumerate("ABA")]
    results = list(sample_host.validate_many(records))
    assert [r.findings for r in results[:2]] == [[], []]
    assert [(f.problem, f.params["first"]) for f in results[2].findings] == [("sample.duplicate_ref", "e0")]


def test_batch_state_is_per_batch(sample_host: Host) -> None:
    record = {"kind": "journal_entry", "id": "x", "reference": "R"}
    assert list(sample_host.validate_many([record]))[0].findings == []
    assert list(sample_host.validate_many([record]))[0].findings == []
    state = BatchState()
    list(sample_host.validate_many([record], state=state))
    assert list(sample_host.validate_many([record], state=state))[0].findings[0].problem == "sample.duplicate_ref"


def test_classify_params_and_plan(sample_host: Host) -> None:
    diag = sample_host.classify("Error: The account XAARO does not exist.")[0]
    assert diag.problem == "sample.bad_prefix" and diag.params == {"code": "XAARO"}
    assert diag.vendor == "sample" and diag.category == "Accounts"
    assert [s.action for s in diag.remediation.steps] == ["fix_entity", "mark_verified"]
    # without an entity the patch cannot be rendered: the step is for a person
    assert diag.remediation.steps[0].automatic is False


def test_code_only_signature_and_vendor_alias(sample_host: Host) -> None:
    diag = sample_host.classify(ErrorReport(vendor="sample_vendor", code="compteInexistant", message="KO"))[0]
    assert diag.problem == "sample.bad_prefix"


def test_unknown_and_empty_messages(sample_host: Host) -> None:
    for text in ["", "nothing known here", "x" * 100_000]:
        diag = sample_host.classify(text)[0]
        assert diag.problem == "unknown"
        assert diag.remediation.steps


def test_apply_fixes_is_idempotent(sample_host: Host) -> None:
    entity = {"kind": "journal_entry", "party": {"type": "customer"}, "lines": [{"account": "411", "auxiliary": "XAARO"}]}
    fixed, applied = sample_host.apply_fixes(entity)
    assert fixed.lines[0].auxiliary == "CAARO"  # type: ignore[attr-defined]
    assert applied == [{"problem": "sample.bad_prefix", "path": "lines[0].auxiliary",
                        "patch": [{"op": "replace", "path": "/lines/0/auxiliary", "value": "CAARO"}]}]
    again, applied_again = sample_host.apply_fixes(fixed)
    assert applied_again == [] and again == fixed


def test_no_patch_without_party_type(sample_host: Host) -> None:
    entity = {"kind": "journal_entry", "lines": [{"account": "411", "auxiliary": "XAARO"}]}
    fixed, applied = sample_host.apply_fixes(entity)
    assert applied == [] and fixed.lines[0].auxiliary == "XAARO"  # type: ignore[attr-defined]
    plan = sample_host.remediate("sample.bad_prefix", entity=entity)[0]
    assert plan.steps[0].automatic is False and plan.steps[0].patch is None


def test_fast_diagnoses_equal_validated_models(sample_host: Host) -> None:
    from syncdoctor import Diagnosis

    for text in ["The account XAARO does not exist", "nothing"]:
        diag = sample_host.classify(text)[0]
        again = Diagnosis.model_validate(diag.model_dump())
        assert again == diag and again.model_dump_json() == diag.model_dump_json()
        assert diag.model_fields_set == again.model_fields_set | set(Diagnosis.model_fields)


def test_examples_catch_a_patch_that_changes_nothing() -> None:
    from .sample_plugin import Sample

    class NoOp(Sample):
        def functions(self) -> dict[str, object]:
            return {"sample.fix": lambda code, party: code}  # "fixes" the code into itself

    host = Host([NoOp()])
    failures = run_examples(host, "sample")
    assert any("changes nothing" in f.reason for f in failures), failures


def _reference_choice(host: Host, report: ErrorReport, plugin: str | None) -> tuple[str | None, bool]:
    """What the one-pass scan must decide: every candidate, its criteria, then the best."""
    catalog = host.catalog
    candidates, hit, _, raw = catalog.candidates(report, plugin)
    code = normalize_code(report.code)
    best = catalog.best(s for s in candidates if catalog.holds(s, code, report.http_status, hit))
    return (best.index if best else None), raw


def test_one_pass_scan_agrees_with_candidates_holds_and_best() -> None:
    host = Host.from_entry_points()
    host.add_plugin(Sample())
    catalog = host.catalog
    engine = host.engine
    messages, codes, statuses = [""], [None, "0", "x"], [None]
    for cp in catalog.problems.values():
        for ex in [*cp.problem.examples.match, *cp.problem.examples.no_match]:
            messages.append(ex if isinstance(ex, str) else ex.message)
        for sig in cp.signatures:
            codes += sorted(sig.codes)
            statuses += sorted(sig.statuses)
    vendors = [None, *sorted(host.plugins)]

    @settings(max_examples=400, deadline=None)
    @given(st.sampled_from(messages), st.sampled_from(codes), st.sampled_from(statuses), st.sampled_from(vendors))
    def check(message: str, code: str | None, status: int | None, vendor: str | None) -> None:
        report = ErrorReport(message=message, code=code, http_status=status, vendor=vendor)
        plugin = catalog.plugin_for(vendor)
        best, _, raw = engine.scan(report, plugin)
        assert ((best.index if best else None), raw) == _reference_choice(host, report, plugin)

    check()


def test_fast_findings_equal_validated_models() -> None:
    """Findings are built without re-validation: on every flagged example of every installed
    pack they equal the validated model, field for field and in JSON."""
    from syncdoctor import Finding

    host = Host.from_entry_points()
    seen = 0
    for cp in host.catalog.problems.values():
        for example in cp.problem.examples.flagged:
            entities = example.batch or [example.entity]
            context = {cp.plugin: example.context} if example.context is not None else None
            for result in host.validate_many(entities, context):
                for finding in result.findings:
                    again = Finding.model_validate(finding.model_dump())
                    assert again == finding and again.model_dump_json() == finding.model_dump_json()
                    assert finding.model_fields_set == set(Finding.model_fields)
                    seen += 1
    assert seen > 50
