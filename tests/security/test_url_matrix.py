"""Every URL in the URLconf, requested as each role, as a researcher outside a restricted case's team
and anonymously, must give the answer in MATRIX. A URL missing from MATRIX fails the test: whoever
adds a URL decides here who may reach it.

Answers: ``page`` (200), ``login`` (redirect to the log-in page), ``redirect`` (any other redirect,
e.g. to re-enter the password before changing a second factor), or the status code (403, 404, 405).
Only GET is requested: views that change data answer 405 to it and are walked with POST by their
own tests and by tests/security/test_fuzz.py.

The team of the restricted case: the viewer, researcher and lawyer below. ``outsider`` is a
researcher who is not on it; ``admin`` is on no team (admins see everything).
"""

import pytest
from django.test import Client

from tests.security.urlwalk import all_patterns, build, is_admin_site
from tests.security.world import restricted_world

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "viewer", "researcher", "lawyer", "admin", "outsider")

# Which object a pattern's ``pk`` means, when it is not the case.
PK_MEANS = {
    "risk:flag": "flag", "risk:assign": "flag", "risk:decide": "flag",
    "sources:documents": "source", "sources:document": "document", "sources:download": "document",
    "sources:cite": "document",
    "imports:columns": "run", "imports:preview": "run", "imports:run": "run",
    "mfa_remove_webauthn": "none", "mfa_edit_webauthn": "none", "api_token_revoke": "none",
}

#            anonymous viewer researcher lawyer admin outsider
MATRIX = {
    # Accounts (allauth): log-in, second factor, sessions, password.
    "login": "page redirect redirect redirect redirect redirect",
    "account_login": "page redirect redirect redirect redirect redirect",
    "logout": "login page page page page page",
    "account_logout": "login page page page page page",
    "usersessions_list": "login page page page page page",
    "mfa_index": "login page page page page page",
    "mfa_authenticate": "login redirect redirect redirect redirect redirect",
    "mfa_reauthenticate": "login redirect redirect page page redirect",
    "mfa_activate_totp": "login redirect redirect redirect redirect redirect",
    "mfa_deactivate_totp": "login 404 404 redirect redirect 404",
    "mfa_view_recovery_codes": "login 404 404 404 404 404",
    "mfa_generate_recovery_codes": "login redirect redirect redirect redirect redirect",
    "mfa_download_recovery_codes": "login 404 404 404 404 404",
    "mfa_list_webauthn": "login page page page page page",
    "mfa_add_webauthn": "login redirect redirect redirect redirect redirect",
    "mfa_reauthenticate_webauthn": "login redirect redirect redirect redirect redirect",
    "mfa_remove_webauthn": "login redirect redirect redirect redirect redirect",
    "mfa_edit_webauthn": "login redirect redirect redirect redirect redirect",
    "mfa_login_webauthn": "login redirect redirect redirect redirect redirect",
    "account_inactive": "page page page page page page",
    "account_signup": "page redirect redirect redirect redirect redirect",  # says sign-up is closed
    "account_reauthenticate": "login page page page page page",
    "account_email": "login page page page page page",
    "account_email_verification_sent": "page page page page page page",
    "account_change_password": "login page page page page page",
    "account_set_password": "login redirect redirect redirect redirect redirect",
    "account_reset_password": "page page page page page page",
    "account_confirm_login_code": "login redirect redirect redirect redirect redirect",
    "account_confirm_email": "404 404 404 404 404 404",
    "account_reset_password_from_key_done": "page page page page page page",
    "account_reset_password_from_key": "404 404 404 404 404 404",
    "account_reset_password_done": "page page page page page page",
    "admin/login/": "login login login login login login",
    "admin:login": "login login login login login login",
    "health": "page page page page page page",
    # Onward.
    "dashboard": "login page page page page page",
    "audit:list": "login 403 403 403 page 403",
    "cases:list": "login page page page page page",
    "cases:new": "login 403 page 403 page page",
    "cases:search": "login page page page page page",
    "cases:detail": "login page page page page 404",
    "cases:deleted": "login page page page page 404",
    "cases:add": "login 403 page 403 page 404",
    "cases:edit": "login 403 page 403 page 404",
    "cases:delete": "login 405 405 405 405 405",
    "cases:undelete": "login 405 405 405 405 405",
    "cases:history": "login page page page page 404",
    "cases:restore": "login 405 405 405 405 405",
    "cases:timeline_options": "login 403 403 page page 404",
    "cases:timeline_download": "login 403 403 page page 404",
    "cases:timeline_job": "login 404 page 404 404 404",  # only its owner (the researcher made it)
    "cases:timeline_job_status": "login 404 page 404 404 404",
    "cases:timeline_job_file": "login 404 404 404 404 404",  # not finished yet
    "cases:case_calendar": "login 403 403 page page 404",
    "cases:my_calendar": "login 403 403 page page 403",
    "cases:calendar_feed": "login 403 403 page page 403",
    "cases:calendar_token_feed": "403 403 403 403 403 403",  # the token's owner may not export
    "risk:flags": "login 403 403 403 page 403",
    "risk:flag": "login 403 403 403 page 403",
    "risk:assign": "login 405 405 405 405 405",
    "risk:decide": "login 405 405 405 405 405",
    "sources:documents": "login page page page page 404",
    "sources:document_search": "login page page page page page",
    "sources:document": "login page page page page 404",
    "sources:download": "login page page page page 404",
    "sources:cite": "login 403 page 403 page 404",
    "imports:start": "login 403 page 403 page page",
    "imports:columns": "login 403 page 403 page 404",  # only its owner, and admins
    "imports:preview": "login 403 redirect 403 redirect 404",
    "imports:run": "login 403 page 403 page 404",
    "ftm_download": "login 403 403 page page 403",
    # The JSON API answers bearer tokens only (a browser session gets 401); tokens are managed per user.
    # API_MATRIX below walks it with each role's token.
    "api_tokens": "login page page page page page",
    "api_token_revoke": "login 405 405 405 405 405",
    "api:openapi-json": "401 page page page page page",  # the schema: for signed-in readers or a token
    "api:list_persons": "401 401 401 401 401 401",
    "api:get_person": "401 401 401 401 401 401",
    "api:list_cases": "401 401 401 401 401 401",
    "api:get_case": "401 401 401 401 401 401",
    "api:case_timeline": "401 401 401 401 401 401",
    "api:case_risk": "401 401 401 401 401 401",
    "api:list_flags": "401 401 401 401 401 401",
    "api:api-root": "404 404 404 404 404 404",
    "api_not_found": "404 404 404 404 404 404",  # any other /api/ address: a JSON 404
}


def answer(response):
    code = response.status_code
    if code in (301, 302):
        location = response["Location"]
        if location.startswith(("/accounts/login/", "/admin/login/")):
            return "login"
        return "redirect"
    return "page" if code == 200 else str(code)


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return restricted_world()


def clients_for(world):
    clients = {"anonymous": Client()}
    for role, user in world.users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    return clients


def url_for(key, route, world):
    arguments = dict(world.arguments)
    means = PK_MEANS.get(key)
    if means:
        arguments["pk"] = world.arguments.get(means, 999_999)
    return build(route, arguments)


def test_every_url_answers_each_role_as_the_matrix_says(world):
    clients = clients_for(world)
    missing, wrong, walked = [], [], 0
    for key, route, _ in all_patterns():
        if is_admin_site(route):
            continue  # test_admin_site_is_for_staff_only
        url = url_for(key, route, world)
        row = " ".join(answer(clients[role].get(url)) for role in ROLES)
        walked += 1
        if key not in MATRIX:
            missing.append(f'    "{key}": "{row}",  # {url}')
        elif MATRIX[key] != row:
            wrong.append(f"{key} ({url}):\n    expected {MATRIX[key]}\n    got      {row}")
    assert not missing, (
        "URL patterns missing from MATRIX in tests/security/test_url_matrix.py. Decide who may reach each "
        "and add a line (answers in the order " + " ".join(ROLES) + "; what they answer now:)\n"
        + "\n".join(missing)
    )
    assert not wrong, "URLs answering differently from MATRIX:\n" + "\n".join(wrong)
    assert walked * len(ROLES) >= 400


def test_matrix_lists_no_pattern_that_no_longer_exists():
    keys = {key for key, route, _ in all_patterns() if not is_admin_site(route)}
    assert not set(MATRIX) - keys, f"Remove from MATRIX: {sorted(set(MATRIX) - keys)}"


def test_admin_site_is_for_staff_only(world):
    """Django's admin: every parameterless admin page sends non-staff users (every role, and the
    outsider) to the admin log-in, which is Onward's own two-factor log-in."""
    clients = clients_for(world)
    routes = [route for _, route, _ in all_patterns() if is_admin_site(route) and "<" not in route
              and "(?P" not in route and route != "admin/logout/"]
    assert len(routes) > 10
    for route in routes:
        for role in ROLES:
            response = clients[role].get("/" + route)
            assert response.status_code == 302 and answer(response) == "login", (route, role)


# The API walked with each role's own token (anonymous: no token). A list answers ``listed`` when the
# restricted case (or its person, or its flag) is among its items and ``absent`` when it is not.
#                 anonymous viewer researcher lawyer admin outsider
API_MATRIX = {
    "api:openapi-json": "401 page page page page page",
    "api:list_persons": "401 listed listed listed listed absent",
    "api:get_person": "401 page page page page 404",
    "api:list_cases": "401 listed listed listed listed absent",
    "api:get_case": "401 page page page page 404",
    "api:case_timeline": "401 page page page page 404",
    "api:case_risk": "401 page page page page 404",
    "api:list_flags": "401 listed listed listed listed absent",
    "api:api-root": "404 404 404 404 404 404",
}


def api_answer(response, world):
    if response.status_code != 200:
        return str(response.status_code)
    body = response.json()
    if not (isinstance(body, dict) and "items" in body):
        return "page"
    case, person = world.case, world.case.person_id
    found = any(item.get("case_id", item.get("id")) == case.pk if "case_id" in item or "title" in item
                else item.get("id") == person for item in body["items"])
    return "listed" if found else "absent"


def test_the_api_answers_each_role_s_token_as_the_api_matrix_says(world):
    from api import tokens

    headers = {"anonymous": {}}
    for role, user in world.users.items():
        headers[role] = {"HTTP_AUTHORIZATION": f"Bearer {tokens.issue(user, 'matrix')[1]}"}
    client = Client()
    patterns = [(key, route) for key, route, _ in all_patterns() if key.startswith("api:")]
    missing, wrong = [], []
    for key, route in patterns:
        url = url_for(key, route, world)
        row = " ".join(api_answer(client.get(url, **headers[role]), world) for role in ROLES)
        if key not in API_MATRIX:
            missing.append(f'    "{key}": "{row}",  # {url}')
        elif API_MATRIX[key] != row:
            wrong.append(f"{key} ({url}):\n    expected {API_MATRIX[key]}\n    got      {row}")
    assert not missing, "API patterns missing from API_MATRIX (answers in the order " + " ".join(ROLES) + "):\n" + \
        "\n".join(missing)
    assert not wrong, "API URLs answering differently from API_MATRIX:\n" + "\n".join(wrong)
    assert not set(API_MATRIX) - {key for key, _ in patterns}, "API_MATRIX lists patterns that no longer exist"
    # Every filter of the case list, as an outsider: the restricted case never comes back.
    outsider = headers["outsider"]
    for params in ({"q": world.case.title[:6]}, {"status": world.case.status}, {"o": "-changed"},
                   {"risk_level": "high"}, {"flagged_unreviewed": "true"}):
        items = client.get("/api/cases", params, **outsider).json()["items"]
        assert world.case.pk not in [item["id"] for item in items], params
    search = client.get("/api/persons", {"search": world.case.person.primary_name}, **outsider).json()["items"]
    assert world.case.person_id not in [item["id"] for item in search]
