"""schemathesis generates requests from the served OpenAPI schema and checks every answer: no
server error, status codes and bodies as documented, content types as declared."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection

from api import tokens
from tests import factories


def served_schema():
    """The schema /api/openapi.json serves, bound to the WSGI app (no server needed). Built from the
    API object because parametrising happens before any database (and so any token) exists;
    test_the_served_schema_is_the_one_tested fetches it with a token and compares."""
    from api.endpoints import api
    from config.wsgi import application

    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema())
    loaded.app = application
    return loaded


schema = served_schema()


@pytest.fixture
def _keep_test_connection():
    """schemathesis calls the WSGI app directly, so Django's request signals would close the test's
    database connection (inside its transaction) after each call; django.test.Client unhooks them too."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, settings, _keep_test_connection):
    """A lawyer on the team of one case, with facts, citations and a restricted case beside it."""
    settings.ALLOWED_HOSTS = ["*"]
    lawyer = factories.user("lawyer")
    the_case = factories.case("Ketebayev", who=factories.person("Amanzhol Ketebayev", variants=["Кетебаев"]))
    the_case.team.add(lawyer)
    factories.cite(factories.event(the_case, title="Arrested in Spain"), quote="arrested")
    factories.charge(the_case)
    factories.request(the_case, interpol_notice="red")
    factories.decision(the_case)
    factories.case("Secret", restricted=True)
    return tokens.issue(lawyer, "schemathesis")[1]


@schema.parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_every_answer_matches_the_schema(case, token):
    # Unknown query parameters are ignored, as Django views do, so "schema-violating request
    # accepted" (extra parameters) is not a failure here; everything else schemathesis checks is.
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=[negative_data_rejection])


def test_the_served_schema_is_the_one_tested(token):
    """/api/openapi.json needs a token (or a session); with one it serves exactly this schema."""
    from django.test import Client

    served = Client().get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert served.status_code == 200
    assert served.json() == schema.raw_schema
    assert Client().get("/api/openapi.json").status_code == 401
