"""The console's words in English and French, from one catalog, and how it writes dates and amounts.

Every text a page shows comes from :data:`MESSAGES` (tests/console/test_i18n.py checks that each
entry has both languages and the same ``{placeholders}`` in each). Problem texts (titles, causes,
steps) come from the rule packs, which are bilingual already; the core's vocabulary words
(actions, systems, severities) from :mod:`syncdoctor.model.labels`.

The language is the ``sd_lang`` cookie (the switch in the header), else the browser's
``Accept-Language``, else the service's ``lang`` setting. Dates are shown in Europe/Paris, the
firms' time zone; amounts are Decimal, written with the locale's separators (1,234.50 / 1 234,50).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["LANGS", "MESSAGES", "PARIS", "actor_name", "amount", "negotiate", "param_name", "show_value",
           "text_params", "translate", "when"]

LANGS = ("en", "fr")
PARIS = ZoneInfo("Europe/Paris")
LANG_COOKIE = "sd_lang"

MESSAGES: dict[str, dict[str, str]] = {
    # layout
    "app": {"en": "syncdoctor support console", "fr": "console support syncdoctor"},
    "skip_to_content": {"en": "Skip to the content", "fr": "Aller au contenu"},
    "nav": {"en": "Main menu", "fr": "Menu principal"},
    "nav_issues": {"en": "Issues", "fr": "Incidents"},
    "nav_paste": {"en": "Paste an error", "fr": "Coller une erreur"},
    "nav_catalog": {"en": "Catalog", "fr": "Catalogue"},
    "language": {"en": "Language", "fr": "Langue"},
    "other_language": {"en": "Français", "fr": "English"},
    "signed_in_as": {"en": "Tenant {tenant}, key {key} ({role})", "fr": "Espace {tenant}, clé {key} ({role})"},
    "role_read": {"en": "read only", "fr": "lecture seule"},
    "role_write": {"en": "read and act", "fr": "lecture et actions"},
    "role_admin": {"en": "administrator", "fr": "administrateur"},
    "sign_out": {"en": "Sign out", "fr": "Se déconnecter"},
    "times_note": {"en": "Times are Paris time.", "fr": "Heures de Paris."},
    # sign-in
    "sign_in": {"en": "Sign in", "fr": "Se connecter"},
    "sign_in_intro": {"en": "Paste the API key your administrator gave you. The key is checked once and "
                            "is not kept in your browser.",
                      "fr": "Collez la clé d'API que votre administrateur vous a remise. Elle est vérifiée "
                            "une fois et n'est pas conservée dans votre navigateur."},
    "api_key": {"en": "API key", "fr": "Clé d'API"},
    "bad_key": {"en": "This key is unknown or revoked. Check it, or ask for a new one.",
                "fr": "Cette clé est inconnue ou révoquée. Vérifiez-la ou demandez-en une nouvelle."},
    "too_many_sign_ins": {"en": "Too many failed sign-ins from this address. Wait a few minutes, then try again.",
                          "fr": "Trop d'échecs de connexion depuis cette adresse. Attendez quelques minutes, "
                                "puis réessayez."},
    "signed_out": {"en": "You are signed out.", "fr": "Vous êtes déconnecté."},
    "session_ended": {"en": "Your session has ended; sign in again.",
                      "fr": "Votre session a pris fin ; reconnectez-vous."},
    # issue list
    "issues_title": {"en": "Issues", "fr": "Incidents"},
    "filters": {"en": "Filters", "fr": "Filtres"},
    "status": {"en": "Status", "fr": "Statut"},
    "any": {"en": "Any", "fr": "Tous"},
    "vendor": {"en": "Vendor", "fr": "Éditeur"},
    "client": {"en": "Client", "fr": "Client"},
    "problem": {"en": "Problem", "fr": "Problème"},
    "text": {"en": "Text", "fr": "Texte"},
    "text_hint": {"en": "words in the title, client, entity or problem",
                  "fr": "mots du titre, du client, de l'entité ou du problème"},
    "apply": {"en": "Apply", "fr": "Appliquer"},
    "clear": {"en": "Clear", "fr": "Effacer"},
    "status_open": {"en": "open", "fr": "ouvert"},
    "status_resolved": {"en": "resolved", "fr": "résolu"},
    "status_muted": {"en": "muted", "fr": "en sourdine"},
    "status_skipped": {"en": "skipped", "fr": "ignoré"},
    "escalated": {"en": "escalated", "fr": "escaladé"},
    "escalated_title": {"en": "Escalated: failed again and again", "fr": "Escaladés : échecs répétés"},
    "came_back": {"en": "came back {n} times", "fr": "revenu {n} fois"},
    "came_back_1": {"en": "came back once", "fr": "revenu une fois"},
    "seen_times": {"en": "seen {n} times", "fr": "vu {n} fois"},
    "seen_once": {"en": "seen once", "fr": "vu une fois"},
    "last_seen": {"en": "Last seen", "fr": "Vu en dernier"},
    "first_seen": {"en": "First seen", "fr": "Vu en premier"},
    "entity": {"en": "Entity", "fr": "Entité"},
    "no_issues": {"en": "No issue matches these filters.", "fr": "Aucun incident ne correspond à ces filtres."},
    "next_page": {"en": "Next page", "fr": "Page suivante"},
    "first_page": {"en": "First page", "fr": "Première page"},
    "by_problem": {"en": "By problem", "fr": "Par problème"},
    "by_problem_top": {"en": "By problem (the {n} most frequent)", "fr": "Par problème (les {n} plus fréquents)"},
    "by_client": {"en": "By client", "fr": "Par client"},
    "counts_total": {"en": "{n} issues match.", "fr": "{n} incidents correspondent."},
    "counts_total_1": {"en": "1 issue matches.", "fr": "1 incident correspond."},
    "results": {"en": "Issues, most recently seen first", "fr": "Incidents, les plus récents d'abord"},
    # issue page
    "back_to_list": {"en": "Back to the issues", "fr": "Retour aux incidents"},
    "vendor_said": {"en": "What the vendor said", "fr": "Ce que l'éditeur a répondu"},
    "diagnosis": {"en": "Diagnosis", "fr": "Diagnostic"},
    "causes": {"en": "Likely causes", "fr": "Causes probables"},
    "plan": {"en": "What to do", "fr": "Que faire"},
    "alternatives": {"en": "Other ways to fix it", "fr": "Autres façons de corriger"},
    "alternative_n": {"en": "Option {n}", "fr": "Option {n}"},
    "step_where": {"en": "Where", "fr": "Où"},
    "step_who": {"en": "Who", "fr": "Qui"},
    "by_person": {"en": "a person", "fr": "une personne"},
    "automatic": {"en": "automatic", "fr": "automatique"},
    "needs_confirm": {"en": "needs a person's confirmation", "fr": "demande la confirmation d'une personne"},
    "step_done": {"en": "done", "fr": "fait"},
    "mark_done": {"en": "Mark “{action}” done", "fr": "Marquer « {action} » comme fait"},
    "occurrences": {"en": "Occurrences", "fr": "Occurrences"},
    "occurrences_shown": {"en": "The latest {n}, newest first.", "fr": "Les {n} dernières, la plus récente d'abord."},
    "occurrences_shown_1": {"en": "The only one so far.", "fr": "La seule à ce jour."},
    "truncated": {"en": "(cut: the report was too large)", "fr": "(coupé : le rapport était trop grand)"},
    "history": {"en": "History", "fr": "Historique"},
    "no_history": {"en": "Nothing has been done on this issue yet.",
                   "fr": "Rien n'a encore été fait sur cet incident."},
    "details": {"en": "Details", "fr": "Détails"},
    "params": {"en": "Facts found", "fr": "Éléments relevés"},
    "severity": {"en": "Severity", "fr": "Gravité"},
    "category": {"en": "Category", "fr": "Catégorie"},
    "actions": {"en": "Actions", "fr": "Actions"},
    "read_only_note": {"en": "Your key can read only: actions need a key with the write role.",
                       "fr": "Votre clé permet seulement de lire : pour agir, il faut une clé autorisée à modifier (rôle write)."},
    "act_resolve": {"en": "Resolve", "fr": "Résoudre"},
    "act_reopen": {"en": "Reopen", "fr": "Rouvrir"},
    "act_mute": {"en": "Mute", "fr": "Mettre en sourdine"},
    "act_unmute": {"en": "Unmute", "fr": "Réactiver"},
    "act_skip": {"en": "Skip (stop retrying)", "fr": "Ignorer (ne plus réessayer)"},
    "act_note": {"en": "Add a note", "fr": "Ajouter une note"},
    "confirm_title": {"en": "Confirm: {action}", "fr": "Confirmer : {action}"},
    "confirm_resolve": {"en": "Mark this issue resolved. It opens again if the same rejection comes back.",
                        "fr": "Marquer cet incident comme résolu. Il se rouvre si le même rejet revient."},
    "confirm_reopen": {"en": "Open this issue again.", "fr": "Ouvrir de nouveau cet incident."},
    "confirm_mute": {"en": "Keep counting this issue but send no more notifications about it.",
                     "fr": "Continuer à compter cet incident sans plus envoyer de notification."},
    "confirm_unmute": {"en": "Send notifications about this issue again.",
                       "fr": "Envoyer de nouveau les notifications de cet incident."},
    "confirm_skip": {"en": "Stop retrying this record; the issue is kept for the record.",
                     "fr": "Ne plus réessayer cet enregistrement ; l'incident reste consigné."},
    "confirm_note": {"en": "Add a note to the history of this issue.",
                     "fr": "Ajouter une note à l'historique de cet incident."},
    "confirm_step": {"en": "Record that this step of the plan was done: {action}.",
                     "fr": "Consigner que cette étape du plan a été faite : {action}."},
    "note": {"en": "Note", "fr": "Note"},
    "note_optional": {"en": "Note (optional)", "fr": "Note (facultative)"},
    "note_required": {"en": "A note needs its text.", "fr": "Une note doit avoir un texte."},
    "confirm": {"en": "Confirm", "fr": "Confirmer"},
    "cancel": {"en": "Cancel", "fr": "Annuler"},
    "done_action": {"en": "Done: {action}.", "fr": "C'est fait : {action}."},
    "not_allowed": {"en": "Not done: {reason}", "fr": "Non fait : {reason}"},
    "history_line": {"en": "{action} by {actor}", "fr": "{action} par {actor}"},
    "jump_actions": {"en": "Go to the actions ↓", "fr": "Aller aux actions ↓"},
    "history_step": {"en": "Step “{step}” done by {actor}", "fr": "Étape « {step} » faite par {actor}"},
    "actor_key": {"en": "key {id}", "fr": "la clé {id}"},
    "actor_accepted": {"en": "an accepted sync", "fr": "une synchronisation acceptée"},
    # paste
    "paste_title": {"en": "Paste an error", "fr": "Coller une erreur"},
    "paste_not_json": {"en": "This looks like JSON but is incomplete or invalid: it was read as the message's text.",
                       "fr": "Ceci ressemble à du JSON mais il est incomplet ou invalide : il a été lu comme le texte "
                             "du message."},
    "paste_intro": {"en": "Paste what the vendor answered: a message, or its JSON (a Fault, or a report with "
                          "vendor, message, http_status, code, payload). Nothing is recorded.",
                    "fr": "Collez la réponse de l'éditeur : un message, ou son JSON (un Fault, ou un rapport avec "
                          "vendor, message, http_status, code, payload). Rien n'est enregistré."},
    "paste_text": {"en": "Error text or JSON", "fr": "Texte ou JSON de l'erreur"},
    "paste_vendor": {"en": "Vendor (if the text does not say)", "fr": "Éditeur (si le texte ne le dit pas)"},
    "paste_status": {"en": "HTTP status (optional)", "fr": "Statut HTTP (facultatif)"},
    "paste_code": {"en": "Error code (optional)", "fr": "Code d'erreur (facultatif)"},
    "unknown_vendor": {"en": "Not said", "fr": "Non précisé"},
    "classify": {"en": "Explain", "fr": "Expliquer"},
    "paste_empty": {"en": "Paste a message or a JSON report first.", "fr": "Collez d'abord un message ou un rapport JSON."},
    "paste_too_big": {"en": "This is too long to explain here (at most {n} characters).",
                      "fr": "C'est trop long pour être expliqué ici ({n} caractères au plus)."},
    "paste_bad_status": {"en": "The HTTP status is a number between 100 and 599.",
                         "fr": "Le statut HTTP est un nombre entre 100 et 599."},
    "paste_result": {"en": "What it means", "fr": "Ce que cela signifie"},
    "paste_none": {"en": "No known problem matches this text.", "fr": "Aucun problème connu ne correspond à ce texte."},
    # catalog
    "catalog_title": {"en": "Catalog of problems", "fr": "Catalogue des problèmes"},
    "catalog_intro": {"en": "Every problem syncdoctor knows, with its causes and the steps that fix it. "
                            "Words in italics are filled in from each rejection.",
                      "fr": "Tous les problèmes que syncdoctor connaît, avec leurs causes et les étapes qui les "
                            "corrigent. Les mots en italique sont remplis d'après chaque rejet."},
    "search": {"en": "Search", "fr": "Rechercher"},
    "search_hint": {"en": "words of a title, cause or id", "fr": "mots d'un titre, d'une cause ou d'un identifiant"},
    "plugin": {"en": "Plugin", "fr": "Extension"},
    "problems_count": {"en": "{n} problems", "fr": "{n} problèmes"},
    "no_problems": {"en": "No problem matches this search.", "fr": "Aucun problème ne correspond à cette recherche."},
    # errors
    "not_found": {"en": "Not found", "fr": "Introuvable"},
    "not_found_text": {"en": "There is no such page or issue in your tenant.",
                       "fr": "Cette page ou cet incident n'existe pas pour votre compte."},
    "forbidden": {"en": "Refused", "fr": "Refusé"},
    "forbidden_csrf": {"en": "This form was not sent by this console page (or it is too old). Go back, "
                             "reload the page and try again.",
                       "fr": "Ce formulaire ne vient pas de cette page de la console (ou il est trop ancien). "
                             "Revenez en arrière, rechargez la page et réessayez."},
    "forbidden_role": {"en": "Your key can read only; this needs the write role.",
                       "fr": "Votre clé permet seulement de lire ; il faut le rôle write."},
    "forbidden_session": {"en": "Sign in first.", "fr": "Connectez-vous d'abord."},
    "bad_request_title": {"en": "Not valid", "fr": "Demande non valide"},
    "unavailable_title": {"en": "Not available", "fr": "Indisponible"},
    "bad_request": {"en": "This request is not valid: {reason}", "fr": "Cette demande n'est pas valide : {reason}"},
    "unavailable": {"en": "The ledger is not available right now; try again in a moment.",
                    "fr": "Le registre n'est pas disponible pour l'instant ; réessayez dans un instant."},
}

_MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "fr": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
}
_DECIMAL_TEXT = re.compile(r"-?\d+\.\d{2}")
_NNBSP = "\u202f"  # French groups thousands with a narrow no-break space


def translate(message: str, lang: str, /, **params: Any) -> str:
    """The catalog's text for ``message`` in ``lang``, its ``{placeholders}`` filled."""
    text = MESSAGES[message]["fr" if lang == "fr" else "en"]
    return text.format(**params) if params else text


def negotiate(cookie: str | None, accept_language: str | None, default: str = "en") -> str:
    """The page language: the switch's cookie, else the browser's preference, else ``default``."""
    if cookie in LANGS:
        return cookie
    best: tuple[float, str] | None = None
    for part in (accept_language or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        lang = tag.strip().lower()[:2]
        if lang not in LANGS:
            continue
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        if best is None or weight > best[0]:
            best = (weight, lang)
    if best is not None:
        return best[1]
    return default if default in LANGS else "en"


def when(value: str | datetime | None, lang: str) -> str:
    """A time as a reader of ``lang`` writes it, in Paris time: "2 Dec 2026, 10:05" / "2 déc. 2026, 10:05"."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    else:
        moment = value
    if moment.utcoffset() is None:
        return moment.isoformat()  # never guess a zone
    local = moment.astimezone(PARIS)
    month = _MONTHS["fr" if lang == "fr" else "en"][local.month - 1]
    return f"{local.day} {month} {local.year}, {local:%H:%M}"


def amount(value: Decimal | int | str, lang: str) -> str:
    """An amount with the locale's separators: 1,234.50 in English, 1 234,50 in French. Decimal
    in, text out: never through float."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = f"{number:,}" if number == number.to_integral_value() and "." not in str(value) else f"{number:,.2f}"
    if lang == "fr":
        text = text.replace(",", _NNBSP).replace(".", ",")
    return text


def show_value(value: Any, lang: str) -> str:
    """A fact of an issue (a param) for display: Decimal amounts and "12.50"-like texts with the
    locale's separators, everything else (codes, ids, names) exactly as given."""
    if isinstance(value, Decimal):
        return amount(value, lang)
    if isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value):
        try:
            return amount(Decimal(value), lang)
        except InvalidOperation:
            return value
    if isinstance(value, (list, tuple)):
        return ", ".join(show_value(v, lang) for v in value)
    if value is None:
        return ""
    return str(value)


def text_params(params: dict[str, Any] | None) -> dict[str, Any]:
    """An issue's facts for re-rendering its texts in the reader's language: amounts come back
    from the ledger's JSON as text ("50.01"), and only as Decimal are they written the French way."""
    return {k: Decimal(v) if isinstance(v, str) and _DECIMAL_TEXT.fullmatch(v) else v
            for k, v in (params or {}).items()}


# the facts packs name most often, as a reader of each language names them; others: the name spaced
PARAM_NAMES: dict[str, tuple[str, str]] = {
    "doc_number": ("document number", "n° de pièce"), "txn_id": ("transaction id", "n° de transaction"),
    "txn_type": ("transaction type", "type de transaction"), "fault_type": ("error type", "type d'erreur"),
    "account": ("account", "compte"), "entity": ("record", "enregistrement"), "failures": ("failures", "échecs"),
    "element": ("field", "champ"), "supplied": ("length supplied", "longueur fournie"), "max": ("maximum", "maximum"),
    "min": ("minimum", "minimum"), "folder": ("folder", "dossier"), "amount": ("amount", "montant"),
    "difference": ("difference", "écart"), "name": ("name", "nom"), "http_status": ("HTTP status", "statut HTTP"),
    "detail": ("detail", "détail"), "retry_after": ("retry after (s)", "réessayer après (s)"),
    "target_message": ("target's message", "message de la cible"), "date": ("date", "date"),
    "journal": ("journal", "journal"), "auxiliary": ("auxiliary code", "code auxiliaire"),
    "business_day": ("business day", "journée"), "order": ("order", "commande"), "reference": ("reference", "référence"),
}


def actor_name(actor: str, lang: str) -> str:
    """Who acted, as a reader says it: ``console:key:k3m9`` is "la clé k3m9"."""
    for prefix in ("console:key:", "key:"):
        if actor.startswith(prefix):
            return translate("actor_key", lang, id=actor[len(prefix):])
    return translate("actor_accepted", lang) if actor == "syncdoctor:accepted-event" else actor


def param_name(name: str, lang: str) -> str:
    """A fact's name as the reader's language says it (``doc_number``: "n° de pièce")."""
    known = PARAM_NAMES.get(name)
    return known[1 if lang == "fr" else 0] if known else name.replace("_", " ")

