"""An admin opens the risk queue, reads why a case was flagged, dismisses the flag with a reason;
the flag reopens when a new fact raises the score."""

import datetime

import pytest

from cases import risk
from cases.models import Event
from core.editing import save_fact
from tests import factories
from tests.browser.conftest import PASSWORD, axe_violations
from tests.cases import risk_scenarios as scenarios

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, username):
    # conftest.log_in's button name also matches "Sign in with a passkey" since allauth: ask exactly.
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state("networkidle")
    if "/accounts/2fa/authenticate/" in page.url:  # admins: the authenticator code step
        from tests.security.totp import fresh_code

        page.get_by_label("Code").fill(fresh_code(username))
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_load_state("networkidle")


@pytest.fixture
def page(browser, live_server):
    # bypass_csp: axe-core is injected as an inline script, which Onward's CSP (rightly) refuses.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_admin_reads_why_dismisses_and_the_flag_reopens_when_the_risk_rises(page):
    admin = factories.user("admin", username="ada")
    case = scenarios.paraskevich()
    risk.evaluate_case(case.pk)

    log_in(page, "ada")
    page.goto("/risk/flags/")
    row = page.get_by_role("row", name="Paraskevich")
    assert "High" in row.inner_text() and "Open" in row.inner_text()
    row.get_by_role("link", name="Paraskevich").click()

    why = page.get_by_role("region", name="Why this case is flagged")
    assert "High risk with urgency 1" in why.inner_text()
    assert "Czech Republic → Ukraine → Kazakhstan" in why.locator(".onward-path").inner_text()
    assert "B3 Persecuting state steers the request" in why.inner_text()
    assert axe_violations(page) == []

    page.get_by_role("radio", name="Dismiss").check()
    page.get_by_role("button", name="Record decision").click()
    assert "Give a reason for dismissing the flag" in page.get_by_role("alert").inner_text()
    assert "Status: Open" in page.locator(".lead").inner_text()

    page.get_by_role("radio", name="Dismiss").check()
    page.get_by_role("textbox", name="Reason").fill("Czech courts refused on the same facts; watching")
    page.get_by_role("button", name="Record decision").click()
    assert "Decision recorded." in page.get_by_role("status").first.inner_text()
    assert "Status: Dismissed" in page.locator(".lead").inner_text()
    assert "Czech courts refused on the same facts" in page.get_by_role("region", name="Decisions").inner_text()

    # A researcher records a Kazakh warrant: B1 fires, the score rises from 60 to 80.
    save_fact(Event(case=case, kind="warrant", title="Kazakh arrest warrant", date=datetime.date(2012, 1, 1),
                    jurisdiction=factories.state("KZ")), factories.user("researcher"))
    page.reload()
    assert "Status: Open · reopened 1×" in page.locator(".lead").inner_text()
    decisions = page.get_by_role("region", name="Decisions").inner_text()
    assert "Reopened: the risk rose" in decisions and "rose from 60 to 80" in decisions
    assert admin.pk
