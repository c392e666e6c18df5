"""A plugin may declare systems of its own (PluginSpec.systems); the core keeps the shared ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncdoctor import SYSTEMS, Host, RulePackPlugin, load_pack_text

XERO_PACK = """\
plugin: xero
problems:
  - id: xero.contact_archived
    title: {en: "Contact {name} is archived in Xero", fr: "Le contact {name} est archivé dans Xero"}
    category: Contacts
    causes:
      - {en: "Xero refuses documents for archived contacts.", fr: "Xero refuse les pièces des contacts archivés."}
    match:
      - pattern: "(?i)the contact (?P<name>.+) has been archived"
    remediation:
      steps:
        - action: edit_target
          system: xero
          instructions: {en: "Restore {name} in Xero, then sync again.", fr: "Restaurez {name} dans Xero, puis resynchronisez."}
    examples:
      match:
        - message: "The contact Acme Ltd has been archived"
          params: {name: Acme Ltd}
      no_match: ["The contact is active"]
"""


def _plugin(tmp_path: Path, systems: tuple[str, ...]) -> RulePackPlugin:
    pack = tmp_path / "xero.yaml"
    pack.write_text(XERO_PACK, encoding="utf-8")

    class Xero(RulePackPlugin):
        name = "xero"
        version = "0.1.0"
        rules = pack

    Xero.systems = systems
    return Xero()


def test_a_pack_may_name_a_system_of_its_own_once_its_plugin_declares_it(tmp_path: Path) -> None:
    host = Host([_plugin(tmp_path, ("xero",))])
    assert not host.broken and "xero" in host.plugins
    assert host.systems() == (*SYSTEMS, "xero")
    [diagnosis] = host.classify("The contact Acme Ltd has been archived", vendor="xero")
    assert diagnosis.problem == "xero.contact_archived"
    [plan] = host.remediate("xero.contact_archived", {"name": "Acme Ltd"}, lang="fr")
    assert [(s.action, s.system) for s in plan.steps] == [("edit_target", "xero")]
    assert plan.steps[0].instructions == "Restaurez Acme Ltd dans Xero, puis resynchronisez."


def test_an_undeclared_system_refuses_the_plugin_and_says_how_to_declare_it(tmp_path: Path) -> None:
    host = Host([_plugin(tmp_path, ())])
    assert "xero" not in host.plugins
    [broken] = host.broken
    assert "xero.contact_archived" in broken.reason and "'xero'" in broken.reason
    assert "PluginSpec.systems" in broken.reason


def test_declared_systems_are_names(tmp_path: Path) -> None:
    host = Host([_plugin(tmp_path, ("Xero Ltd",))])
    [broken] = host.broken
    assert "not a system name" in broken.reason


def test_the_shared_vocabulary_is_unchanged_for_packs_that_use_it() -> None:
    assert "xero" not in SYSTEMS and {"acd", "qonto", "quickbooks", "pennylane"} <= set(SYSTEMS)
    with pytest.raises(Exception, match="system"):
        load_pack_text(XERO_PACK.replace("system: xero", "system: Not A Name"), "bad.yaml")
