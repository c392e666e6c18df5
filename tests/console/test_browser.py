"""The console in a real browser: Debian's Chromium driven by Playwright against `syncdoctor serve`.

One support person's session: sign in (keyboard only), filter, open an issue, resolve it, see it
move, paste an error, search the catalog, switch to French, sign out. Every request the browser
makes must stay on 127.0.0.1 (no CDN, no font, no telemetry). The main pages are shot at 360 and
1,440 px; with SYNCDOCTOR_UPDATE_SCREENSHOTS=1 the shots replace docs/console/, so the docs show
what the code does (otherwise they go to a temporary folder and the tree stays clean).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from .conftest import SHOTS, Console

WIDTHS = (360, 1440)


@pytest.fixture()
def page(browser: Any, served: Console) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB",
                                  timezone_id="Europe/Paris")
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))

    # anything not for the console's own server is refused before it leaves the browser
    def guard(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    context.route("**/*", guard)
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    yield tab
    context.close()
    hosts = {urlsplit(url).hostname for url in requests if not url.startswith(("data:", "about:"))}
    assert hosts <= {"127.0.0.1"}, f"requests left loopback: {sorted(hosts)}"
    assert requests, "the browser made no request at all"


UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
    .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim())
    .map(el => el.outerHTML)"""


def shoot(tab: Any, name: str) -> None:
    """The current page at each width, full length, into SHOTS/<name>-<width>.png; and
    every control of the page has a label (or, for a button, its text)."""
    assert tab.evaluate(UNLABELLED) == [], f"{name}: controls without a label"
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        tab.set_viewport_size({"width": width, "height": 900})
        # readable at this width: nothing wider than the window (no sideways scrolling)
        overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        tab.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    tab.set_viewport_size({"width": 1440, "height": 900})


def sign_in(tab: Any, served: Console, tenant: str, role: str) -> None:
    tab.goto(served.console + "/issues")
    assert "/console/sign-in" in tab.url
    # keyboard only: the key field has the focus (autofocus), Enter sends the form
    tab.wait_for_load_state("load")
    tab.wait_for_function("document.activeElement && document.activeElement.id === 'key'", timeout=5_000)
    tab.keyboard.type(served.keys[(tenant, role)])
    assert tab.get_by_label("API key", exact=True).input_value() == served.keys[(tenant, role)]
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/console/issues")


def test_support_session_end_to_end(page: Any, served: Console) -> None:
    tab = page
    tab.goto(served.console + "/sign-in")
    assert tab.get_by_label("API key", exact=True).is_visible()
    shoot(tab, "sign-in")
    sign_in(tab, served, "acme", "write")
    heading = tab.get_by_role("heading", level=1)
    assert heading.inner_text() == "Issues"

    # escalated on top: inv-9 failed three times
    escalated = tab.locator(".escalated-box")
    assert "inv-9" in escalated.inner_text() and "escalated" in escalated.inner_text()
    # counts by problem and by client
    counts = tab.locator("aside.counts").inner_text()
    # by problem: the title in the reader's words, the id behind it
    assert "Document number already used in QuickBooks" in counts and "firm-42" in counts and "firm-7" in counts
    assert tab.locator('aside.counts a[title="quickbooks.duplicate_document_number"]').count() == 1
    assert "secret-inv" not in tab.content() and "globex" not in tab.content()
    shoot(tab, "issues")

    # filter by client, then by text
    tab.get_by_label("Client", exact=True).fill("firm-42")
    tab.get_by_role("button", name="Apply").click()
    tab.wait_for_url("**client=firm-42**")
    results = tab.locator(".issue-list").inner_text()
    assert "inv-1042" in results and "tx-88" in results and "folder-7" not in results
    tab.get_by_label("Text", exact=True).fill("inv-1042")
    tab.get_by_label("Text", exact=True).press("Enter")
    tab.wait_for_url("**text=inv-1042**")
    cards = tab.locator(".issue-list > li")
    assert cards.count() == 1

    # open it: the vendor's message, the diagnosis, the plan step by step, occurrences, history
    cards.first.get_by_role("link").click()
    tab.wait_for_url("**/console/issues/iss_*")
    issue_url = tab.url
    body = tab.locator("main").inner_text()
    for expected in ("What the vendor said", "DocNumber=1042", "Likely causes", "What to do", "Where", "Who",
                     "Other ways to fix it", "Occurrences", "History", "Nothing has been done"):
        assert expected in body, expected
    shoot(tab, "issue")

    # resolve it, with the confirmation page, by keyboard
    tab.get_by_role("link", name="Resolve").click()
    tab.wait_for_url("**/confirm?action=resolve")
    assert tab.get_by_role("heading", level=1).inner_text() == "Confirm: Resolve"
    tab.get_by_label("Note (optional)", exact=True).fill("renumbered in TaxDome, resynced")
    tab.get_by_role("button", name="Confirm").focus()
    tab.keyboard.press("Enter")
    tab.wait_for_url("**done=resolve")
    assert "Done: Resolve." in tab.locator("[role=status]").inner_text()
    assert tab.locator(".badges .status-resolved").is_visible()
    history = tab.locator("ol.history").inner_text()
    assert "renumbered in TaxDome, resynced" in history and "open → resolved" in history

    # it moved: gone from the open issues, listed with the resolved ones
    tab.goto(served.console + "/issues?client=firm-42")
    assert "inv-1042" not in tab.locator("main").inner_text()
    tab.get_by_label("Status", exact=True).select_option("resolved")
    tab.get_by_role("button", name="Apply").click()
    tab.wait_for_url("**status=resolved**")
    assert "inv-1042" in tab.locator(".issue-list").inner_text()

    # paste an error: explained, nothing recorded
    tab.get_by_role("link", name="Paste an error").click()
    tab.get_by_label("Error text or JSON", exact=True).fill(
        '{"Fault": {"Error": [{"Message": "Duplicate Document Number Error", "Detail": "DocNumber=77 is assigned '
        'to TxnType=Invoice", "code": "6140"}], "type": "ValidationFault"}}')
    tab.get_by_label("Vendor (if the text does not say)", exact=True).select_option("quickbooks")
    tab.get_by_role("button", name="Explain").click()
    result = tab.locator(".paste-result").inner_text()
    assert "quickbooks.duplicate_document_number" in result and "What to do" in result
    shoot(tab, "paste")

    # the catalog, searched
    tab.get_by_role("link", name="Catalog").click()
    tab.get_by_label("Search", exact=True).fill("duplicate")
    tab.get_by_role("button", name="Search").click()
    tab.wait_for_url("**q=duplicate**")
    assert tab.locator("details.problem").count() >= 1
    tab.locator("details.problem summary").first.click()
    assert "Likely causes" in tab.locator("details.problem").first.inner_text()
    shoot(tab, "catalog")

    # French: the switch, kept in a cookie, for every page
    tab.goto(issue_url)
    tab.get_by_role("link", name="Français").click()
    tab.wait_for_url(issue_url)
    assert tab.locator("html").get_attribute("lang") == "fr"
    body = tab.locator("main").inner_text()
    for expected in ("Ce que l'éditeur a répondu", "Causes probables", "Que faire", "Historique", "résolu"):
        assert expected in body, expected
    tab.goto(served.console + "/issues?status=any")
    assert tab.get_by_role("heading", level=1).inner_text() == "Incidents"
    shoot(tab, "issues-fr")

    # sign out: back to the sign-in page, and the pages need a session again
    tab.get_by_role("button", name="Se déconnecter").click()
    tab.wait_for_url("**/console/sign-in**")
    assert "Vous êtes déconnecté." in tab.locator("main").inner_text()
    tab.goto(served.console + "/issues")
    assert "/console/sign-in" in tab.url
    assert not [c for c in tab.context.cookies() if c["name"] == "sd_session"]


def test_a_read_key_sees_no_action_buttons(page: Any, served: Console) -> None:
    sign_in(page, served, "acme", "read")
    issue = served.issue_of("acme", "tx-88")
    page.goto(served.console + f"/issues/{issue['id']}")
    assert page.get_by_role("link", name="Resolve").count() == 0
    assert "can read only" in page.locator("main").inner_text()


def test_another_tenants_issue_is_a_not_found_page(page: Any, served: Console) -> None:
    sign_in(page, served, "acme", "write")
    theirs = served.issue_of("globex", "secret-inv")
    response = page.goto(served.console + f"/issues/{theirs['id']}")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Not found"
    assert "secret-inv" not in page.content()


def test_the_browser_language_is_the_default(browser: Any, served: Console) -> None:
    context = browser.new_context(locale="fr-FR", extra_http_headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    try:
        tab = context.new_page()
        tab.goto(served.console + "/sign-in")
        assert tab.get_by_role("heading", level=1).inner_text() == "Se connecter"
        assert tab.get_by_label("Clé d'API", exact=True).is_visible()
    finally:
        context.close()
