"""Screenshots of the main researcher pages, for the README and for looking at the design.

Run against a server with the demo data (bin/demo, or `manage.py load_demo` + `create_demo_users`):

    .venv/bin/python docs/screenshots/take.py http://127.0.0.1:8000

Uses Debian's Chromium through Playwright (no browser download), at a laptop's 1366×768."""

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
USER, PASSWORD = "researcher", "onward-demo-researcher"


def main(base):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        page = browser.new_context(base_url=base, viewport={"width": 1366, "height": 768}).new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(USER)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_load_state("networkidle")
        shots = [("dashboard", "/", False), ("case-list", "/cases/", False),
                 ("search", "/cases/search/?q=Кетебаев&all=1", False)]
        for name, url, full in shots:
            page.goto(url)
            page.screenshot(path=str(HERE / f"{name}.png"), full_page=full)
        page.goto("/cases/")
        page.get_by_label("Requested state").select_option(label="Czech Republic")
        page.get_by_role("button", name="Apply filters").click()
        page.screenshot(path=str(HERE / "case-list-filtered.png"))
        page.get_by_role("link", name=re.compile("Paraskevich")).first.click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(HERE / "case-page.png"))
        page.screenshot(path=str(HERE / "case-page-full.png"), full_page=True)
        page.get_by_role("link", name="Add decision").click()
        page.wait_for_selector("form.edit-form")
        page.locator("form.edit-form").scroll_into_view_if_needed()
        page.screenshot(path=str(HERE / "inline-edit.png"))
        page.goto(page.url.split("#")[0])
        page.get_by_role("link", name="History").first.click()
        page.screenshot(path=str(HERE / "history.png"))
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
