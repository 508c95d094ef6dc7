"""The browser's defences: CSP with nonces and nothing inline, HSTS, secure cookies, framing and
referrer headers on real responses, and `check --deploy` clean with production settings."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db

PRODUCTION = {
    "DEBUG": False, "SECURE_SSL_REDIRECT": True, "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
}


SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
INLINE_HANDLER = re.compile(r"""<[^>]*\s(on[a-z]+)\s*=""", re.I)


def inline_code_in(text):
    problems = []
    for match in SCRIPT.finditer(text):
        attributes = match.group(1)
        if "src=" in attributes or "nonce=" in attributes:
            continue
        if re.search(r"""type=["']application/(ld\+)?json["']""", attributes):
            continue  # data, not code: CSP does not run it (json_script, allauth's page data)
        problems.append(f"inline <script{attributes}>")
    if re.search(r"<style\b", text, re.I):
        problems.append("<style> element")
    if re.search(r"""\sstyle\s*=\s*["']""", text, re.I):
        problems.append("style= attribute")
    problems += [f"{handler}= handler" for handler in INLINE_HANDLER.findall(text)]
    return problems


def used_allauth_templates():
    """allauth templates Onward's enabled features render (account, mfa, usersessions), minus the
    e-mail/phone change pages Onward does not use (accounts have no e-mail login)."""
    import allauth

    base = Path(allauth.__file__).parent / "templates"
    for folder in ("account", "mfa", "usersessions", "allauth"):
        for path in (base / folder).rglob("*.html"):
            if path.name in {"email_change.html", "phone_change.html"}:
                continue  # hidden forms with style="display: none", unreachable: no e-mail/phone change flow
            yield path


def test_no_template_has_inline_script_style_or_handlers():
    paths = [*(ROOT / "templates").rglob("*.html"), *(p for app in ROOT.glob("*/templates") for p in app.rglob("*.html")),
             *used_allauth_templates()]
    assert len(paths) > 20
    offenders = {str(path): problems for path in paths if (problems := inline_code_in(path.read_text()))}
    assert not offenders, offenders


def test_a_template_with_inline_code_would_be_caught():
    assert inline_code_in('<script>alert(1)</script><p style="color:red" onclick="x()">')
    assert not inline_code_in('<script src="/static/js/a.js"></script><script nonce="{{ csp_nonce }}">1</script>')


@override_settings(**PRODUCTION)
def test_production_responses_carry_the_security_headers(researcher):
    client = Client()
    client.force_login(researcher)
    response = client.get(reverse("cases:list"), secure=True)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "http:" not in csp and "https:" not in csp  # no external origin
    assert response["Strict-Transport-Security"].startswith("max-age=31536000; includeSubDomains")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    # Plain http is sent to https.
    plain = client.get(reverse("cases:list"))
    assert plain.status_code == 301 and plain["Location"].startswith("https://")


@override_settings(**PRODUCTION)
def test_session_and_csrf_cookies_are_secure_and_httponly(researcher):
    client = Client()
    page = client.get(reverse("login"), secure=True)
    response = client.post(reverse("login"), {"login": "rita", "password": "correct horse battery staple"},
                           secure=True)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SECURE_", "SESSION_", "CSRF_", "ONWARD_ALLOW", "DEBUG", "DJANGO_ALLOW"))}
    import secrets

    env.update({"SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": "0", "ALLOWED_HOSTS": "onward.example.org",
                "ONWARD_DATA_DIR": str(tmp_path)})
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    print(output)


def test_rendered_pages_have_no_inline_code(researcher):
    client = Client()
    assert not inline_code_in(client.get(reverse("login")).content.decode())
    client.force_login(researcher)
    for name in ("dashboard", "cases:list", "mfa_index", "usersessions_list", "account_change_password"):
        assert not inline_code_in(client.get(reverse(name)).content.decode()), name
