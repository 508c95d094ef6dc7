"""Real Chromium (Debian's, /usr/bin/chromium) driven by Playwright against pytest-django's live server.

Never ``playwright install``: the machines reach no browser download. A missing Chromium fails
these tests loudly, it does not skip them."""

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PASSWORD = "correct horse battery staple"  # tests/factories.py


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Browser tests need Chromium at {CHROMIUM}: apt-get install chromium (see .ci/run).")
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def new_page(browser, live_server):
    """``new_page()`` opens a page in a fresh browser context (its own cookies: another person)."""
    contexts = []

    def open_page(viewport=None):
        context = browser.new_context(base_url=live_server.url, viewport=viewport or {"width": 1366, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def log_in(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state("networkidle")
    if "/accounts/2fa/authenticate/" in page.url:  # admins and lawyers: the authenticator code step
        from tests.security.totp import fresh_code

        page.get_by_label("Code").fill(fresh_code(username))
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_load_state("networkidle")


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core (from npm, node_modules/axe-core) in the page; return the serious and critical
    violations. axe is evaluated through the DevTools protocol, which the page's CSP does not govern,
    so the page keeps its real policy (a <script> tag injected into it would be refused)."""
    if not AXE.exists():
        raise RuntimeError("axe-core is missing: run `npm ci` (see .ci/run).")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("async () => JSON.stringify(await axe.run(document))")
    violations = json.loads(result)["violations"]
    return [v for v in violations if v["impact"] in impacts]
