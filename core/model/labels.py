"""The words of the shared vocabulary as a reader of each language reads them.

Packs write their own sentences in English and French; what the core itself shows around them
(severities, the actions and systems of steps, demo stages and outcomes, counted nouns) is named
here once, so that every display (command line, console) writes French in French. A word with
no French entry is shown as it is: a plugin's own system name, an id, a code.
"""

from __future__ import annotations

from decimal import Decimal

from .text import number

__all__ = ["colon", "counted", "form", "label", "number"]

_FR: dict[str, str] = {
    # severities
    "error": "erreur",
    "warning": "avertissement",
    # actions of steps (model.plans.Action)
    "fix_entity": "corriger l'enregistrement",
    "edit_target": "modifier dans la cible",
    "create": "créer",
    "mark_verified": "marquer comme vérifié",
    "resync": "resynchroniser",
    "requeue": "remettre en file",
    "skip": "ignorer",
    "delete": "supprimer",
    "reconnect": "reconnecter",
    "change_setting": "modifier un réglage",
    "verify": "vérifier",
    "wait": "attendre",
    "retry_later": "réessayer plus tard",
    "reimport": "réimporter",
    "lower_tolerance": "abaisser la tolérance",
    "contact_support": "contacter le support",
    # shared systems and roles that are words, not product names
    "pos": "caisse",
    "sync_platform": "plateforme de synchronisation",
    "vendor_support": "support de l'éditeur",
    "firm": "cabinet",
    "firm_owner": "responsable du cabinet",
    "client": "client",
    # demo stages and outcomes
    "fetch": "récupération",
    "validate": "contrôle",
    "push": "envoi",
    "classify": "diagnostic",
    "diagnose": "diagnostic",
    "fix": "correction",
    "resend": "renvoi",
    "remediate": "remédiation",
    "demo": "démo",
    "ok": "ok",
    "info": "info",
    "accepted": "acceptée",
    "rejected": "rejetée",
    "flagged": "signalé",
    "fixed": "corrigé",
    "skipped": "ignoré",
    "person": "personne",
    "needs_person": "à traiter par une personne",
    "auto": "auto",
}

# nouns that are counted: (singular, plural) per language
_NOUNS: dict[str, dict[str, tuple[str, str]]] = {
    "entity": {"en": ("entity", "entities"), "fr": ("entité", "entités")},
    "finding": {"en": ("finding", "findings"), "fr": ("constat", "constats")},
    "problem": {"en": ("problem", "problems"), "fr": ("problème", "problèmes")},
    "diagnosis": {"en": ("diagnosis", "diagnoses"), "fr": ("diagnostic", "diagnostics")},
    "checked": {"en": ("checked", "checked"), "fr": ("vérifiée", "vérifiées")},
    "report": {"en": ("rejection", "rejections"), "fr": ("rejet", "rejets")},
    "classified": {"en": ("classified", "classified"), "fr": ("diagnostiqué", "diagnostiqués")},
    "line": {"en": ("line", "lines"), "fr": ("ligne", "lignes")},
}


def label(word: str, lang: str) -> str:
    """A vocabulary word (severity, action, shared system, demo stage or outcome) for ``lang``."""
    if lang == "fr":
        return _FR.get(word, word)
    return word


def form(n: int | Decimal, word: str, lang: str) -> str:
    """The form of a counted noun (or of a participle agreeing with it) for ``n``: French takes
    the singular for 0 and 1, English only for 1."""
    forms = _NOUNS[word]["fr" if lang == "fr" else "en"]
    one = n in (0, 1) if lang == "fr" else n == 1
    return forms[0] if one else forms[1]


def counted(n: int | Decimal, noun: str, lang: str) -> str:
    """``n`` and its noun, agreed: "1 entité", "2 constats", "0 findings"."""
    return f"{number(n, lang) if isinstance(n, Decimal) else n} {form(n, noun, lang)}"


def colon(lang: str) -> str:
    """A label's colon: French sets it off with a space ("Causes : ...")."""
    return " :" if lang == "fr" else ":"
