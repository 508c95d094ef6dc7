"""The HTTP layer of the fuzz: every form on Onward's pages and every query parameter of every page
and of the JSON API, sent through the full middleware stack (sessions, CSRF-exempt test client, NUL
refusal, access log, log-in throttle). No answer is a server error; a refused form changes no row and
tells the user what is wrong.

Forms are discovered, not listed: each page the restricted case's world links to is fetched as a
team researcher and as an admin and its <form>s are read (tests/security/forms.py), so a form another
helper adds is fuzzed without touching this file. Each form gets FUZZ_HTTP_EXAMPLES (25) requests here;
the 1,000 examples per form class run at the form level, much faster, in test_fuzz_forms.py. The
counts are printed at the end of the run and written to FUZZ_REPORT (tests/security/fuzz_report.py)."""

import os
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import given
from hypothesis import strategies as st

from tests.security import fuzzing
from tests.security.forms import forms_on
from tests.security.fuzzing import texts
from tests.security.test_url_matrix import url_for
from tests.security.urlwalk import all_patterns, is_admin_site
from tests.security.world import restricted_world

pytestmark = pytest.mark.django_db

HTTP_EXAMPLES = int(os.environ.get("FUZZ_HTTP_EXAMPLES", os.environ.get("FUZZ_MAX_EXAMPLES", "25")))
QUERY_EXAMPLES = int(os.environ.get("FUZZ_QUERY_EXAMPLES", "4"))  # per page
API_EXAMPLES = int(os.environ.get("FUZZ_API_EXAMPLES", "60"))  # per API operation
SKIP_ACTIONS = ("/accounts/logout/", "/accounts/sessions/", "/accounts/2fa/totp/deactivate/",
                "/accounts/2fa/webauthn/", "/accounts/2fa/recovery-codes/generate/")
ERROR_MARKERS = ("field-error", "error-summary", 'role="alert"', "errorlist", "errornote")


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
    match = resolve(urlsplit(form.action).path)
    return (form.method, match.view_name, tuple(sorted(form.fields)))


def submit(client, form, data):
    if form.method == "post":
        return client.post(form.action, data)
    return client.get(form.action, data)


def fuzzable(form):
    return [name for name, (kind, _, _) in form.fields.items() if kind != "hidden"]


def fuzzer(form, client):
    @fuzzing.hypothesis_settings(HTTP_EXAMPLES)
    @given(st.data())
    def fuzz(data):
        values = {}
        for name, (kind, options, default) in form.fields.items():
            value = value_for(kind, options, data.draw)
            values[name] = default if value is None else value
        cache.clear()  # the per-address log-in throttle would otherwise answer every later example
        with transaction.atomic():  # a savepoint: a database error in one example cannot hide the next
            before = fuzzing.fingerprint()
            response = submit(client, form, values)
            assert response.status_code < 500, (form.key, values)
            after = fuzzing.fingerprint()
            html = response.content.decode() if "text/html" in response.get("Content-Type", "") else ""
            refused = response.status_code >= 400 or (form.method == "post" and any(m in html for m in ERROR_MARKERS))
            if refused:
                assert after == before, f"{form.key}: refused ({response.status_code}) but changed rows"
            if response.status_code == 400 or (form.method == "post" and response.status_code in (409, 422)):
                assert any(m in html for m in ERROR_MARKERS + ("NUL character",)), \
                    f"{form.key}: answered {response.status_code} without saying what is wrong"
        fuzzing.count(form.key, "http", "refused" if refused else "accepted")

    return fuzz


def test_every_form_survives_hostile_input(world):
    targets = discover(world)
    assert len(targets) >= 8, [form.key for _, form in targets]
    problems = []
    for role, form in targets:
        client = Client() if role == "anonymous" else signed_in(world.users[role])

        try:
            fuzzer(form, client)()
        except AssertionError as error:
            problems.append(str(error)[:600])
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

    @fuzzing.hypothesis_settings(QUERY_EXAMPLES * len(pages))
    @given(st.sampled_from(pages), st.dictionaries(st.sampled_from(sorted(names)), texts, max_size=4))
    def fuzz(page, params):
        response = client.get(page, params)
        assert response.status_code < 500, (page, params)
        fuzzing.count(f"GET {view_name(page)} ?query", "http",
                      "refused" if response.status_code >= 400 else "accepted")

    fuzz()


def view_name(page):
    try:
        return resolve(urlsplit(page).path).view_name
    except Resolver404:
        return urlsplit(page).path


def api_operations():
    """(path template, parameter names) of every operation in the API's schema."""
    from api.endpoints import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            names = [(p["name"], p["in"]) for p in operation.get("parameters", [])]
            yield path, method, names, {str(code) for code in operation["responses"]}


def test_every_api_query_parameter_survives_hostile_values(world):
    """Every parameter of every API operation (path and query), with a team researcher's token."""
    from api import tokens

    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens.issue(world.users['researcher'], 'fuzz')[1]}"}
    operations = list(api_operations())
    assert len(operations) >= 7
    ids = st.one_of(st.just(str(world.case.pk)), st.just(str(world.case.person_id)),
                    st.integers(-(2**70), 2**70).map(str), texts)
    for operation in operations:
        api_fuzzer(client, auth, ids, *operation)()


def api_fuzzer(client, auth, ids, path, method, names, documented):
    from urllib.parse import quote

    query = [name for name, where in names if where == "query"] + ["page", "page_size", "o", "unknown"]
    in_path = [name for name, where in names if where == "path"]

    @fuzzing.hypothesis_settings(API_EXAMPLES)
    @given(st.fixed_dictionaries({name: ids for name in in_path}),
           st.dictionaries(st.sampled_from(query), texts, max_size=5))
    def fuzz(path_values, params):
        url = path
        for name, value in path_values.items():
            url = url.replace("{" + name + "}", quote(value, safe="") or "x")
        response = getattr(client, method)(url, params, **auth)
        assert response.status_code < 500, (url, params)
        assert str(response.status_code) in documented | {"404"}, (url, params, response.status_code)
        assert response["Content-Type"].startswith("application/json"), (url, params)
        if response.status_code >= 400:
            assert response.json().get("detail"), (url, params, response.content[:200])
        fuzzing.count(f"{method.upper()} {path} (API)", "http",
                      "refused" if response.status_code >= 400 else "accepted")

    return fuzz
