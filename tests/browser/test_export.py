"""A lawyer exports the timeline from the case page and receives the PDF."""

import io

import pytest
from pypdf import PdfReader

from tests import factories
from tests.browser.conftest import PASSWORD, axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _exports_in_a_temporary_folder(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"


@pytest.fixture
def page(browser, live_server):
    # accept_downloads for the PDF; bypass_csp only so axe-core can be injected.
    context = browser.new_context(base_url=live_server.url, accept_downloads=True, bypass_csp=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state("networkidle")
    if "/accounts/2fa/authenticate/" in page.url:  # lawyers: the authenticator code step
        from tests.security.totp import fresh_code

        page.get_by_label("Code").fill(fresh_code(username))
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_load_state("networkidle")


def test_lawyer_exports_the_timeline_from_the_case_page_and_receives_a_pdf(page):
    factories.user("lawyer", username="lara")
    who = factories.person("Mukhtar Ablyazov", variants=["Мухтар Аблязов"])
    case = factories.case("Ablyazov extradition from France", who=who, host="FR")
    arrest = factories.event(case, title="Arrested near Cannes")
    factories.cite(arrest, factories.source("Le Monde report", publisher="Le Monde"), quote="arrêté")

    log_in(page, "lara")
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="Export timeline").click()
    page.get_by_role("heading", name="Export the timeline of Mukhtar Ablyazov").wait_for()
    assert axe_violations(page) == []
    page.get_by_label("Leave them out").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Export", exact=True).click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    content = open(download.path(), "rb").read()
    assert content.startswith(b"%PDF")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())
    assert "Mukhtar Ablyazov" in text and "Мухтар Аблязов" in text
    assert "Arrested near Cannes" in text and "Le Monde report" in text
    assert "Contested claims are left out." in text
