import pytest

from api import tokens
from api.models import ApiToken
from tests import factories


@pytest.fixture
def world(db):
    open_case = factories.case("Ketebayev", who=factories.person("Amanzhol Ketebayev", variants=["Кетебаев"],
                                                                whereabouts_city="Vilnius"))
    factories.event(open_case, title="Arrested in Spain")
    factories.event(open_case, title="Moved to a safe house", confidential=True)
    secret = factories.case("Secret client", who=factories.person("Hidden Person"), restricted=True)
    factories.event(secret, title="Secret hearing")
    return {"open": open_case, "secret": secret}


def call(client, user, path, **params):
    _, raw = tokens.issue(user, "test")
    return client.get(f"/api{path}", params, HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_without_a_valid_token_the_api_answers_401(client, world, viewer):
    assert client.get("/api/cases").status_code == 401
    assert client.get("/api/cases", HTTP_AUTHORIZATION="Bearer onw_not-a-token").status_code == 401
    token, raw = tokens.issue(viewer, "script")
    assert client.get("/api/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    tokens.revoke(token, viewer)
    assert client.get("/api/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_tokens_are_stored_hashed(viewer):
    token, raw = tokens.issue(viewer, "script")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.key_hash, stored.prefix) and len(stored.key_hash) == 64
    assert stored.key_hash == tokens.digest(raw)


@pytest.mark.parametrize("role", ["viewer", "researcher", "lawyer"])
def test_each_reader_sees_open_cases_but_not_restricted_ones(client, world, make_user, role):
    user = make_user(role)
    titles = [case["title"] for case in call(client, user, "/cases").json()["items"]]
    assert titles == ["Ketebayev"]
    assert call(client, user, f"/cases/{world['secret'].pk}").status_code == 404
    assert call(client, user, f"/cases/{world['secret'].pk}/timeline").status_code == 404
    names = [p["primary_name"] for p in call(client, user, "/persons").json()["items"]]
    assert "Hidden Person" not in names and "Amanzhol Ketebayev" in names
    timeline = [e["title"] for e in call(client, user, f"/cases/{world['open'].pk}/timeline").json()]
    assert timeline == ["Arrested in Spain"]  # the confidential event is the team's
    person = call(client, user, f"/persons/{world['open'].person_id}").json()
    assert person["whereabouts_city"] is None


def test_the_team_and_admins_see_restricted_cases_confidential_facts_and_whereabouts(client, world, make_user):
    member, admin = make_user("researcher"), make_user("admin")
    world["secret"].team.add(member)
    world["open"].team.add(member)
    for user in (member, admin):
        titles = sorted(case["title"] for case in call(client, user, "/cases").json()["items"])
        assert titles == ["Ketebayev", "Secret client"]
        timeline = [e["title"] for e in call(client, user, f"/cases/{world['open'].pk}/timeline").json()]
        assert "Moved to a safe house" in timeline
        assert call(client, user, f"/persons/{world['open'].person_id}").json()["whereabouts_city"] == "Vilnius"


def test_a_user_without_a_role_sees_nothing(client, world, make_user):
    assert call(client, make_user(None), "/cases").status_code == 401


def test_cases_filter_like_the_case_list_and_paginate(client, world, viewer):
    for n in range(55):
        factories.case(f"Case {n:02}", status="watch")
    page = call(client, viewer, "/cases", status="watch").json()
    assert page["count"] == 55 and len(page["items"]) == 50
    second = call(client, viewer, "/cases", status="watch", page=2).json()
    assert len(second["items"]) == 5
    assert call(client, viewer, "/cases", status="nonsense").status_code == 422
    assert call(client, viewer, "/cases", requesting_state=999999).json()["count"] == 0
    found = call(client, viewer, "/persons", search="Кетебаев").json()["items"]
    assert [p["primary_name"] for p in found] == ["Amanzhol Ketebayev"]


def test_the_schema_is_served_to_readers_only(client, db, viewer, make_user):
    """The schema names every endpoint and filter: a token or a signed-in reader gets it, nobody else."""
    anonymous = client.get("/api/openapi.json")
    assert anonymous.status_code == 401 and "API token" in anonymous.json()["detail"]
    assert anonymous["WWW-Authenticate"] == "Bearer"
    assert client.get("/api/openapi.json", HTTP_AUTHORIZATION="Bearer onw_not-a-token").status_code == 401
    token, raw = tokens.issue(viewer, "script")
    schema = client.get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert {"/api/cases", "/api/cases/{case_id}/timeline", "/api/persons", "/api/risk/flags"} <= set(schema["paths"])
    tokens.revoke(token, viewer)
    assert client.get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    client.force_login(make_user(None))  # an account without a role reads nothing
    assert client.get("/api/openapi.json").status_code == 401
    client.force_login(viewer)
    assert client.get("/api/openapi.json").json()["paths"] == schema["paths"]


def test_an_address_the_api_does_not_have_answers_a_json_404(client, viewer):
    _, raw = tokens.issue(viewer, "script")
    for path in ("/api/persons/1%2F2", "/api/cases/1/nothing", "/api/nothing/here",
                 "/api/persons/..%2F..%2Fetc%2Fpasswd%0A"):  # an encoded line break too (found by the fuzz)
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
        assert "No such API address" in response.json()["detail"]
