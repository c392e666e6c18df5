"""Named Python functions the ACD rule pack calls for what its conditions cannot say.

They run on whatever an entity holds, including fuzzed input: each one answers ``None``
("cannot tell") rather than raising when a value is not what it expects.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from syncdoctor import value_of

__all__ = ["FUNCTIONS", "account_length_differs", "auxiliary_fix", "balance_difference", "pad_account"]

# ACD's convention for third-party (auxiliary) codes: F for suppliers, C for customers.
AUXILIARY_LETTER = {"supplier": "F", "customer": "C"}

_GENERAL_ACCOUNT = re.compile(r"^[1-8][0-9]{2,}$")


def _plain(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", text).upper()


def auxiliary_fix(code: Any, party_type: Any, party_name: Any = "") -> str | None:
    """The auxiliary code ACD accepts for this party, or ``None`` when the party type is unknown.

    ``XAARO`` on a supplier entry becomes ``FAARO``: the first letter is the other software's
    prefix, so it is replaced. A code that is just the party's name (``AARO`` for AARO) gets
    the letter in front instead, so that the name is not cut.
    """
    letter = AUXILIARY_LETTER.get(party_type) if isinstance(party_type, str) else None
    if letter is None or not isinstance(code, str) or not code.strip():
        return None
    code = code.strip()
    if code[0] == letter:
        return code
    if isinstance(party_name, str) and party_name.strip() and _plain(code) == _plain(party_name):
        return letter + code
    return letter + code[1:]


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return Decimal(0) if value is None else None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


_field = value_of


def balance_difference(lines: Any) -> str | None:
    """Total debits minus total credits of an entry's lines, as a decimal string."""
    if not isinstance(lines, (list, tuple)):
        return None
    total = Decimal(0)
    for line in lines:
        debit, credit = _amount(_field(line, "debit")), _amount(_field(line, "credit"))
        if debit is None or credit is None:
            return None
        total += debit - credit
    return str(total)


def account_length_differs(account: Any, length: Any) -> bool | None:
    """Whether a general account number does not have the folder's number of digits."""
    if not isinstance(account, str) or isinstance(length, bool) or not isinstance(length, int):
        return None
    return len(account) != length


def pad_account(account: Any, length: Any) -> str | None:
    """``401`` -> ``40100000`` in an 8-digit folder: ACD pads general accounts with zeros.

    Only a well-formed number shorter than the folder's length can be padded; anything else
    needs a person.
    """
    if not isinstance(account, str) or isinstance(length, bool) or not isinstance(length, int):
        return None
    if not _GENERAL_ACCOUNT.match(account) or len(account) >= length:
        return None
    return account.ljust(length, "0")


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "acd.auxiliary_fix": auxiliary_fix,
    "acd.balance_difference": balance_difference,
    "acd.account_length_differs": account_length_differs,
    "acd.pad_account": pad_account,
}
