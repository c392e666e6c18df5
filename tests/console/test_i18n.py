"""The console's message catalog, languages, dates and amounts (no server needed)."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("jinja2")

from syncdoctor.console.i18n import MESSAGES, amount, negotiate, show_value, text_params, translate, when  # noqa: E402
from syncdoctor.ledger import ROLES  # noqa: E402
from syncdoctor.ledger.lifecycle import LIFECYCLE_ACTIONS, STATUSES  # noqa: E402

TEMPLATES = Path(__file__).resolve().parents[2] / "core" / "console" / "templates"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_exists_in_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = MESSAGES[key]
    assert set(entry) == {"en", "fr"}, key
    assert entry["en"].strip() and entry["fr"].strip(), key
    assert _fields(entry["en"]) == _fields(entry["fr"]), key


def test_every_message_a_template_uses_is_in_the_catalog() -> None:
    used: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"\bt\('([a-z_0-9]+)'", template.read_text()))
    assert used, "no t('...') call found in the templates"
    families = {key for key in used if key.endswith("_")}  # t('status_' ~ issue.status) and the like
    assert not used - families - set(MESSAGES), sorted(used - families - set(MESSAGES))
    assert families == {"act_", "confirm_", "role_", "status_"}, families
    for status in STATUSES:
        assert f"status_{status}" in MESSAGES
    for action in LIFECYCLE_ACTIONS:
        assert f"act_{action}" in MESSAGES and f"confirm_{action}" in MESSAGES
    for role in ROLES:
        assert f"role_{role}" in MESSAGES


def test_french_uses_french_typography() -> None:
    # a space before the colon in French, none in English
    assert translate("confirm_title", "fr", action="Résoudre") == "Confirmer : Résoudre"
    assert translate("confirm_title", "en", action="Resolve") == "Confirm: Resolve"


@pytest.mark.parametrize(("cookie", "header", "default", "expected"), [
    ("fr", "en-GB,en;q=0.9", "en", "fr"),  # the switch wins
    (None, "fr-FR,fr;q=0.9,en;q=0.5", "en", "fr"),
    (None, "de-DE,en;q=0.4,fr;q=0.8", "en", "fr"),  # the best weight among the languages we have
    (None, "de-DE", "fr", "fr"),  # none we have: the service's default
    ("xx", "", "en", "en"),
    (None, "fr;q=oops, en", "en", "en"),
])
def test_language_negotiation(cookie: str | None, header: str, default: str, expected: str) -> None:
    assert negotiate(cookie, header, default) == expected


def test_dates_are_shown_in_paris_time() -> None:
    winter = datetime(2026, 12, 2, 9, 5, tzinfo=UTC)  # CET, UTC+1
    summer = "2026-07-14T22:30:00Z"  # CEST, UTC+2: the next day in Paris
    assert when(winter, "en") == "2 Dec 2026, 10:05"
    assert when(winter, "fr") == "2 déc. 2026, 10:05"
    assert when(summer, "fr") == "15 juil. 2026, 00:30"
    assert when(None, "en") == ""
    assert when("not a date", "en") == "not a date"


def test_amounts_use_the_locale_separators_without_float() -> None:
    assert amount(Decimal("1234.5"), "en") == "1,234.50"
    assert amount(Decimal("1234.5"), "fr") == "1\u202f234,50"
    assert amount(Decimal("0.10"), "fr") == "0,10"
    assert amount(Decimal("-9876543.21"), "en") == "-9,876,543.21"
    assert amount(1200, "fr") == "1\u202f200"
    # a value no float can hold exactly stays exact
    assert amount(Decimal("12345678901234567.89"), "en") == "12,345,678,901,234,567.89"


def test_facts_show_amounts_the_readers_way_and_codes_as_given() -> None:
    assert show_value("50.01", "fr") == "50,01"
    assert show_value("1500.00", "en") == "1,500.00"
    assert show_value("411000", "fr") == "411000"  # an account code, not an amount
    assert show_value("v1.2", "fr") == "v1.2"
    assert show_value(["1.50", "x"], "fr") == "1,50, x"
    assert text_params({"amount": "50.01", "code": "6140"}) == {"amount": Decimal("50.01"), "code": "6140"}


def test_facts_are_named_in_the_reader_s_language() -> None:
    """A French page said "doc number", "txn id", "fault type" (the packs' param names)."""
    from syncdoctor.console.i18n import PARAM_NAMES, param_name

    assert param_name("doc_number", "fr") == "n° de pièce" and param_name("doc_number", "en") == "document number"
    assert param_name("some_new_fact", "fr") == "some new fact"  # unknown: its name, spaced
    for name, (en, fr) in PARAM_NAMES.items():
        assert en and fr and "_" not in en + fr, name
    template = (Path(__file__).parents[2] / "core" / "console" / "templates" / "issue.html").read_text()
    assert "name | param(lang)" in template and "name | replace('_', ' ')" not in template


def test_who_acted_reads_as_words() -> None:
    from syncdoctor.console.i18n import actor_name

    assert actor_name("console:key:k3m9x2", "fr") == "la clé k3m9x2"
    assert actor_name("key:k3m9x2", "en") == "key k3m9x2"
    assert actor_name("syncdoctor:accepted-event", "fr") == "une synchronisation acceptée"
    assert actor_name("acme", "fr") == "acme"
