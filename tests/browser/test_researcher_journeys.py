"""Researchers' journeys in real Chromium, on the demo data (cases/demo.py, from the seeds)."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.conftest import PASSWORD, axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_second_factor_needed(settings):
    # Two-factor enrolment (admins, lawyers) is the security pages' journey; researchers need none.
    settings.ONWARD_MFA_REQUIRED_ROLES = ()


@pytest.fixture
def demo(db):
    from cases.demo import load

    load()
    return {"researcher": f.user("researcher", username="rosa", first_name="Rosa"),
            "colleague": f.user("researcher", username="carl", first_name="Carl")}


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state("networkidle")


def open_case(page, name):
    page.goto("/cases/")
    page.get_by_role("link", name=re.compile(name)).first.click()
    page.wait_for_load_state("networkidle")


def test_log_in_and_find_ketebayev_by_a_cyrillic_or_simplified_spelling(page, demo):
    sign_in(page, "rosa")
    expect(page.get_by_role("heading", name=re.compile("Good (morning|afternoon|evening), Rosa"))).to_be_visible()
    for spelling in ("Кетебаев", "Ketebaev"):
        page.get_by_label("Find a person by any spelling").fill(spelling)
        page.keyboard.press("Enter")
        page.wait_for_load_state("networkidle")
        if "/search/" in page.url:  # several people: the list offers them, best first
            page.get_by_role("link", name=re.compile("Ketebayev")).first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Ketebayev")


def test_filter_by_requested_state_and_open_paraskevich(page, demo):
    sign_in(page, "rosa")
    page.goto("/cases/")
    page.get_by_label("Requested state").select_option(label="Czech Republic")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state("networkidle")
    assert "requested_state=" in page.url  # the filtered list is a link
    rows = page.locator("table.cases tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Paraskevich")
    rows.first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Paraskevich")
    expect(page.locator("#person-heading")).to_have_text("Tatiana Paraskevich")
    expect(page.get_by_text("Татьяна Параскевич")).to_be_visible()


def test_add_a_court_decision_with_a_cited_source_and_see_it_on_the_timeline(page, demo):
    sign_in(page, "rosa")
    open_case(page, "Paraskevich")
    page.get_by_role("link", name="Add decision").click()
    form = page.locator("form.edit-form")
    expect(form).to_be_visible()
    form.get_by_label("Date").fill("Dec 2019")
    form.get_by_label("Court or body").fill("Municipal Court in Prague")
    form.get_by_label("Level").select_option(label="First-instance court")
    form.get_by_label("Outcome").select_option(label="Extradition refused")
    form.get_by_label("…or a new source: title").fill("Court refuses Ukraine's request")
    form.get_by_label("Quote").fill("The court found the request politically motivated.")
    form.get_by_role("button", name="Add decision").click()
    page.wait_for_load_state("networkidle")
    timeline = page.locator("ol.timeline")
    entry = timeline.locator("li", has_text="Municipal Court in Prague")
    expect(entry).to_contain_text("December 2019")
    expect(entry).to_contain_text("The court found the request politically motivated.")
    expect(page.get_by_text("Added the decision")).to_be_visible()


def test_invalid_date_is_explained_in_place(page, demo):
    sign_in(page, "rosa")
    open_case(page, "Paraskevich")
    page.get_by_role("link", name="Add event").click()
    form = page.locator("form.edit-form")
    form.get_by_label("Date").fill("sometime in Smarch")
    form.get_by_label(re.compile(r"^Kind\b(?! of)")).select_option(label="Hearing")
    form.get_by_role("textbox", name="Title", exact=True).fill("Hearing")
    form.get_by_role("button", name="Add event").click()
    expect(page.locator("form.edit-form .field-error")).to_contain_text("is not a date we can read")
    assert "/cases/" in page.url and "/add/" not in page.url  # still on the case page


def test_an_edit_conflict_between_two_browsers_is_refused_with_their_change(new_page, demo):
    rosa, carl = new_page(), new_page()
    sign_in(rosa, "rosa")
    sign_in(carl, "carl")
    for page in (rosa, carl):
        open_case(page, "Paraskevich")
        page.get_by_role("link", name=re.compile("Edit charge")).first.click()
        expect(page.locator("form.edit-form")).to_be_visible()
    carl.locator("form.edit-form").get_by_label("Article").fill("Art. 191 part 5")
    carl.locator("form.edit-form").get_by_role("button", name="Save").click()
    expect(carl.get_by_text("Saved the charge")).to_be_visible()
    rosa.locator("form.edit-form").get_by_label("Article").fill("Art. 190")
    rosa.locator("form.edit-form").get_by_role("button", name="Save").click()
    conflict = rosa.locator(".conflict")
    expect(conflict).to_contain_text("Carl")
    expect(conflict).to_contain_text("Art. 191 part 5")
    expect(conflict).to_contain_text("Art. 190")
    expect(rosa.locator("form.edit-form").get_by_label("Article")).to_have_value("Art. 190")


def test_restore_an_earlier_version_from_history(page, demo):
    sign_in(page, "rosa")
    open_case(page, "Paraskevich")
    page.get_by_role("link", name=re.compile("Edit charge")).first.click()
    form = page.locator("form.edit-form")
    original = form.get_by_label("Offence").input_value()
    form.get_by_label("Offence").fill("A wrong offence typed by mistake")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_text("A wrong offence typed by mistake").first).to_be_visible()
    page.get_by_role("link", name=re.compile("History of charge")).first.click()
    expect(page.locator("table")).to_contain_text("A wrong offence typed by mistake")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile("Restore version 1")).click()
    expect(page.get_by_text("Restored the charge")).to_be_visible()
    page.get_by_role("link", name=re.compile("Paraskevich")).first.click()
    expect(page.locator("#charges-heading").locator("..").locator("..")).to_contain_text(original)


def test_a_restricted_case_is_invisible_to_an_outsider(new_page, demo):
    insider = f.user("researcher", username="ines")
    secret = f.case("Hidden witness — Lithuania", who=f.person("Hidden Witness", variants=["Скрытый Свидетель"]),
                    restricted=True)
    secret.team.add(insider)
    outsider = new_page()
    sign_in(outsider, "rosa")
    outsider.goto("/cases/")
    expect(outsider.locator("table.cases")).not_to_contain_text("Hidden witness")
    response = outsider.goto(f"/cases/{secret.pk}/")
    assert response.status == 404
    outsider.goto("/cases/search/?q=Hidden+Witness")
    expect(outsider.locator(".result")).to_have_count(0)
    expect(outsider.get_by_text("No person matches")).to_be_visible()
    inside = new_page()
    sign_in(inside, "ines")
    inside.goto(f"/cases/{secret.pk}/")
    expect(inside.get_by_role("heading", level=1)).to_contain_text("Hidden witness")


def test_pages_have_no_serious_accessibility_violations(page, demo):
    sign_in(page, "rosa")
    found = {}
    page.goto("/")
    found["dashboard"] = axe_violations(page)
    page.goto("/cases/")
    found["list"] = axe_violations(page)
    open_case(page, "Paraskevich")
    found["case"] = axe_violations(page)
    page.get_by_role("link", name="Add decision").click()
    expect(page.locator("form.edit-form")).to_be_visible()
    found["inline edit"] = axe_violations(page)
    page.goto(page.locator("a", has_text="Edit case").get_attribute("href"))
    found["edit page"] = axe_violations(page)
    problems = {name: [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
                for name, violations in found.items() if violations}
    assert problems == {}
