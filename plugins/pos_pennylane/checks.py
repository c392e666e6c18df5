"""Named checks and parameter functions the rule packs call (``call: pos_pennylane.…``).

Only what YAML cannot say lives here: which of the sync's conditions fail, why a day is
missing, what an execution's error is, money differences. Every function receives plain
values (paths resolved by the engine) and returns ``None`` when it cannot tell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from syncdoctor import value_of

from .context import ACTIVE_STATUSES, ExecutionError

__all__ = ["HIGH_TOLERANCE", "REJECTED_STATUSES", "functions"]

HIGH_TOLERANCE = Decimal("1.00")
"""A tolerance above this many euros is "too high": it lets real gaps through (the seed's
example is 50 euros). A realistic tolerance covers rounding, a few cents."""

REJECTED_STATUSES = (401, 403)
_FAILED_RESULTS = ("error", "failed", "failure")
_UNFINISHED = ("running", "pending", "queued", "in_progress", "started", "scheduled", "waiting", "created")
"""Statuses of an execution that has not completed yet: its logs are not the ones to read."""

Classifier = Callable[[str, str | None, int | None], str]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


_get = value_of


# ------------------------------------------------------------------ the sync


def failed_conditions(context: Any) -> str | None:
    """Which of the three conditions of an enabled sync fail, e.g. ``"pos_connection, mappings"``."""
    failed = []
    for name in ("accounting_connection", "pos_connection"):
        status = _get(_get(context, name), "status")
        if status is not None and status not in ACTIVE_STATUSES:
            failed.append(name)
    complete = _get(context, "mappings_complete")
    sync_status = _get(context, "sync_status")
    if complete is False or (complete is None and sync_status is not None and sync_status not in ACTIVE_STATUSES):
        failed.append("mappings")
    return ", ".join(failed) or None


def _newest_first(executions: Sequence[Any]) -> list[Any]:
    """Executions from the newest; by start time when every run has one, else by list order."""
    runs = list(executions)
    starts = [_get(e, "started_at") for e in runs]
    if runs and all(isinstance(s, dt.datetime) for s in starts):
        try:
            order = sorted(range(len(runs)), key=lambda i: (starts[i], i), reverse=True)
            return [runs[i] for i in order]
        except TypeError:  # naive and aware datetimes mixed: keep the order given
            pass
    return list(reversed(runs))


def _errors(result: Any) -> list[Any]:
    return list(_get(result, "errors") or [])


def rejection(executions: Sequence[Any]) -> Any:
    """The first 401/403 error of the newest execution, or ``None``."""
    runs = _newest_first(executions)
    if not runs:
        return None
    for day in _get(runs[0], "days") or []:
        for error in _errors(day):
            if _get(error, "http_status") in REJECTED_STATUSES:
                return error
    return None


def latest_rejected(executions: Sequence[Any]) -> bool | None:
    if not isinstance(executions, (list, tuple)):
        return None
    return rejection(executions) is not None


def rejection_field(executions: Sequence[Any], name: str) -> Any:
    error = rejection(executions) if isinstance(executions, (list, tuple)) else None
    return _get(error, name) if error is not None else None


# ------------------------------------------------------------------ data missing after a run


def latest_completed(executions: Sequence[Any]) -> Any:
    """The newest completed execution (Success or Error), whose detailed logs list the errors."""
    for run in _newest_first(executions):
        if _get(run, "status") not in _UNFINISHED:
            return run
    return None


def _failed_results(run: Any) -> list[Any]:
    return [result for result in _get(run, "days") or [] if _failed(result)]


def latest_failed(executions: Any) -> bool | None:
    """Whether the latest completed execution failed for some day (or as a whole)."""
    if not isinstance(executions, (list, tuple)):
        return None
    run = latest_completed(executions)
    if run is None:
        return False
    return bool(_failed_results(run)) or _get(run, "status") in _FAILED_RESULTS


def latest_execution(executions: Any, name: str) -> Any:
    """A field (``id``, ``status``) of the latest completed execution."""
    run = latest_completed(executions) if isinstance(executions, (list, tuple)) else None
    return None if run is None else (_get(run, name) or None)


def latest_failed_days(executions: Any) -> str | None:
    """The business days the latest completed execution failed for, e.g. ``"2026-09-01, 2026-09-02"``."""
    run = latest_completed(executions) if isinstance(executions, (list, tuple)) else None
    if run is None:
        return None
    days = [_date(_get(result, "date")) for result in _failed_results(run)]
    return ", ".join(str(d) for d in days if d is not None) or None


def latest_error(executions: Any) -> ExecutionError | None:
    """The first error message in the logs of the latest completed execution that failed."""
    if not latest_failed(executions):
        return None
    run = latest_completed(executions)
    for result in _failed_results(run):
        errors = _errors(result)
        if errors:
            return errors[0] if isinstance(errors[0], ExecutionError) else ExecutionError.model_validate(errors[0])
    return ExecutionError(message=f"execution {_text(_get(run, 'id'))} ended in error without a message")


# ------------------------------------------------------------------ a missing day


def day_result(day: Any, executions: Iterable[Any]) -> tuple[Any, Any] | None:
    """(execution, day result) of the newest execution that handled ``day``."""
    wanted = _date(day)
    for run in _newest_first(list(executions or [])):
        for result in _get(run, "days") or []:
            if _date(_get(result, "date")) == wanted:
                return run, result
    return None


def _failed(result: Any) -> bool:
    return _get(result, "result") in _FAILED_RESULTS or bool(_errors(result))


def day_reasons(day: Any, start_date: Any, open_days: Any, executions: Any) -> list[str]:
    """Why a business day was not imported, in the order the support guide checks them."""
    date = _date(day)
    reasons = []
    start = _date(start_date)
    if date is not None and start is not None and date < start:
        reasons.append("before_start_date")
    if date is not None and any(_date(d) == date for d in open_days or []):
        reasons.append("day_open")
    found = day_result(date, executions or [])
    if found is not None and _failed(found[1]):
        reasons.append("execution_error")
    return reasons


def day_error(day: Any, executions: Any) -> ExecutionError | None:
    found = day_result(day, executions or [])
    if found is None or not _failed(found[1]):
        return None
    errors = _errors(found[1])
    if errors:
        return errors[0] if isinstance(errors[0], ExecutionError) else ExecutionError.model_validate(errors[0])
    return ExecutionError(message=f"execution {_text(_get(found[0], 'id'))} failed for this day without a message")


def day_execution(day: Any, executions: Any) -> str | None:
    found = day_result(day, executions or [])
    return None if found is None else (_get(found[0], "id") or None)


# ------------------------------------------------------------------ money


def _amount(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def money(value: Any) -> Decimal | None:
    """An amount as people read it: cents when it has no more (``22.700000`` -> ``22.70``),
    every decimal otherwise (``8.333333``). The value is unchanged."""
    if value is None:
        return None
    amount = _amount(value)
    cents = amount.quantize(Decimal("0.01"))
    return cents if cents == amount else amount.normalize()


def _lines_sum(lines: Any) -> Decimal | None:
    if not isinstance(lines, (list, tuple)):
        return None
    return sum((_amount(_get(line, "amount")) for line in lines), Decimal(0))


def order_facts(lines: Any, tip: Any, discount: Any, total: Any) -> dict[str, Any] | None:
    """How an order's lines, tip and discount miss its total, as the params of
    pos_pennylane.lines_total_mismatch (one call; the pack picks each param):
    ``difference`` is ``total - (lines + tip - discount)``, positive when the customer paid
    more than the lines. More paid than sold smells of an unrecorded tip (and ``tip_should_be``
    is the tip that makes the order add up); less, of a discount set up wrong."""
    base = _lines_sum(lines)
    if base is None:
        return None
    diff = _amount(total) - (base + _amount(tip) - _amount(discount))
    facts: dict[str, Any] = {"lines_sum": money(base), "difference": money(diff)}
    if diff:
        facts["likely_cause"] = "unrecorded_tip" if diff > 0 else "discount"
    if diff > 0:
        facts["tip_should_be"] = money(_amount(tip) + diff)
    return facts


def amount_difference(first: Any, second: Any) -> Decimal | None:
    if first is None or second is None:
        return None
    return money(_amount(first) - _amount(second))


def tolerance_too_high(tolerance: Any) -> bool | None:
    if tolerance is None or tolerance == "":
        return None
    return _amount(tolerance) > HIGH_TOLERANCE


def entry_difference(lines: Any) -> Decimal | None:
    if not isinstance(lines, (list, tuple)):
        return None
    return sum((_amount(_get(ln, "debit")) - _amount(_get(ln, "credit")) for ln in lines), Decimal(0))


def unmapped_methods(order: Any, methods: Any) -> str | None:
    """Payment methods of an order that have no account in the mapping."""
    if not isinstance(methods, Mapping):
        return None
    payments = _get(order, "payments")
    seen = [_get(p, "method") for p in payments] if isinstance(payments, list) else []
    seen.append(_get(order, "payment_method"))
    missing = sorted({str(m) for m in seen if m is not None and str(m) not in methods})
    return ", ".join(missing) or None


# ------------------------------------------------------------------ registry


def functions(classify: Classifier) -> dict[str, Callable[..., Any]]:
    """The checks, by the names the packs use. ``classify`` names the known problem of an
    execution's error message (it is the plugin's own classifier)."""

    def day_facts(day: Any, start_date: Any, open_days: Any, executions: Any) -> dict[str, Any]:
        """Why a business day was not imported, as the params of pos_pennylane.day_not_imported
        (one call; the pack picks each param): the reasons, the execution that handled the day
        and its error, classified."""
        reasons = day_reasons(day, start_date, open_days, executions)
        reason = reasons[0] if reasons else "undetermined"
        error = day_error(day, executions)
        facts: dict[str, Any] = {"reason": reason, "reasons": ", ".join(reasons) or None,
                                 "execution": day_execution(day, executions)}
        if reason == "before_start_date":
            facts["detail"] = f"start_date={_date(start_date)}"
        elif reason == "day_open":
            facts["detail"] = "closure=open"
        elif reason == "execution_error":
            facts["detail"] = f"error={error.message}" if error is not None else "error"
        else:
            facts["detail"] = "unknown"
        if error is not None:
            facts.update(error=error.message, error_code=error.code, error_http_status=error.http_status,
                         error_problem=classify(error.message, error.code, error.http_status))
        return facts

    def latest_problem(executions: Any) -> str | None:
        error = latest_error(executions)
        if error is None:
            return None
        return classify(error.message, error.code, error.http_status)

    def latest_field(executions: Any, name: str) -> Any:
        error = latest_error(executions)
        return None if error is None else getattr(error, name, None)

    return {
        "pos_pennylane.money": money,
        "pos_pennylane.failed_conditions": failed_conditions,
        "pos_pennylane.latest_rejected": latest_rejected,
        "pos_pennylane.rejection_field": rejection_field,
        "pos_pennylane.latest_failed": latest_failed,
        "pos_pennylane.latest_execution": latest_execution,
        "pos_pennylane.latest_failed_days": latest_failed_days,
        "pos_pennylane.latest_error": latest_field,
        "pos_pennylane.latest_error_problem": latest_problem,
        "pos_pennylane.day_facts": day_facts,
        "pos_pennylane.order_facts": order_facts,
        "pos_pennylane.amount_difference": amount_difference,
        "pos_pennylane.tolerance_too_high": tolerance_too_high,
        "pos_pennylane.entry_difference": entry_difference,
        "pos_pennylane.unmapped_methods": unmapped_methods,
    }

