"""Fetching from the Qonto Business API v2: transactions (and client invoices), resumable.

How the result stays exactly the same under faults:

* the core :class:`~syncdoctor.VendorClient` retries 429 (after ``Retry-After``), 5xx and
  dropped connections, and stops at once on 401/403;
* pages are walked in a stable order (``sort_by`` ascending) by following ``meta.next_page``;
  every id is delivered once per stream: a page served twice is de-duplicated by id;
* the window is half-open, ``[from, to)``, sent to the API and checked again on our side, so
  consecutive windows neither overlap nor leave a gap.

Where it stopped: ``FetchResult.state`` is kept up to date *while* entities are yielded. An
entity counts as delivered when it is yielded. A complete run leaves
``{"last_integration": <end of the window>}``; an interrupted one (the host stopped reading,
or an error) also leaves ``"resume": {window, stream, page, seen}``, and the next fetch with
that state continues the same window from there.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr, ValidationError

from syncdoctor import (
    Attachment,
    EntityBase,
    FetchResult,
    InputError,
    VendorAuthError,
    VendorError,
    loads,
)
from syncdoctor.vendors.limits import Limits

from .checks import is_booked
from .paging import _items, _json, _next_page
from .records import attachment, bank_transaction, client_invoice
from .window import UTC, Window, integration_window, parse_instant, to_api

if TYPE_CHECKING:  # httpx and the client load when a fetch starts, not with the plugin (start-up time)
    import httpx

    from syncdoctor import RetryPolicy, VendorClient

__all__ = ["DEFAULT_BASE_URL", "Credentials", "FetchPlan", "QontoAuthError", "QontoFetch", "fetch", "plan_from"]

DEFAULT_BASE_URL = "https://thirdparty.qonto.com"
IMPORTABLE_STATUSES = ("unpaid", "paid", "canceled")
INVOICE_STATUSES = ("draft", "unpaid", "paid", "canceled")
_TRUE = {"1", "true", "yes", "y", "on", "oui"}


class QontoAuthError(VendorAuthError):
    """Qonto refused the credentials; the fetch stopped at once (problem ``qonto.connection_failed``)."""

    problem = "qonto.connection_failed"


@dataclass(frozen=True)
class Credentials:
    """An API key (``login`` + ``secret_key``) or an OAuth token; secrets stay in SecretStr."""

    login: str | None = None
    secret_key: SecretStr | None = None
    token: SecretStr | None = None

    def __repr__(self) -> str:
        kind = "oauth" if self.token is not None else "api_key"
        return f"Credentials({kind}, login={self.login!r}, secret=***)"

    def headers(self) -> dict[str, str]:
        """Built per request: the only place a secret is materialised."""
        if self.token is not None:
            return {"Authorization": f"Bearer {self.token.get_secret_value()}"}
        assert self.secret_key is not None
        # Qonto's API key header is a plain "<login>:<secret-key>": not HTTP Basic, no Base64.
        return {"Authorization": f"{self.login}:{self.secret_key.get_secret_value()}"}


@dataclass
class FetchPlan:
    """Everything one fetch needs, read and checked from the options before any request."""

    base_url: str = field(repr=False)  # may carry user:password@ (VendorClient strips it from what it shows)
    credentials: Credentials
    window: Window
    previous: dict[str, Any]
    accounts: tuple[tuple[str, str], ...] = ()  # (parameter, value): ("iban", "FR76…") or ("bank_account_id", …)
    invoices: bool = False
    invoice_statuses: tuple[str, ...] = IMPORTABLE_STATUSES
    include_booked: bool = False
    per_page: int = 100
    resume: dict[str, Any] | None = None
    retry: RetryPolicy | None = None
    transport: httpx.BaseTransport | None = field(default=None, repr=False)
    limits: Limits | None = None


def _secret(value: Any) -> SecretStr | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, SecretStr) else SecretStr(str(value))


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return value is not None and str(value).strip().lower() in _TRUE


def _statuses(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return IMPORTABLE_STATUSES
    items = value.split(",") if isinstance(value, str) else list(value)
    out = tuple(s.strip().lower() for s in items if str(s).strip())
    unknown = [s for s in out if s not in INVOICE_STATUSES]
    if unknown:
        raise InputError(None, "invoice_statuses", f"unknown status {', '.join(unknown)}; Qonto's statuses are "
                         + ", ".join(INVOICE_STATUSES) + " (American 'canceled', one l)")
    return out


def _state(value: Any) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if isinstance(value, (str, bytes)):
        value = loads(value)
    if not isinstance(value, Mapping):
        raise InputError(None, "state", "the fetch state must be the JSON object a previous fetch returned")
    return json.loads(json.dumps(dict(value), default=str))  # a private, JSON-clean copy


def _option(options: Mapping[str, Any], name: str, env: str | None = None) -> Any:
    value = options.get(name)
    if (value is None or value == "") and env:
        value = os.environ.get(env) or None
    return value


def plan_from(options: Mapping[str, Any]) -> FetchPlan:
    """Read the options of ``syncdoctor fetch qonto`` (and of a host's ``host.fetch``)."""
    from syncdoctor.vendors.client import RetryPolicy  # with httpx, only when a fetch starts

    token = _secret(_option(options, "token", "QONTO_TOKEN"))
    login = _option(options, "login", "QONTO_LOGIN")
    secret = _secret(_option(options, "secret_key", "QONTO_SECRET_KEY"))
    if token is None and (not login or secret is None):
        raise InputError(None, "login", "Qonto needs --login and --secret-key (or QONTO_LOGIN and QONTO_SECRET_KEY), "
                         "or an OAuth --token (QONTO_TOKEN)")
    credentials = Credentials(login=str(login) if login else None, secret_key=secret, token=token)
    previous = _state(options.get("state"))
    now = options.get("now") or dt.datetime.now(UTC)
    if not isinstance(now, dt.datetime) or now.tzinfo is None:
        raise InputError(None, "now", "now must be an aware datetime")
    since, until = options.get("since"), options.get("until")
    resume = previous.get("resume") if isinstance(previous.get("resume"), dict) else None
    try:
        if since is None and until is None and resume is not None:
            window = Window.from_json(resume["window"])
        else:
            resume = None  # an explicit window starts afresh
            last = previous.get("last_integration")
            window = integration_window(now, parse_instant(last) if last else None, since, until)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(None, "since/until/state", f"cannot read the window: {exc}") from None
    accounts: list[tuple[str, str]] = []
    if options.get("bank_account_id"):
        accounts.append(("bank_account_id", str(options["bank_account_id"])))
    if options.get("iban"):
        accounts.append(("iban", str(options["iban"]).replace(" ", "")))
    per_page = int(options.get("per_page") or 100)
    if not 1 <= per_page <= 100:
        raise InputError(None, "per_page", "per_page must be between 1 and 100")
    return FetchPlan(
        base_url=str(options.get("base_url") or DEFAULT_BASE_URL),
        credentials=credentials,
        window=window,
        previous=previous,
        accounts=tuple(accounts[:1]),  # bank_account_id wins when both are given
        invoices=_flag(options.get("invoices")),
        invoice_statuses=_statuses(options.get("invoice_statuses")),
        include_booked=_flag(options.get("include_booked")),
        per_page=per_page,
        resume=resume,
        retry=options.get("retry") if isinstance(options.get("retry"), RetryPolicy) else None,
        transport=options.get("transport"),
        limits=Limits.from_options(options),
    )


@dataclass(frozen=True)
class Stream:
    """One paginated listing: transactions of one account, or client invoices of one status."""

    name: str
    path: str
    key: str
    params: tuple[tuple[str, str], ...]
    to_entity: Callable[[dict[str, Any]], EntityBase]
    instant: str  # the field the window applies to


class QontoFetch(FetchResult):
    """The stream of entities of one fetch; ``state`` and ``stats`` are final once exhausted."""

    def __init__(self, plan: FetchPlan) -> None:
        self.plan = plan
        super().__init__(self._entities(), state=plan.previous)
        self.stats = {"transactions": 0, "client_invoices": 0, "booked": 0, "skipped_booked": 0, "duplicates": 0,
                      "outside_window": 0, "pages": 0}

    def __repr__(self) -> str:
        return f"QontoFetch(window={self.plan.window.to_json()}, stats={self.stats})"

    # -- the run

    def _entities(self) -> Iterator[EntityBase]:
        plan = self.plan
        if plan.window.empty:
            return
        from syncdoctor.vendors.client import VendorClient

        client = VendorClient("qonto", plan.base_url, plan.credentials.headers, retry=plan.retry,
                              transport=plan.transport, limits=plan.limits)
        try:
            streams = self._streams(client)
            start, page, carried = 0, 1, []
            names = [s.name for s in streams]
            if plan.resume is not None and plan.resume.get("stream") in names:
                start = names.index(plan.resume["stream"])
                page = int(plan.resume.get("page") or 1)
                carried = [str(i) for i in plan.resume.get("seen") or []]
            for stream in streams[start:]:
                yield from self._walk(client, stream, page, carried)
                page, carried = 1, []
            self.state = self._complete()
        except VendorAuthError as exc:
            detail = str(exc).removeprefix("qonto: ").removesuffix(f" (HTTP {exc.status})")
            raise QontoAuthError(
                "qonto",
                f"credentials refused: {detail}; stopped at once without retrying, since Qonto throttles clients that "
                "pile up 401s: check the login and secret key, or the OAuth token and its scopes "
                "(problem qonto.connection_failed)",
                exc.status,
                exc.code,
            ) from None
        finally:
            for key, value in client.stats.items():
                self.stats[key] = self.stats.get(key, 0) + value
            client.close()

    def _streams(self, client: VendorClient) -> list[Stream]:
        plan = self.plan
        window = [("settled_at_from", to_api(plan.window.start)),
                  ("settled_at_to", to_api(plan.window.end - dt.timedelta(milliseconds=1)))]
        streams = []
        for param, value in plan.accounts or self._organization_accounts(client):
            streams.append(Stream(
                name=f"transactions:{value}",
                path="/v2/transactions",
                key="transactions",
                params=((param, value), ("status[]", "completed"), *window, ("sort_by", "settled_at:asc")),
                to_entity=partial(self._transaction, client, value),
                instant="settled_at",
            ))
        if plan.invoices:
            updated = [("filter[updated_at_from]", to_api(plan.window.start)),
                       ("filter[updated_at_to]", to_api(plan.window.end - dt.timedelta(milliseconds=1)))]
            for status in plan.invoice_statuses:
                streams.append(Stream(
                    name=f"client_invoices:{status}",
                    path="/v2/client_invoices",
                    key="client_invoices",
                    params=(("filter[status]", status), *updated, ("sort_by", "created_at:asc")),
                    to_entity=client_invoice,
                    instant="updated_at",
                ))
        return streams

    def _transaction(self, client: VendorClient, account: str, raw: dict[str, Any]) -> EntityBase:
        return bank_transaction(raw, account, self._attachments(client, raw))

    def _organization_accounts(self, client: VendorClient) -> list[tuple[str, str]]:
        """No account named: every account of the organization (also checks the credentials)."""
        body = _json(client, "/v2/organization", None)
        accounts = (body.get("organization") or {}).get("bank_accounts") or []
        out = [("iban", str(a["iban"])) if a.get("iban") else ("bank_account_id", str(a["id"]))
               for a in accounts if isinstance(a, dict) and (a.get("iban") or a.get("id"))]
        if not out:
            raise VendorError("qonto", "the organization has no bank account to fetch")
        return out

    def _attachments(self, client: VendorClient, raw: dict[str, Any]) -> list[Attachment]:
        if not raw.get("attachment_ids"):
            return []
        out: list[Attachment] = []
        seen: set[str] = set()
        page: int | None = 1
        while page is not None:
            body = _json(client, f"/v2/transactions/{raw['id']}/attachments", [("page", str(page)), ("per_page", "100")])
            for item in _items(body, "attachments", f"/v2/transactions/{raw['id']}/attachments"):
                if isinstance(item, dict) and str(item.get("id")) not in seen:
                    seen.add(str(item.get("id")))
                    out.append(attachment(item))
            page = _next_page(body, page)
        return out

    def _walk(self, client: VendorClient, stream: Stream, page: int, carried: list[str]) -> Iterator[EntityBase]:
        """One listing, from ``page``; ``carried`` are ids already delivered (previous page and this one)."""
        seen = set(carried)
        previous_ids: list[str] = []
        page_ids: list[str] = list(carried)  # on a resumed page: what was delivered of it before
        current: int | None = page
        while current is not None:
            params = [*stream.params, ("current_page", str(current)), ("per_page", str(self.plan.per_page))]
            body = _json(client, stream.path, params)
            self.stats["pages"] += 1
            for raw in _items(body, stream.key, stream.path):
                if not isinstance(raw, dict) or raw.get("id") is None:
                    continue
                ident = str(raw["id"])
                if ident in seen:
                    self.stats["duplicates"] += 1  # a page served twice, or a resumed page
                    continue
                entity = self._admit(stream, raw)
                seen.add(ident)
                page_ids.append(ident)
                self._mark(stream, current, previous_ids + page_ids)  # before yielding: delivered = yielded
                if entity is not None:
                    yield entity
            following = _next_page(body, current)
            previous_ids, page_ids = page_ids, []
            if following is not None:
                self._mark(stream, following, previous_ids)
            current = following

    def _admit(self, stream: Stream, raw: dict[str, Any]) -> EntityBase | None:
        """The entity to deliver, or None when it is outside the window or already booked.
        A record whose fields have the wrong types stops the fetch with an error naming it
        (the state still points before it: nothing is skipped without a word)."""
        try:
            return self._entity(stream, raw)
        except (ValidationError, ValueError, TypeError, AttributeError, KeyError, ArithmeticError) as exc:
            detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            if isinstance(exc, ValidationError) and exc.errors():
                first = exc.errors()[0]
                detail = f"field {'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
            raise VendorError("qonto", f"{stream.key} record {str(raw.get('id'))[:80]!r} cannot be read: {detail}") from None

    def _entity(self, stream: Stream, raw: dict[str, Any]) -> EntityBase | None:
        instant = raw.get(stream.instant)
        if instant is not None and not isinstance(instant, str):
            raise TypeError(f"field {stream.instant}: expected an ISO datetime string, got {type(instant).__name__}")
        settled_required = stream.key == "transactions"
        if (not instant and settled_required) or (instant and not self.plan.window.contains(parse_instant(instant))):
            self.stats["outside_window"] += 1
            return None
        if settled_required and is_booked(raw.get("note")):
            self.stats["booked"] += 1
            if not self.plan.include_booked:
                self.stats["skipped_booked"] += 1  # #Comptabilise: already booked in ACD, never twice
                return None
        entity = stream.to_entity(raw)
        self.stats[stream.key] += 1
        return entity

    def _mark(self, stream: Stream, page: int, seen: list[str]) -> None:
        state = {k: v for k, v in self.state.items() if k != "resume"}
        state["resume"] = {"window": self.plan.window.to_json(), "stream": stream.name, "page": page, "seen": seen}
        self.state = state

    def _complete(self) -> dict[str, Any]:
        state = {k: v for k, v in self.state.items() if k != "resume"}
        end = self.plan.window.end
        last = state.get("last_integration")
        if last is None or parse_instant(last).astimezone(UTC) < end.astimezone(UTC):
            state["last_integration"] = end.isoformat()  # an explicit older window never moves it back
        state["last_window"] = self.plan.window.to_json()
        return state


def fetch(options: Mapping[str, Any]) -> QontoFetch:
    """``fetch_transactions("qonto", options)``: checks the options now, fetches lazily."""
    return QontoFetch(plan_from(options))
