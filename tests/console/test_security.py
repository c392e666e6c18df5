"""The console's guards over HTTP (httpx against a real `syncdoctor serve`): no session, a wrong
CSRF token, a read key, another tenant's issue, the cookie's flags and contents, the headers."""

from __future__ import annotations

import base64
import json
import subprocess
import time

import httpx

from .conftest import Console, create_key, csrf_of, signed_in, syncdoctor_command


def test_pages_without_a_session_go_to_sign_in(served: Console) -> None:
    for path in ("/issues", "/paste", "/catalog", f"/issues/{served.issue_of('acme', 'inv-1042')['id']}"):
        r = httpx.get(served.console + path)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/console/sign-in?next=%2Fconsole%2F"), r.headers["location"]


def test_the_console_root_leads_to_the_issues(served: Console) -> None:
    with signed_in(served, "acme", "read") as c:
        for path in (served.url + "/console", served.url + "/console/"):
            r = c.get(path, follow_redirects=True)
            assert r.status_code == 200 and str(r.url).endswith("/console/issues"), (path, r.url)


def test_posts_without_a_session_are_refused(served: Console) -> None:
    issue = served.issue_of("acme", "folder-7")  # no test acts on it (the browser test resolves inv-1042)
    with signed_in(served, "acme", "write") as c:
        token = csrf_of(c.get(f"/issues/{issue['id']}/confirm", params={"action": "note"}))
    for path, data in ((f"/issues/{issue['id']}/actions", {"action": "note", "note": "x"}),
                       ("/paste", {"text": "hello"}), ("/sign-out", {})):
        r = httpx.post(served.console + path, data={"csrf": token, **data})
        assert r.status_code == 403, (path, r.text)
    # a forged cookie is no session either
    forged = httpx.post(served.console + f"/issues/{issue['id']}/actions", data={"csrf": token, "action": "note",
                        "note": "x"}, cookies={"sd_session": "eyJrIjoieCJ9.AAAA"})
    assert forged.status_code == 403
    assert httpx.get(served.url + f"/v1/issues/{issue['id']}", headers={
        "Authorization": f"Bearer {served.keys[('acme', 'read')]}"}).json()["actions"] == []


def test_a_wrong_or_missing_csrf_token_is_refused(served: Console) -> None:
    issue = served.issue_of("acme", "folder-7")
    with signed_in(served, "acme", "write") as c:
        good = csrf_of(c.get(f"/issues/{issue['id']}/confirm", params={"action": "mute"}))
        for token in ("", "nope", good[:-2] + "AA"):
            r = c.post(f"/issues/{issue['id']}/actions", data={"csrf": token, "action": "mute"})
            assert r.status_code == 403, token
            assert "not sent by this console page" in r.text
        # another session's token does not fit this session
        with signed_in(served, "acme", "write") as other:
            theirs = csrf_of(other.get("/paste"))
        assert c.post(f"/issues/{issue['id']}/actions", data={"csrf": theirs, "action": "mute"}).status_code == 403
        assert c.post("/sign-out", data={"csrf": "nope"}).status_code == 403
    status = httpx.get(served.url + f"/v1/issues/{issue['id']}", headers={
        "Authorization": f"Bearer {served.keys[('acme', 'read')]}"}).json()["status"]
    assert status == "open"
    # the sign-in form has its own token, bound to a pre-session cookie
    r = httpx.post(served.console + "/sign-in", data={"csrf": "nope", "key": served.keys[("acme", "write")]})
    assert r.status_code == 403 and "sd_session" not in r.headers.get("set-cookie", "")


def test_a_read_key_sees_but_cannot_act(served: Console) -> None:
    issue = served.issue_of("acme", "tx-88")
    with signed_in(served, "acme", "read") as c:
        page = c.get(f"/issues/{issue['id']}")
        assert page.status_code == 200
        assert "/confirm?action=" not in page.text and "can read only" in page.text
        token = csrf_of(page)
        r = c.post(f"/issues/{issue['id']}/actions", data={"csrf": token, "action": "resolve"})
        assert r.status_code == 403 and "write role" in r.text
    detail = httpx.get(served.url + f"/v1/issues/{issue['id']}", headers={
        "Authorization": f"Bearer {served.keys[('acme', 'read')]}"}).json()
    assert detail["status"] == "open" and detail["actions"] == []


def test_another_tenants_issue_is_not_found(served: Console) -> None:
    theirs = served.issue_of("globex", "secret-inv")
    with signed_in(served, "acme", "write") as c:
        for path in (f"/issues/{theirs['id']}", f"/issues/{theirs['id']}/confirm?action=resolve"):
            r = c.get(path)
            assert r.status_code == 404, path
            assert "secret-inv" not in r.text and "globex" not in r.text
        # the same page as for an issue that does not exist: nothing confirms it exists
        missing = c.get("/issues/iss_doesnotexist")
        assert missing.status_code == 404
        theirs_page = c.get(f"/issues/{theirs['id']}").text
        assert missing.text.replace("iss_doesnotexist", "ID") == theirs_page.replace(theirs["id"], "ID")
        token = csrf_of(c.get("/paste"))
        act = c.post(f"/issues/{theirs['id']}/actions", data={"csrf": token, "action": "resolve"})
        assert act.status_code == 404
        listing = c.get("/issues", params={"status": "any", "client": "globex-firm"})
        assert "secret-inv" not in listing.text
    detail = httpx.get(served.url + f"/v1/issues/{theirs['id']}", headers={
        "Authorization": f"Bearer {served.keys[('globex', 'read')]}"}).json()
    assert detail["status"] == "open" and detail["actions"] == []


def test_the_session_cookie_names_the_key_and_never_holds_it(served: Console) -> None:
    key = served.keys[("acme", "write")]
    client = httpx.Client(base_url=served.console)
    token = csrf_of(client.get("/sign-in"))
    r = client.post("/sign-in", data={"csrf": token, "key": key, "next": "/console/catalog"})
    assert r.status_code == 303 and r.headers["location"] == "/console/catalog"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("sd_session="))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert "httponly" in flags and "samesite=strict" in flags and "path=/console" in flags
    value = cookie.split(";")[0].split("=", 1)[1]
    payload = json.loads(base64.urlsafe_b64decode(value.split(".")[0] + "=="))
    secret_part = key.split("_", 2)[2]
    assert secret_part not in value and secret_part not in json.dumps(payload)
    assert payload["t"] == "acme" and payload["r"] == "write" and payload["k"] == key.split("_")[1]
    # a tampered payload (another tenant, or a higher role) is no session
    forged = base64.urlsafe_b64encode(json.dumps({**payload, "t": "globex"}).encode()).decode().rstrip("=")
    client.cookies.set("sd_session", forged + "." + value.split(".")[1], domain="127.0.0.1", path="/console")
    assert client.get("/issues").status_code == 303
    client.close()
    # no page shows the key, and the sign-in page does not echo a wrong one
    with signed_in(served, "acme", "write") as c:
        for path in ("/issues", "/paste", "/catalog", f"/issues/{served.issue_of('acme', 'inv-1042')['id']}"):
            assert secret_part not in c.get(path).text
    bad = httpx.Client(base_url=served.console)
    token = csrf_of(bad.get("/sign-in"))
    wrong = bad.post("/sign-in", data={"csrf": token, "key": "sdk_abcdefghij_not-the-secret-at-all", "next": ""})
    assert wrong.status_code == 401 and "not-the-secret-at-all" not in wrong.text
    bad.close()
    assert secret_part not in served.logs()


def test_security_headers_and_no_external_references(served: Console) -> None:
    with signed_in(served, "acme", "write") as c:
        for path in ("/issues", "/paste", "/catalog", "/static/console.css"):
            r = c.get(path)
            assert r.status_code == 200
            csp = r.headers["content-security-policy"]
            assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
            assert r.headers["x-content-type-options"] == "nosniff"
            assert "http://" not in r.text and "https://" not in r.text, path
            assert "<script" not in r.text.lower(), path  # no JavaScript at all (CSP: script-src 'none')
        assert c.get("/issues").headers["cache-control"] == "no-store"


def test_a_revoked_key_ends_its_sessions(served: Console) -> None:
    key = create_key(served.db, "acme", "write")
    served.keys[("acme", "to-revoke")] = key
    with signed_in(served, "acme", "to-revoke") as c:
        assert c.get("/issues").status_code == 200
        out = subprocess.run(syncdoctor_command("keys", "revoke", key.split("_")[1], "--db", served.db),
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        deadline = time.monotonic() + 10  # the console trusts a checked key for auth_cache_seconds (5 s)
        while c.get("/issues").status_code == 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert c.get("/issues").status_code == 303


def test_signing_out_ends_that_session_everywhere_and_only_that_one(served: Console) -> None:
    """A copy of the cookie (another tab, a stolen one) stops working at sign-out: the sign-out
    is in the database, for every process; the key's other sessions go on."""
    from syncdoctor.ledger import Database, KeyStore

    with signed_in(served, "acme", "read") as other, signed_in(served, "acme", "read") as c:
        copied = c.cookies["sd_session"]
        nonce = json.loads(base64.urlsafe_b64decode(copied.split(".")[0] + "=="))["n"]
        assert httpx.get(served.console + "/issues", cookies={"sd_session": copied}).status_code == 200
        r = c.post("/sign-out", data={"csrf": csrf_of(c.get("/paste"))})
        assert r.status_code == 303 and r.headers["location"].startswith("/console/sign-in")
        again = httpx.get(served.console + "/issues", cookies={"sd_session": copied})
        assert again.status_code == 303 and again.headers["location"].startswith("/console/sign-in")
        assert other.get("/issues").status_code == 200, "the key's other session is not signed out"
    db = Database(served.db)
    try:
        assert KeyStore(db).session_ended(nonce) and not KeyStore(db).session_ended("another-nonce")
    finally:
        db.dispose()
