"""Actions through the console's forms (httpx, real server): each lands in the issue's history,
a status that does not allow an action answers 409 with the reason, a note needs its text."""

from __future__ import annotations

import httpx

from .conftest import Console, csrf_of, signed_in


def _detail(served: Console, issue_id: str) -> dict:  # type: ignore[type-arg]
    headers = {"Authorization": f"Bearer {served.keys[('acme', 'read')]}"}
    return httpx.get(served.url + f"/v1/issues/{issue_id}", headers=headers, timeout=60).json()  # type: ignore[no-any-return]


def test_note_step_done_mute_and_a_refused_action(served: Console) -> None:
    issue = served.issue_of("acme", "inv-9")  # ends open again: the browser test expects it escalated and open
    path = f"/issues/{issue['id']}"
    with signed_in(served, "acme", "write") as c:
        page = c.get(path)
        # the plan's steps can be marked done; only the actions the status allows are offered
        assert "confirm?action=fix_entity" in page.text and "confirm?action=resolve" in page.text
        assert "confirm?action=unmute" not in page.text and "confirm?action=reopen" not in page.text
        token = csrf_of(c.get(path + "/confirm", params={"action": "note"}))

        empty = c.post(path + "/actions", data={"csrf": token, "action": "note", "note": "  "})
        assert empty.status_code == 422 and "A note needs its text." in empty.text

        for action, note in (("note", "called the firm <b>twice</b>"), ("fix_entity", ""), ("mute", "")):
            r = c.post(path + "/actions", data={"csrf": token, "action": action, "note": note})
            assert r.status_code == 303 and r.headers["location"].endswith(f"{path}?done={action}"), r.text
        after = c.get(path)
        assert "called the firm &lt;b&gt;twice&lt;/b&gt;" in after.text  # escaped, never markup
        assert "confirm?action=unmute" in after.text and "confirm?action=mute" not in after.text

        refused = c.post(path + "/actions", data={"csrf": token, "action": "mute"})
        assert refused.status_code == 409 and "only an open issue can be muted" in refused.text

        unknown = c.post(path + "/actions", data={"csrf": token, "action": "explode"})
        assert unknown.status_code == 400

        back = c.post(path + "/actions", data={"csrf": token, "action": "unmute"})
        assert back.status_code == 303

    detail = _detail(served, issue["id"])
    assert detail["status"] == "open"
    assert [a["action"] for a in detail["actions"]] == ["note", "fix_entity", "mute", "unmute"]
    assert detail["steps_done"] == ["fix_entity"]
    assert all(a["actor"].startswith("console:key:") for a in detail["actions"])
    assert detail["actions"][0]["note"] == "called the firm <b>twice</b>"


def test_the_confirmation_page_says_what_will_happen(served: Console) -> None:
    issue = served.issue_of("acme", "inv-9")
    with signed_in(served, "acme", "write") as c:
        page = c.get(f"/issues/{issue['id']}/confirm", params={"action": "skip"})
        assert page.status_code == 200
        assert "Stop retrying this record" in page.text and 'name="action" value="skip"' in page.text
        c.cookies.set("sd_lang", "fr", domain="127.0.0.1", path="/console")
        page = c.get(f"/issues/{issue['id']}/confirm", params={"action": "skip"})
        assert "Ne plus réessayer cet enregistrement" in page.text and "Confirmer" in page.text
