"""Seed 002 (ACD, "Activation et utilisation de Qonto"): every case is in the pack, with its
causes and fix steps in order. One focused test per problem the audit added or completed."""

from __future__ import annotations

import datetime as dt

import pytest
from qonto_support import host as make_host

from syncdoctor_qonto.checks import before_history_limit, history_start, paris_day


@pytest.fixture(scope="module")
def host():
    return make_host()


def steps(host, problem, lang="en", params=None):
    plan = host.remediate(problem, params or {}, lang=lang)[0]
    return [(s.action, s.system) for s in plan.steps], [s.instructions for s in plan.steps]


def causes(host, problem, lang):
    return [c.en if lang == "en" else c.fr for c in host.catalog.problems[problem].problem.causes]


# -- 1. first integration: two months at most ------------------------------------------------

def test_first_integration_cause_is_the_seed_sentence(host):
    problem = host.catalog.problems["qonto.first_integration_history_limit"].problem
    assert problem.severity == "warning"
    assert problem.causes[0].en == ("On the first integration with Qonto, bank transactions are retrieved "
                                    "over at most two months.")
    assert problem.causes[0].fr == ("Lors de la première intégration avec Qonto, les transactions bancaires "
                                    "sont récupérées sur une période maximale de deux mois.")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_transaction_before_the_two_months_is_flagged_with_the_context(host, lang):
    old = {"kind": "bank_transaction", "id": "t1", "amount": "12.00", "side": "debit", "label": "EDF",
           "settled_at": "2026-04-01T09:00:00+02:00"}
    recent = {**old, "id": "t2", "settled_at": "2026-05-01T09:00:00+02:00"}
    context = {"qonto": {"first_integration": "2026-06-10"}}
    found = host.validate(old, context, lang=lang)
    assert [(f.problem, f.severity, f.path) for f in found] == [
        ("qonto.first_integration_history_limit", "warning", "settled_at")]
    assert found[0].params["history_start"] == "2026-04-10"
    assert "2026-04-10" in found[0].message and ("ACD Banque" in found[0].message)
    assert host.validate(recent, context, lang=lang) == []
    assert host.validate(old, lang=lang) == []  # no first integration known: nothing is claimed


def test_the_context_accepts_the_first_integration_day(host):
    parsed = host.parse_context({"qonto": {"first_integration": "2026-06-10"}})
    assert parsed["qonto"].first_integration == dt.date(2026, 6, 10)


def test_history_limit_checks_are_three_valued():
    assert history_start(dt.date(2026, 5, 31)) == "2026-03-31"
    assert history_start("2026-04-30") == "2026-02-28"
    assert history_start(None) is None and history_start("not a date") is None
    naive = dt.datetime(2026, 4, 9, 23, 59)  # a naive time is Paris time
    assert before_history_limit(naive, dt.date(2026, 6, 10)) is True
    assert before_history_limit(dt.datetime(2026, 4, 10, 0, 0), dt.date(2026, 6, 10)) is False
    assert before_history_limit(None, dt.date(2026, 6, 10)) is None
    assert before_history_limit(naive, None) is None
    assert paris_day(dt.datetime(2026, 4, 9, 22, 30, tzinfo=dt.UTC)) == "2026-04-10"


@pytest.mark.parametrize("text", ["Transactions antérieures à deux mois manquantes",
                                  "Qonto transactions older than two months are missing from ACD Banque"])
def test_a_report_of_missing_older_transactions_is_the_history_limit(host, text):
    assert host.classify(text, vendor="qonto")[0].problem == "qonto.first_integration_history_limit"


def test_the_history_limit_plan_imports_the_earlier_ones_another_way(host):
    actions, texts = steps(host, "qonto.first_integration_history_limit", params={"history_start": "2026-04-10"})
    assert actions == [("verify", "acd"), ("reimport", "acd")]
    assert "2026-04-10" in texts[0] and "bank statement" in texts[1]


# -- 2. bank transactions into ACD Banque ----------------------------------------------------

@pytest.mark.parametrize("text", ["Qonto transactions are not in ACD Banque",
                                  "les transactions Qonto n'apparaissent pas dans ACD Banque"])
def test_missing_transactions_in_acd_banque_are_recognised(host, text):
    assert host.classify(text, vendor="qonto")[0].problem == "qonto.bank_transactions_not_integrated"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_acd_banque_causes_and_steps_follow_the_seed_in_order(host, lang):
    said = causes(host, "qonto.bank_transactions_not_integrated", lang)
    assert "23:59" in said[0] or "23h59" in said[0]
    assert any("BQ2" in c and "QONTO" in c for c in said)
    assert any("51210000" in c for c in said)
    actions, texts = steps(host, "qonto.bank_transactions_not_integrated", lang)
    assert actions == [("verify", "acd"), ("reimport", "acd"), ("change_setting", "acd"), ("verify", "acd")]
    assert "Modification de la Banque" in texts[0] and "QONTO" in texts[0] and "BQ2" in texts[0]
    assert "Acquisitions - Relevés bancaires" in texts[1] and "Oui" in texts[1]
    assert "Des opérations sur le compte Qonto sont en attente d'intégration" in texts[1]
    assert "Journaux - BQ2" in texts[2] and "Compte de trésorerie" in texts[2] and "51210000" in texts[2]
    assert "ACD Banque" in texts[3] and "ACD Compta" in texts[3]


# -- 3. paying an invoice through Qonto ------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "fr"])
def test_missing_information_has_the_payment_facts(host, lang):
    said = " ".join(causes(host, "qonto.missing_information", lang))
    for word in ("Montant", "Référence", "Note", "Date d'exécution", "Fournisseur"):
        assert word in said, word
    actions, texts = steps(host, "qonto.missing_information", lang, {"missing": "execution_date"})
    assert actions == [("fix_entity", "qonto"), ("verify", "acd"), ("resync", "qonto"), ("verify", "acd")]
    assert "Régler l'échéance" in texts[0]
    assert "Qonto" in texts[1] and ("treasury account" in texts[1] or "compte de trésorerie" in texts[1])
    for word in ("Montant", "Référence", "Note", "Date d'exécution", "Fournisseur"):
        assert word in texts[3], word


# -- 4. account-opening documents ------------------------------------------------------------

@pytest.mark.parametrize("problem", ["qonto.attachment_too_large", "qonto.attachment_unsupported_type"])
def test_the_account_opening_documents_are_listed(host, problem):
    fr = " ".join(causes(host, problem, "fr"))
    for doc in ("pièce d'identité", "justificatif de domicile", "justificatifs de revenus", "dépôt de capital"):
        assert doc in fr, doc
    assert "PDF, PNG ou JPEG" in fr and "30 Mo" in fr
    en = " ".join(causes(host, problem, "en"))
    assert "identity document" in en and "proof of address" in en and "capital deposit" in en


def test_the_size_source_says_30_mib_is_the_generous_reading(host):
    source = host.catalog.problems["qonto.attachment_too_large"].problem.source
    assert "30 MiB" in source and "generous" in source


# -- 5. unlinking, and following the membership ----------------------------------------------

@pytest.mark.parametrize("lang", ["en", "fr"])
def test_unlinking_breaks_the_connection_and_the_account_is_associated_again(host, lang):
    said = causes(host, "qonto.connection_failed", lang)
    assert any("i-Suite Expert" in c and ("unlinked" in c or "dissocié" in c) for c in said)
    actions, texts = steps(host, "qonto.connection_failed", lang)
    reconnect = texts[actions.index(("reconnect", "qonto"))]
    assert "Mes applications" in reconnect and "Qonto" in reconnect
    assert "authenticate" in reconnect or "authentifier" in reconnect


def test_an_unlinked_account_report_is_a_connection_problem(host):
    diag = host.classify("Le compte Qonto a été dissocié du dossier i-Suite Expert", vendor="qonto")[0]
    assert diag.problem == "qonto.connection_failed"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_activation_ends_with_following_the_statuses_on_the_tile(host, lang):
    actions, texts = steps(host, "qonto.activation_prerequisites_missing", lang, {"missing": "company.siret"})
    assert actions[-1] == ("verify", "acd")
    assert "Qonto" in texts[-1] and ("statuses" in texts[-1] or "statuts" in texts[-1])
