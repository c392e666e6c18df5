"""French output is French throughout (issue 14, part 4): the words the core shows around the
packs' sentences, and the command line's labels, headers and counts in French."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from syncdoctor.model.labels import colon, counted, form, label, number
from syncdoctor.model.plans import ACTIONS


def test_every_action_has_a_french_label() -> None:
    assert all(label(a, "fr") != a for a in ACTIONS)
    assert all(label(a, "en") == a for a in ACTIONS)


def test_counts_agree_in_each_language() -> None:
    assert counted(1, "entity", "fr") == "1 entité" and form(1, "checked", "fr") == "vérifiée"
    assert counted(2, "finding", "fr") == "2 constats" and counted(0, "finding", "fr") == "0 constat"
    assert counted(0, "finding", "en") == "0 findings" and counted(1, "entity", "en") == "1 entity"
    assert number(Decimal("12.50"), "fr") == "12,50" and number(Decimal("12.50"), "en") == "12.50"
    assert colon("fr") == " :" and colon("en") == ":"


def test_unknown_words_are_shown_as_they_are() -> None:
    assert label("acd", "fr") == "acd" and label("taxdome", "fr") == "taxdome"


def _cli(*args: str, stdin: str | None = None) -> str:
    script = Path(sys.executable).parent / "syncdoctor"  # the console script, as a user runs it
    proc = subprocess.run([str(script), *args], input=stdin, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout


def test_classify_in_french_labels_the_category_and_the_steps() -> None:
    text = _cli("--lang", "fr", "classify", "--vendor", "acd", "Le compte FDUPONT n'existe pas")
    assert "Problème : acd.third_party_account_missing" in text
    assert "Catégorie : Comptes" in text and "Que faire :" in text
    assert "[acd · créer · à faire par une personne]" in text
    assert "mark_verified" not in text and "Accounts" not in text


def test_validate_in_french_has_french_headers_and_counts(tmp_path: Path) -> None:
    entry = ('{"kind":"journal_entry","id":"e1","journal":"AC","date":"2026-03-26","party":{"type":"supplier",'
             '"name":"AARO"},"lines":[{"account":"40100000","auxiliary":"XAARO","credit":"10"},'
             '{"account":"60610000","debit":"10"}]}')
    path = tmp_path / "e.jsonl"
    path.write_text(entry + "\n", encoding="utf-8")
    text = _cli("--lang", "fr", "validate", str(path))
    first, last = text.splitlines()[0], text.splitlines()[-1]
    # in a pipe: one plain line per finding (file:line: severity problem [entity] path : message)
    assert first.split()[1:5] == ["erreur", "acd.auxiliary_code_invalid", "[e1]", "lines[0].auxiliary"]
    assert "erreur" in text and " error " not in text
    assert last == "1 entité vérifiée, 1 constat"
    english = _cli("--lang", "en", "validate", str(path))
    assert english.splitlines()[-1] == "1 entity checked, 1 finding"


@pytest.mark.parametrize("lang", ["fr"])
def test_the_catalog_in_french(lang: str) -> None:
    text = _cli("--lang", lang, "problems", "--plugin", "acd")
    header = text.splitlines()[0].split()
    assert header == ["id", "catégorie", "gravité", "détection", "titre"]
    assert "avant l'envoi" in text and "before sending" not in text


def test_the_pack_schema_lets_editors_accept_a_category_pair() -> None:
    """`syncdoctor rules schema` (what editors validate packs with) allows `category: {en, fr}`."""
    from syncdoctor.rules.schema import RulePack

    schema = RulePack.model_json_schema()["$defs"]["Problem"]["properties"]["category"]
    kinds = [option.get("type") for option in schema["anyOf"]]
    assert kinds == ["string", "object"]
    assert schema["anyOf"][1]["required"] == ["en", "fr"]
