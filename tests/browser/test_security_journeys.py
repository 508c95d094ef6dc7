"""Security journeys in real Chromium: two-factor enrolment and sign-in, lockout after ten wrong
passwords, and an outsider who cannot reach a restricted case by URL, search or export."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import log_in
from tests.security import totp

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _clean_cache():
    from django.core.cache import cache

    cache.clear()


def test_admin_enrols_totp_signs_out_and_signs_in_with_a_code(page):
    factories.user("admin", username="nadia", second_factor=False)
    log_in(page, "nadia")
    page.goto("/cases/")
    # Two-factor is required for admins: Onward sends her to enrolment, which asks for the password again.
    if "/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(log_in.__defaults__[0])
        page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(totp.code(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Recovery codes", exact=False).first).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("nadia")
    page.get_by_label("Password").fill(log_in.__defaults__[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Incorrect code")).to_be_visible()
    page.get_by_label("Code").fill(totp.code(secret, 1))
    page.get_by_role("button", name="Sign in").click()
    page.goto("/cases/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "/accounts/" not in page.url


def test_ten_wrong_passwords_lock_the_account(page):
    factories.user("researcher", username="rosa")
    for _ in range(10):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("rosa")
        page.get_by_label("Password").fill("a wrong guess")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Account locked")).to_be_visible()
    expect(page.get_by_text("locked after too many failed sign-in attempts")).to_be_visible()
    # The right password no longer works either.
    log_in(page, "rosa")
    expect(page.get_by_role("heading", name="Account locked")).to_be_visible()


def test_an_outsider_cannot_reach_a_restricted_case_by_url_search_or_export(page):
    insider = factories.user("lawyer", username="insa")
    factories.user("lawyer", username="otto")  # a lawyer, on no team
    person = factories.person("Zhanna Restricted-Person", whereabouts_city="Secret City")
    case = factories.case("Zhanna's asylum file", who=person, restricted=True)
    case.team.add(insider)

    log_in(page, "otto")
    for url in (f"/cases/{case.pk}/", f"/cases/{case.pk}/export/", f"/cases/{case.pk}/export.pdf",
                f"/cases/{case.pk}/calendar.ics"):
        response = page.goto(url)
        assert response.status == 404, url
        assert "Zhanna" not in page.content() and "Secret City" not in page.content()
    page.goto("/cases/search/?q=Zhanna")
    html = page.content()
    assert "asylum file" not in html and "Restricted-Person" not in html and f"/cases/{case.pk}/" not in html
    page.goto("/cases/?q=Restricted")
    assert "asylum file" not in page.content()
    response = page.request.get("/ftm/entities.json")  # the bulk export, with the browser's session
    assert "Zhanna" not in response.text() and "Secret City" not in response.text()
