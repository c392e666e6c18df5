"""Recording events: deduplication, connection issues, resolution, regression, escalation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from syncdoctor import InputError
from syncdoctor.ledger.ledger import Ledger, LedgerConfig
from syncdoctor.ledger.schema import occurrences, webhook_outbox

from .helpers import DUPLICATE, EXPIRED, STALE, accepted, rejected


def test_a_rejection_opens_an_issue_with_its_diagnosis(ledger: Ledger) -> None:
    answer = ledger.record("t1", rejected())
    (issue,) = answer["issues"]
    assert answer["resolved"] == [] and answer["findings"] == []
    assert issue["status"] == "open"
    assert issue["problem"] == "quickbooks.duplicate_document_number"
    assert (issue["vendor"], issue["client"], issue["entity"]) == ("quickbooks", "firm-42", "i1")
    assert issue["params"] == {"doc_number": "1781", "txn_id": "3188", "txn_type": "Invoice"}
    assert issue["count"] == 1 and issue["regressed"] == 0 and issue["escalated"] is False
    assert issue["category"] and issue["severity"] == "error" and issue["title"]
    assert issue["diagnosis"]["remediation"]["steps"]
    assert issue["first_seen"] == issue["last_seen"]


def test_the_same_rejection_again_counts_on_the_same_issue(ledger: Ledger) -> None:
    first = ledger.record("t1", rejected())["issues"][0]
    second = ledger.record("t1", rejected())["issues"][0]
    assert second["id"] == first["id"] and second["count"] == 2
    assert len(ledger.issues("t1")["items"]) == 1


def test_other_entities_clients_problems_and_params_make_other_issues(ledger: Ledger) -> None:
    ids = {
        ledger.record("t1", rejected())["issues"][0]["id"],
        ledger.record("t1", rejected(entity="i2"))["issues"][0]["id"],
        ledger.record("t1", rejected(client="firm-43"))["issues"][0]["id"],
        ledger.record("t1", rejected(message=STALE))["issues"][0]["id"],
        ledger.record("t1", rejected(message=DUPLICATE.replace("1781", "1782")))["issues"][0]["id"],
    }
    assert len(ids) == 5


def test_attempt_details_do_not_split_an_issue(ledger: Ledger) -> None:
    a = ledger.record("t1", rejected(http_status=400))["issues"][0]
    b = ledger.record("t1", rejected(http_status=500))["issues"][0]
    assert a["id"] == b["id"]


TOO_LONG = ("String length is either shorter or longer than supported by specification: String length "
            "specified does not match the supported length. Min:0 Max:100 supported. Supplied length:{n}")


def test_a_pack_s_identity_decides_which_params_split_an_issue(ledger: Ledger) -> None:
    """quickbooks.string_too_long declares identity [element, max]: the length supplied is a
    fact of one attempt (the user shortens the value, it is still too long), not a new issue."""
    a = ledger.record("t1", rejected(message=TOO_LONG.format(n=110)))["issues"][0]
    b = ledger.record("t1", rejected(message=TOO_LONG.format(n=104)))["issues"][0]
    assert a["problem"] == "quickbooks.string_too_long"
    assert b["id"] == a["id"] and b["count"] == 2
    assert b["params"]["supplied"] == "104"  # the issue shows the latest attempt's facts


def test_without_identity_every_scalar_param_but_attempt_ones_splits(ledger: Ledger) -> None:
    """quickbooks.duplicate_document_number declares none: another number is another issue."""
    a = ledger.record("t1", rejected())["issues"][0]
    b = ledger.record("t1", rejected(message=DUPLICATE.replace("3188", "3189")))["issues"][0]
    assert b["id"] != a["id"]


def test_connection_problems_are_one_issue_for_every_entity(ledger: Ledger) -> None:
    a = ledger.record("t1", rejected(entity="i1", message=EXPIRED, http_status=401))["issues"][0]
    b = ledger.record("t1", rejected(entity="i2", message=EXPIRED, http_status=401))["issues"][0]
    assert a["id"] == b["id"] and b["entity"] == "connection" and b["count"] == 2


def test_an_accepted_sync_resolves_and_a_new_failure_reopens_as_a_regression(ledger: Ledger) -> None:
    issue = ledger.record("t1", rejected())["issues"][0]
    other = ledger.record("t1", rejected(entity="i2"))["issues"][0]
    answer = ledger.record("t1", accepted())
    assert answer == {"issues": [], "resolved": [issue["id"]], "findings": []}
    assert ledger.issue("t1", issue["id"])["status"] == "resolved"
    assert ledger.issue("t1", other["id"])["status"] == "open"
    again = ledger.record("t1", rejected())["issues"][0]
    assert (again["id"], again["status"], again["regressed"], again["count"]) == (issue["id"], "open", 1, 2)
    shown = ledger.issue("t1", issue["id"])
    assert [(a["action"], a["actor"]) for a in shown["actions"]] == [("resolve", "syncdoctor:accepted-event")]


def test_an_accepted_sync_also_resolves_the_connection_issue(ledger: Ledger) -> None:
    auth = ledger.record("t1", rejected(entity="i7", message=EXPIRED, http_status=401))["issues"][0]
    assert ledger.record("t1", accepted(entity="i9"))["resolved"] == [auth["id"]]


def test_an_accepted_sync_of_an_entity_without_issues_resolves_nothing(ledger: Ledger) -> None:
    assert ledger.record("t1", accepted("nothing-here"))["resolved"] == []


def test_muted_issues_are_still_counted_and_stay_muted(ledger: Ledger) -> None:
    issue = ledger.record("t1", rejected())["issues"][0]
    ledger.act("t1", issue["id"], "mute", actor="k1")
    again = ledger.record("t1", rejected())["issues"][0]
    assert (again["status"], again["count"]) == ("muted", 2)


def test_the_third_failure_of_an_entity_escalates_once(ledger: Ledger) -> None:
    ledger.record("t1", rejected())
    second = ledger.record("t1", rejected(message=STALE))  # another problem, the same entity
    assert second["findings"] == [] and not second["issues"][0]["escalated"]
    third = ledger.record("t1", rejected())
    (finding,) = third["findings"]
    assert finding["problem"] == "core.repeated_failure" and finding["params"]["failures"] == 3
    assert finding["entity"] == "i1" and "3" in finding["message"]
    assert third["issues"][0]["escalated"] is True
    fourth = ledger.record("t1", rejected())
    assert fourth["findings"][0]["params"]["failures"] == 4


def test_an_accepted_sync_restarts_the_failure_streak(ledger: Ledger) -> None:
    ledger.record("t1", rejected())
    ledger.record("t1", rejected())
    ledger.record("t1", accepted())
    assert ledger.record("t1", rejected())["findings"] == []
    assert ledger.record("t1", rejected())["findings"] == []
    assert ledger.record("t1", rejected())["findings"][0]["params"]["failures"] == 3


def _escalations(ledger: Ledger) -> int:
    with ledger.db.connect() as conn:
        return sum(1 for r in conn.execute(webhook_outbox.select()) if r.event_type == "issue.escalated")


def test_an_accepted_sync_clears_the_escalation_and_a_new_streak_escalates_again(ledger: Ledger) -> None:
    ledger.subscribe("t1", "http://127.0.0.1:9/hook", events=["issue.escalated"])
    for _ in range(3):
        issue = ledger.record("t1", rejected())["issues"][0]
    assert issue["escalated"] is True and _escalations(ledger) == 1
    assert ledger.record("t1", accepted())["resolved"] == [issue["id"]]
    resolved = ledger.issue("t1", issue["id"])
    assert (resolved["status"], resolved["escalated"]) == ("resolved", False)
    assert ledger.issues("t1", escalated=True)["items"] == []
    back = ledger.record("t1", rejected())["issues"][0]  # one failure after an acceptance: no streak
    assert (back["status"], back["regressed"], back["escalated"]) == ("open", 1, False)
    assert ledger.issues("t1", escalated=True)["items"] == []
    assert [i["id"] for i in ledger.issues("t1", escalated=False)["items"]] == [issue["id"]]
    ledger.record("t1", rejected())
    third = ledger.record("t1", rejected())  # the new streak's third failure: escalated and announced again
    assert third["issues"][0]["escalated"] is True and third["findings"][0]["params"]["failures"] == 3
    assert _escalations(ledger) == 2
    assert [i["id"] for i in ledger.issues("t1", escalated=True)["items"]] == [issue["id"]]


def test_a_manual_resolve_keeps_the_escalation_until_the_record_syncs(ledger: Ledger) -> None:
    """A person's resolve does not end the entity's streak (only an accepted sync proves the
    record went through): the flag stays, the next failure reopens the issue still escalated,
    and it is not announced twice. The accepted sync then clears it, even on a resolved issue."""
    ledger.subscribe("t1", "http://127.0.0.1:9/hook", events=["issue.escalated"])
    for _ in range(3):
        issue = ledger.record("t1", rejected())["issues"][0]
    assert ledger.act("t1", issue["id"], "resolve", actor="k1")["escalated"] is True
    again = ledger.record("t1", rejected())
    assert again["issues"][0]["escalated"] is True and again["findings"][0]["params"]["failures"] == 4
    assert _escalations(ledger) == 1
    ledger.act("t1", issue["id"], "resolve", actor="k1")
    ledger.record("t1", accepted())  # nothing live to resolve; the streak ends, and the flag with it
    assert ledger.issue("t1", issue["id"])["escalated"] is False
    assert ledger.issues("t1", escalated=True)["items"] == []


def test_escalation_counts_across_ledger_instances(ledger: Ledger) -> None:
    # two processes: each has its own Ledger over the same database
    other = Ledger(ledger.db, ledger.host)
    ledger.record("t1", rejected())
    other.record("t1", rejected())
    assert ledger.record("t1", rejected())["findings"]


def test_the_finding_speaks_french_when_asked(ledger: Ledger) -> None:
    for _ in range(2):
        ledger.record("t1", rejected())
    answer = ledger.record("t1", rejected(), lang="fr")
    assert answer["findings"][0]["message"].startswith("Échec de synchronisation n° 3")


def test_the_event_time_is_kept_and_first_last_seen_follow_it(ledger: Ledger) -> None:
    late = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    ledger.record("t1", {**rejected(), "at": "2026-12-02T11:00:00+01:00"})
    issue = ledger.record("t1", {**rejected(), "at": (late + timedelta(hours=1)).isoformat()})["issues"][0]
    assert issue["first_seen"] == "2026-12-02T10:00:00Z" and issue["last_seen"] == "2026-12-02T11:00:00Z"
    early = ledger.record("t1", {**rejected(), "at": "2026-12-01T09:00:00Z"})["issues"][0]
    assert early["first_seen"] == "2026-12-01T09:00:00Z" and early["last_seen"] == "2026-12-02T11:00:00Z"


@pytest.mark.parametrize(
    ("event", "field", "words"),
    [
        ({"vendor": "quickbooks", "outcome": "accepted", "entity_id": "i1"}, "client", "Field required"),
        ({**accepted(), "outcome": "failed"}, "outcome", "'rejected' or 'accepted'"),
        ({**accepted(), "outcome": "rejected"}, None, "needs its report"),
        ({**accepted(), "report": {"message": "x"}}, None, "has no report"),
        ({"client": "c", "vendor": "quickbooks", "outcome": "accepted"}, None, "names its entity"),
        ({**rejected(), "at": "2026-12-02T10:00:00"}, "at", "needs its zone"),
        ({**rejected(), "entity_id": None, "entity": {"kind": "invoice"}}, None, "entity.id"),
        ({**rejected(), "colour": "red"}, "colour", "Extra inputs"),
        ({**rejected(), "report": {"message": "x", "http_status": 42}}, "report.http_status", "greater than"),
    ],
)
def test_invalid_events_name_the_record_and_the_field(ledger: Ledger, event: dict, field: str | None,
                                                      words: str) -> None:
    with pytest.raises(InputError) as caught:
        ledger.record("t1", event, index=7)
    assert caught.value.record == 7 and caught.value.field == field and words in caught.value.reason


def test_a_batch_records_every_valid_event_and_reports_the_bad_ones(ledger: Ledger) -> None:
    answers = list(ledger.record_many("t1", [rejected(), {"client": "x"}, rejected(entity="i2"), "not an object"]))
    assert [type(a).__name__ for a in answers] == ["dict", "InputError", "dict", "InputError"]
    assert answers[1].record == 1 and answers[3].record == 3
    assert len(ledger.issues("t1")["items"]) == 2


def test_an_entity_object_names_the_entity_by_its_id(ledger: Ledger) -> None:
    event = {**rejected(), "entity_id": None, "entity": {"kind": "invoice", "id": "i1", "doc_number": "1781"}}
    by_object = ledger.record("t1", event)["issues"][0]
    assert by_object["id"] == ledger.record("t1", rejected())["issues"][0]["id"]


def test_unknown_errors_are_recorded_too(ledger: Ledger) -> None:
    issue = ledger.record("t1", rejected(message="Something nobody has seen before"))["issues"][0]
    assert issue["problem"] == "unknown" and issue["status"] == "open"


def test_each_occurrence_keeps_time_request_id_and_report(ledger: Ledger) -> None:
    ledger.record("t1", rejected(http_status=400), request_id="req-1")
    issue = ledger.record("t1", rejected(http_status=400), request_id="req-2")["issues"][0]
    shown = ledger.issue("t1", issue["id"])
    assert [o["request_id"] for o in shown["occurrences"]] == ["req-2", "req-1"]
    assert shown["occurrences"][0]["report"]["message"] == DUPLICATE
    assert shown["plan"]["steps"] and shown["steps_done"] == []


def test_retention_prunes_old_occurrences_and_keeps_issues(ledger: Ledger) -> None:
    issue = ledger.record("t1", rejected())["issues"][0]
    ledger.record("t2", rejected())
    assert ledger.prune(older_than=timedelta(days=1)) == 0
    assert ledger.prune(now=datetime.now(UTC) + timedelta(days=91)) == 2
    with ledger.db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(occurrences)).scalar() == 0
    assert ledger.issue("t1", issue["id"])["count"] == 1


def test_the_raw_report_is_capped(db, host) -> None:  # type: ignore[no-untyped-def]
    ledger = Ledger(db, host, LedgerConfig(report_bytes=2000))
    issue = ledger.record("t1", rejected(payload={"blob": "x" * 50_000}))["issues"][0]
    (occurrence,) = ledger.issue("t1", issue["id"])["occurrences"]
    assert occurrence["truncated"] is True
    assert len(str(occurrence["report"])) < 2500 and occurrence["report"]["payload_head"].startswith('{"blob": "xxx')


def test_a_batch_is_recorded_in_order_in_one_go(ledger: Ledger) -> None:
    batch = [rejected(), rejected(entity="i2"), rejected(), accepted(), rejected(), {"client": "x"}, rejected()]
    answers = ledger.record_batch("t1", batch, first=10)
    assert [a["issues"][0]["count"] for a in answers[:3]] == [1, 1, 2]
    assert answers[3]["resolved"] == [answers[0]["issues"][0]["id"]]
    assert answers[4]["issues"][0]["regressed"] == 1 and answers[4]["findings"] == []  # the streak restarted
    assert isinstance(answers[5], InputError) and answers[5].record == 15
    assert answers[6]["issues"][0]["count"] == 4


def test_record_many_answers_every_event_across_chunks(ledger: Ledger) -> None:
    answers = list(ledger.record_many("t1", [rejected(entity=f"e{n % 4}") for n in range(10)], chunk=3))
    assert [a["issues"][0]["count"] for a in answers] == [1, 1, 1, 1, 2, 2, 2, 2, 3, 3]
    assert [bool(a["findings"]) for a in answers] == [False] * 8 + [True, True]


def test_connection_steps_keep_their_order_inside_a_batch(ledger: Ledger) -> None:
    auth = rejected(entity="i1", message=EXPIRED, http_status=401)
    answers = ledger.record_batch("t1", [auth, accepted("i2"), rejected(entity="i3", message=EXPIRED,
                                                                         http_status=401), rejected("i4")])
    issue_id = answers[0]["issues"][0]["id"]
    assert answers[0]["issues"][0]["entity"] == "connection"
    assert answers[1]["resolved"] == [issue_id]  # the acceptance came after the first failure
    assert answers[2]["issues"][0]["regressed"] == 1 and answers[2]["issues"][0]["status"] == "open"
    assert answers[3]["issues"][0]["entity"] == "i4"
    assert ledger.issue("t1", issue_id)["count"] == 2


def test_the_service_prunes_on_a_schedule(ledger: Ledger) -> None:
    import time

    from syncdoctor.ledger import Pruner

    class Short(Ledger):
        def prune(self, **kw):  # type: ignore[no-untyped-def]
            return super().prune(older_than=timedelta(0))

    ledger.record("t1", rejected())
    pruner = Pruner(Short(ledger.db, ledger.host), interval=0.05)
    pruner.start()
    deadline = time.monotonic() + 10
    while pruner.runs == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    pruner.stop()
    assert pruner.runs >= 1
    with ledger.db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(occurrences)).scalar() == 0
