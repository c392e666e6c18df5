"""The contract between syncdoctor and its plugins: five hooks.

Every bundled vendor is a plugin of these hooks, loaded from the entry-point group
``syncdoctor`` exactly like a third-party one. A plugin implements any subset; an
implementation may accept any subset of a hook's arguments (pluggy passes them by name).

Most plugins implement only :func:`register_plugin` (by subclassing
:class:`syncdoctor.RulePackPlugin`): their rule pack then answers ``validate_entry``,
``classify_error`` and ``remediate`` through the core's engines, in batches, without a
pluggy call per item. Implement the other hooks directly only for what data cannot say.

docs/hooks.md is generated from these docstrings (``python -m syncdoctor.cli.docs``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pluggy

from .host.plugins import FetchResult, PluginSpec
from .model.entities import EntityBase
from .model.plans import RemediationPlan
from .model.reports import Diagnosis, ErrorReport, Finding
from .rules.conditions.batch import BatchState

hookspec = pluggy.HookspecMarker("syncdoctor")

__all__ = ["classify_error", "fetch_transactions", "hookspec", "register_plugin", "remediate", "validate_entry"]


@hookspec
def register_plugin() -> PluginSpec:  # type: ignore[empty-body]
    """Describe the plugin: its name, version, rule packs and everything it offers.

    Called once per plugin when the host starts. The packs are validated and compiled at
    that moment; a plugin whose pack is invalid is reported (name, version, file, line) and
    left out, and the host starts with the others (or fails in strict mode).

    :return: a :class:`syncdoctor.PluginSpec`. ``name`` is required and is the key of the
        plugin's part of the context document; problem ids of its packs start with it.
    """


@hookspec
def validate_entry(entity: EntityBase, context: Mapping[str, Any], batch: BatchState) -> list[Finding] | None:  # type: ignore[empty-body]
    """Will the target reject this entity? Answer before it is sent.

    :param entity: one parsed entity (a model of its ``kind``).
    :param context: the whole context document, keyed by plugin name; each part is that
        plugin's context model instance. Read your own part: ``context.get("acd")``.
    :param batch: the state of the current batch, for correlation across entities
        (e.g. the same document number twice). One per batch; never shared across threads.
    :return: a list of :class:`syncdoctor.Finding` (empty when clean) or ``None``.
        Raising is reported as a ``core.plugin_error`` finding naming your plugin; the other
        plugins and the rest of the batch go on.
    """


@hookspec
def classify_error(report: ErrorReport, lang: str) -> list[Diagnosis] | None:  # type: ignore[empty-body]
    """The target said X: which known problem is it, with which parameters?

    :param report: the rejection as received: ``vendor``, ``message``, ``http_status``,
        ``code``, ``payload`` (e.g. a QuickBooks Fault document).
    :param lang: ``"en"`` or ``"fr"``, the language of causes and instructions.
    :return: one :class:`syncdoctor.Diagnosis` per distinct error in the report (a Fault may
        hold several), or ``None`` when the report is not yours. Must never raise on
        arbitrary text and must run in time linear in its length. Raising anyway adds a
        ``core.plugin_error`` diagnosis naming your plugin; the packs' answer stands.
    """


@hookspec(firstresult=True)
def remediate(problem: str, params: Mapping[str, Any], entity: EntityBase | None, lang: str) -> RemediationPlan | None:  # type: ignore[empty-body]
    """What exactly do we do now, where, and can it be done automatically?

    Stops at the first non-``None`` result.

    :param problem: a problem id from the catalog.
    :param params: the parameters of the finding or diagnosis (e.g. ``{"account": "XAARO"}``).
    :param entity: the entity concerned, when known; automatic patches are rendered
        against it (RFC 6902 JSON Patch).
    :param lang: ``"en"`` or ``"fr"``.
    :return: a :class:`syncdoctor.RemediationPlan` with ordered steps and alternatives.
    """


@hookspec(firstresult=True)
def fetch_transactions(source: str, options: Mapping[str, Any]) -> FetchResult | None:  # type: ignore[empty-body]
    """Get the source data to check and send.

    Stops at the first non-``None`` result: answer only for a ``source`` you own.

    :param source: the source name asked for (``syncdoctor fetch SOURCE``).
    :param options: ``base_url``, credentials (as ``pydantic.SecretStr``), ``since``,
        ``until``, ``state`` (what a previous fetch returned, to resume), ``limits`` (a
        ``syncdoctor.vendors.limits.Limits``: pass it to your ``VendorClient``) and the
        source's own options.
    :return: a :class:`syncdoctor.FetchResult`: an iterator of entities (streamed: pluggy
        is synchronous, so return an iterator, not a list) whose ``state`` and ``stats`` are
        final once it is exhausted. **State contract**: set ``result.state`` *before* you
        yield each entity, to the position just after it; the host saves it after writing
        the entities it has, at any moment (and after an error), so a fetch killed anywhere
        resumes with nothing lost or repeated. A page you cannot read (a list that is not a
        list, a record with wrong types) is a ``syncdoctor.VendorError`` naming it, never
        "no records": the state must not move past what was not delivered. Cap ``until`` at
        now in the source's time zone (docs/reliability.md).
    """
