"""Events the ledger tests send: real rejections the bundled QuickBooks pack recognises."""

from __future__ import annotations

from typing import Any

DUPLICATE = ("Duplicate Document Number Error : You must specify a different number. This number has "
             "already been used. DocNumber=1781 is assigned to TxnType=Invoice with TxnId=3188")
STALE = ("Stale Object Error: Stale Object Error : You and Bob Smith were working on this at the same time. "
         "Bob Smith finished before you did, so your work was not saved.")
EXPIRED = "message=AuthenticationFailed; errorCode=003200; statusCode=401: Token expired: AB11..."


def rejected(entity: str = "i1", message: str = DUPLICATE, client: str = "firm-42", **report: Any) -> dict[str, Any]:
    return {"client": client, "vendor": "quickbooks", "entity_id": entity, "outcome": "rejected",
            "report": {"message": message, **report}}


def accepted(entity: str = "i1", client: str = "firm-42") -> dict[str, Any]:
    return {"client": client, "vendor": "quickbooks", "entity_id": entity, "outcome": "accepted"}
