"""A researcher's journey in Chromium: a court ruling uploaded to its source, page 2 cited from the
decision and shown on the case timeline; a spreadsheet imported through the preview."""

import re

import pytest
from playwright.sync_api import expect

from cases.imports.models import ImportRun
from people.models import NameVariant, Person
from tests import factories
from tests.browser.conftest import PASSWORD
from tests.sources.pdfs import make_pdf


def log_in(page, username):
    # exact=True: the log-in page also has "Sign in with a passkey"
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state("networkidle")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_upload_a_ruling_cite_page_two_and_see_it_on_the_timeline(page, tmp_path, transactional_db):
    factories.user("researcher", username="rita")
    the_case = factories.case("Ablyazov extradition")
    decision = factories.decision(the_case, body_name="Aix-en-Provence Court of Appeal")
    source = factories.source("Aix appeal court ruling", kind="court_document")
    ruling = tmp_path / "court-ruling.pdf"
    ruling.write_bytes(make_pdf(["Cour d'appel, page one.", "Page two: the request pursues a political aim."]))

    log_in(page, "rita")
    page.goto(f"/sources/{source.pk}/documents/")
    page.get_by_label("File", exact=True).set_input_files(str(ruling))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("court-ruling.pdf")
    expect(page.get_by_text("2 pages", exact=False)).to_be_visible()

    page.get_by_role("link", name="Cite a page from a fact").click()
    page.get_by_label("Case", exact=True).select_option(label="Ablyazov extradition")
    page.get_by_role("button", name="Show its facts").click()
    page.get_by_label("Fact that cites the file").select_option(f"decision-{decision.pk}")
    page.get_by_label("Page", exact=True).fill("2")
    page.get_by_role("button", name="Cite").click()

    expect(page).to_have_url(re.compile(rf"/cases/{the_case.pk}/"))
    # On the timeline, under the decision: the source, the file with its page and the start of its hash.
    citation = page.locator(".timeline .citation", has_text="Aix appeal court ruling")
    expect(citation).to_contain_text("court-ruling.pdf p. 2, sha256 ")
    document = source.documents.get()
    expect(citation).to_contain_text(document.sha256[:12])
    expect(citation.get_by_role("link", name=re.compile("court-ruling.pdf"))).to_have_attribute(
        "href", f"/sources/documents/{document.pk}/")


def test_import_a_spreadsheet_through_the_preview(page, tmp_path, transactional_db):
    factories.user("researcher", username="rita")
    factories.person("Mukhtar Ablyazov")
    sheet = tmp_path / "persons.csv"
    sheet.write_text("name,variants,birth_year\nМухтар Аблязов,Mukhtar Abliazov,1963\nАман Кетебаев,,\n"
                     "Tatiana Paraskevich,,19x5\n", encoding="utf-8")

    log_in(page, "rita")
    page.goto("/imports/")
    page.get_by_label("What the rows are").select_option("persons")
    page.get_by_label("Spreadsheet (CSV or XLSX)").set_input_files(str(sheet))
    page.get_by_role("button", name="Read the file").click()
    expect(page.get_by_label("Name (required)")).to_have_value("name")
    page.get_by_role("button", name="Preview the import").click()

    expect(page.locator("#preview-counts")).to_have_text(
        "1 to create · 1 to update · 0 already recorded · 1 error")
    expect(page.locator("#import-errors")).to_contain_text("“19x5” is not a year.")
    expect(page.locator("#import-plan")).to_contain_text("Existing person: Mukhtar Ablyazov")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("alert")).to_contain_text("Fix the rows listed")
    page.get_by_label("Skip the rows with errors and import the rest").check()
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-counts")).to_have_text(
        "1 created · 1 updated · 0 already recorded · 1 skipped")
    run = ImportRun.objects.get()
    assert set(NameVariant.objects.filter(person__primary_name="Mukhtar Ablyazov").values_list("name", flat=True)) \
        >= {"Мухтар Аблязов", "Mukhtar Abliazov"}
    assert Person.objects.filter(primary_name="Аман Кетебаев").exists()
    expect(page.locator("dd code")).to_have_text(run.file_sha256)

    page.get_by_role("button", name="Undo this import").click()
    expect(page.get_by_role("status")).to_contain_text("The import was undone")
    expect(page.locator("#import-status")).to_have_text("Undone")
    assert not Person.objects.filter(primary_name="Аман Кетебаев").exists()
    assert set(NameVariant.objects.filter(person__primary_name="Mukhtar Ablyazov").values_list("name", flat=True)) \
        == {"Mukhtar Ablyazov"}
