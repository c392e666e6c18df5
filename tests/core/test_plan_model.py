"""Diagnosis.remediation is the typed plan Host.remediate() answers (issue 13), its JSON the
contract of design section 7, and dict-style reads of 0.1 still work for one release."""

from __future__ import annotations

import copy
import json
import pickle
import warnings
from functools import cache
from typing import Any

import pytest

from syncdoctor import Diagnosis, DiagnosisPlan, Host, RemediationPlan, Step
from syncdoctor.model.jsonio import diagnosis_json, diagnosis_line
from syncdoctor.model.trusted import is_shared


def _reports(host: Host) -> list[Any]:
    return [ex if isinstance(ex, str) else ex.model_dump(exclude_none=True)
            for cp in host.catalog.problems.values() for ex in cp.problem.examples.match]


@cache
def _diagnoses(engine: str = "native") -> list[Diagnosis]:
    host = Host.from_entry_points(engine=engine)
    return [d for lang in ("en", "fr") for ds in host.classify_many(_reports(host), lang=lang) for d in ds]


def _published_steps(data: dict) -> list[dict]:
    return [*data["steps"], *(s for alt in data["alternatives"] for s in alt["steps"])]


@pytest.mark.parametrize("engine", ["native", "durable"])
def test_every_diagnosis_holds_typed_models_equal_to_validated_ones(engine: str) -> None:
    diags = _diagnoses(engine)
    assert len(diags) > 100
    assert any(is_shared(d.remediation) for d in diags) and any(not is_shared(d.remediation) for d in diags)
    for diag in diags:
        plan = diag.remediation
        assert type(plan) is DiagnosisPlan
        assert all(type(s) is Step for s in plan.steps)
        assert all(type(a) is RemediationPlan and a.problem == diag.problem for a in plan.alternatives)
        assert all(type(s) is Step for a in plan.alternatives for s in a.steps)
        validated = Diagnosis.model_validate(diag.model_dump())
        assert validated == diag and diag == validated
        assert validated.remediation.model_fields_set == plan.model_fields_set


def test_the_json_is_the_published_contract() -> None:
    for diag in _diagnoses():
        for data in (diag.model_dump(mode="json"), json.loads(diag.model_dump_json()), json.loads(diagnosis_line(diag))):
            assert set(data["remediation"]) == {"steps", "alternatives"}
            for alt in data["remediation"]["alternatives"]:
                assert set(alt) == {"problem", "title", "steps", "alternatives"}
            for step in _published_steps(data["remediation"]):
                # patch and role only when given, as diagnoses always wrote them
                assert {"action", "system", "automatic", "instructions", "confirm"} <= set(step)
                assert all(step[k] is not None for k in ("patch", "role") if k in step)
        assert json.loads(diagnosis_line(diag)) == diagnosis_json(diag)


def test_a_diagnosis_json_of_0_1_reads_back_typed() -> None:
    old = {"problem": "p", "remediation": {
        "steps": [{"action": "skip", "system": "qonto", "automatic": False, "instructions": "x", "confirm": False}],
        "alternatives": [{"problem": "p", "title": "t", "steps": [], "alternatives": []}]}}
    diag = Diagnosis.model_validate(old)
    assert diag.remediation.steps[0].action == "skip" and diag.remediation.alternatives[0].title == "t"
    assert diag.model_dump(mode="json", exclude_none=True)["remediation"] == old["remediation"]
    assert Diagnosis(problem="p").model_dump()["remediation"] == {"steps": [], "alternatives": []}


def test_dict_style_reads_of_0_1_still_work_with_a_deprecation_warning() -> None:
    diag = next(d for d in _diagnoses() if d.remediation.steps and d.remediation.alternatives)
    published = diag.model_dump(mode="json")["remediation"]
    with pytest.warns(DeprecationWarning, match=r"remediation\['steps'\] is deprecated.*remediation\.steps"):
        steps = diag.remediation["steps"]
    assert steps == published["steps"] and steps[0]["instructions"] == diag.remediation.steps[0].instructions
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert diag.remediation.get("alternatives") == published["alternatives"]
        assert diag.remediation.get("nothing", 7) == 7
        with pytest.raises(KeyError):
            diag.remediation["nothing"]
    assert "steps" in diag.remediation and "alternatives" in diag.remediation and "x" not in diag.remediation


def test_shared_parts_are_read_only_and_their_copies_are_not() -> None:
    shared = next(d for d in _diagnoses() if is_shared(d.remediation) and d.remediation.steps)
    with pytest.raises(TypeError, match="read-only"):
        shared.remediation.steps.append(shared.remediation.steps[0])
    with pytest.raises(TypeError, match="read-only"):
        shared.remediation.steps[0].instructions = "changed"
    with pytest.raises(TypeError, match="read-only"):
        shared.remediation.alternatives = []
    for mine in (shared.model_copy(deep=True), copy.deepcopy(shared), pickle.loads(pickle.dumps(shared))):
        assert mine == shared
        mine.remediation.steps[0].instructions = "changed"
        mine.remediation.steps.append(mine.remediation.steps[0])
        assert shared.remediation.steps[0].instructions != "changed"
    # a plan that depends on params is each diagnosis's own
    host = Host.from_entry_points()
    report = next(r for r in _reports(host) if not is_shared((d := host.classify(r)[0]).remediation)
                  and d.remediation.steps)
    first, second = (host.classify(report)[0] for _ in range(2))
    assert first == second and first.remediation is not second.remediation
    first.remediation.steps.clear()
    first.remediation.alternatives = []
    assert second.remediation.steps


def test_remediate_answers_the_same_model() -> None:
    host = Host.from_entry_points()
    diag = next(d for d in _diagnoses() if d.problem != "unknown" and d.remediation.steps)
    (plan,) = host.remediate(diag.problem, diag.params)
    assert isinstance(plan, DiagnosisPlan) and plan.problem == diag.problem
    assert plan.steps == diag.remediation.steps and plan.alternatives == diag.remediation.alternatives
