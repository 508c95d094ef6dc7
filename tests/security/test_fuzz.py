"""Every form and every query parameter, fuzzed with hypothesis: overlong text, control characters,
mixed scripts, impossible dates, HTML and SQL fragments. No answer is a server error; a refused form
changes no row and tells the user what is wrong.

Forms are discovered, not listed: each page the restricted case's world links to is fetched as a
team researcher and as an admin and its <form>s are read (tests/security/forms.py), so a form another
helper adds is fuzzed without touching this file. Each form gets enough examples for FUZZ_INPUTS (1000)
generated field values, at most FUZZ_MAX_EXAMPLES (50) requests; the counts are printed (and
written to FUZZ_REPORT)."""

import json
import math
import os
from collections import Counter
from pathlib import Path

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.security.forms import forms_on
from tests.security.test_url_matrix import url_for
from tests.security.urlwalk import all_patterns, is_admin_site
from tests.security.world import restricted_world

pytestmark = pytest.mark.django_db

# Examples per form: enough for FUZZ_INPUTS generated field values, at most FUZZ_MAX_EXAMPLES requests
# (each request renders a full page; the suite must stay within CI's time).
INPUTS = int(os.environ.get("FUZZ_INPUTS", "1000"))
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "6"))
INPUT_COUNTS = Counter()
REFUSED = Counter()
QUERY_EXAMPLES = int(os.environ.get("FUZZ_QUERY_EXAMPLES", "4"))
COUNTS = Counter()

NASTY = [
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "' OR '1'='1' --", "1; DROP TABLE cases_case;--",
    "%00", "\x00", "\u202eevil", "\ufeff", "Мухтар Аблязов", "Muxtor Ablyazov", "穆赫塔尔", "مختار",
    "Μουχτάρ Ablязов", "2024-02-30", "2023-13-01", "0000-00-00", "31/02/2020", "9999-12-31", "-0001-01-01",
    "1e309", "NaN", "-1", "99999999999999999999999", "0x7fffffff", "../../etc/passwd", "{{ 7*7 }}", "${7*7}",
    "null", "true", "[]", "{}", " ", "", "a" * 10_000, "ж" * 5_000, "\r\n" * 500, "🙂" * 300,
]
texts = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=400),
    st.text(st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=50),  # control characters
    st.builds(lambda a, b: a + b, st.sampled_from(NASTY), st.text(max_size=50)),
    st.dates().map(str),
    st.integers().map(str),
)
SKIP_ACTIONS = ("/accounts/logout/", "/accounts/sessions/", "/accounts/2fa/totp/deactivate/",
                "/accounts/2fa/webauthn/", "/accounts/2fa/recovery-codes/generate/")
ROOT = Path(__file__).resolve().parents[2]
ERROR_MARKERS = ("field-error", "error-summary", 'role="alert"', "errorlist", "errornote")


def rows():
    """Row counts of Onward's own tables (not the access log, sessions or log-in attempts, which a
    refused request rightly writes to)."""
    return {model._meta.label: model._base_manager.count() for config in apps.get_app_configs()
            if config.path.startswith(str(ROOT)) and "site-packages" not in config.path  # .venv lives in ROOT
            and config.label not in {"audit"} for model in config.get_models()}


def value_for(kind, options, draw):
    if kind == "select" and options and draw(st.booleans()):
        return draw(st.sampled_from(options))
    if kind == "checkbox":
        return draw(st.sampled_from(["on", "", "yes", "\x00"]))
    if kind == "hidden" and draw(st.booleans()):
        return None  # keep the page's own value (csrf, next, version)
    return draw(texts)


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return restricted_world()


def page_urls(world):
    """Every URL of the URLconf built for the restricted case (the matrix test fails for any it cannot build)."""
    urls = []
    for key, route, _ in all_patterns():
        if is_admin_site(route):
            continue
        try:
            urls.append(url_for(key, route, world))
        except KeyError:
            continue
    return urls


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def discover(world):
    """(role, form) for every distinct form on every page the team researcher or the admin can open,
    plus the log-in form for an anonymous visitor."""
    found = {}
    visitors = {"anonymous": Client(), "researcher": signed_in(world.users["researcher"]),
                "admin": signed_in(world.users["admin"])}
    pages = page_urls(world)
    for role, client in visitors.items():
        for page in pages:
            response = client.get(page)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            for form in forms_on(page, response.content.decode()):
                if form.action.startswith(SKIP_ACTIONS) or not fuzzable(form):
                    continue
                found.setdefault(pattern_key(form), (role, form))
    return list(found.values())


def pattern_key(form):
    """One target per URL pattern and field set: the delete buttons of forty charges are one form."""
    from urllib.parse import urlsplit

    from django.urls import resolve

    match = resolve(urlsplit(form.action).path)
    return (form.method, match.view_name, tuple(sorted(form.fields)))


def submit(client, form, data):
    if form.method == "post":
        return client.post(form.action, data)
    return client.get(form.action, data)


def fuzzable(form):
    return [name for name, (kind, _, _) in form.fields.items() if kind != "hidden"]


def fuzzer(form, client):
    examples = min(MAX_EXAMPLES, math.ceil(INPUTS / max(1, len(fuzzable(form)))))

    # No shrinking: a failing input is reported as generated; shrinking a page-rendering example can
    # run for tens of minutes.
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def fuzz(data):
        values = {}
        for name, (kind, options, default) in form.fields.items():
            value = value_for(kind, options, data.draw)
            values[name] = default if value is None else value
        cache.clear()  # the per-address log-in throttle would otherwise answer every later example
        with transaction.atomic():  # a savepoint: a database error in one example cannot hide the next
            before = rows()
            response = submit(client, form, values)
            COUNTS[form.key] += 1
            INPUT_COUNTS[form.key] += len(values)
            assert response.status_code < 500, (form.key, values)
            after = rows()
            html = response.content.decode() if "text/html" in response.get("Content-Type", "") else ""
            if form.method == "post" and any(marker in html for marker in ERROR_MARKERS):
                assert after == before, f"{form.key}: a form refused with a message still changed rows"
                REFUSED[form.key] += 1
            if response.status_code >= 400:
                assert after == before, f"{form.key}: answered {response.status_code} but changed rows"

    return fuzz


def test_every_form_survives_hostile_input(world):
    targets = discover(world)
    assert len(targets) >= 8, [form.key for _, form in targets]
    problems = []
    for role, form in targets:
        client = Client() if role == "anonymous" else signed_in(world.users[role])

        fuzz = fuzzer(form, client)
        try:
            fuzz()
        except AssertionError as error:
            problems.append(str(error)[:600])
    report(targets)
    assert not problems, "\n\n".join(problems)


def test_every_query_parameter_survives_hostile_values(world):
    client = signed_in(world.users["admin"])
    pages = [page for page in page_urls(world) if not page.startswith(SKIP_ACTIONS) and "logout" not in page]
    names = {"q", "page", "sort", "order", "status", "format", "next", "level", "state", "kind", "risk",
             "after", "before", "case", "user", "action", "ip_address", "name", "script", "flagged"}
    for page in pages:  # parameter names the pages' own GET forms use
        response = client.get(page)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            for form in forms_on(page, response.content.decode()):
                if form.method == "get":
                    names.update(form.fields)

    @settings(max_examples=QUERY_EXAMPLES * len(pages), deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(pages), st.dictionaries(st.sampled_from(sorted(names)), texts, max_size=4))
    def fuzz(page, params):
        response = client.get(page, params)
        COUNTS["GET query parameters"] += 1
        assert response.status_code < 500, (page, params)

    fuzz()
    report([])


def report(targets):
    lines = {key: {"requests": count, "inputs": INPUT_COUNTS.get(key, count), "refused_with_message": REFUSED[key]}
             for key, count in sorted(COUNTS.items())}
    print("\nFuzzed (requests / generated inputs / refused with a message):\n" + "\n".join(
        f"{v['requests']:6d} {v['inputs']:7d} {v['refused_with_message']:6d}  {key}" for key, v in lines.items()))
    if os.environ.get("FUZZ_REPORT"):
        with open(os.environ["FUZZ_REPORT"], "w") as out:
            json.dump(lines, out, indent=1)
