"""The case list: filters in the URL, EXISTS filters over related tables, a bounded number of queries."""

import datetime

import pytest
from django.urls import reverse

from cases.risk_models import RiskEvaluation, RiskFlag
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor_needed(settings):
    settings.ONWARD_MFA_REQUIRED_ROLES = ()


def titles(response):
    return [case.title for case in response.context["page"].object_list]


def evaluate(case, level, score, flag_status=None):
    evaluation = RiskEvaluation.objects.create(case=case, as_of=datetime.date(2024, 1, 1), score=score, axis_a=score,
                                               axis_b=0, level=level, fingerprint=f"fp{case.pk}")
    if flag_status:
        RiskFlag.objects.create(case=case, evaluation=evaluation, level=level, score=score, status=flag_status)


@pytest.fixture
def cases(researcher):
    czech = f.case("To Czechia", host="CZ")
    f.request(czech, "UA", "CZ", status="in_court", date=datetime.date(2016, 12, 1))
    f.charge(czech, "UA", category="political")
    spain = f.case("To Spain", host="ES")
    f.request(spain, "KZ", "ES", status="refused", date=datetime.date(2012, 6, 1))
    f.request(spain, "RU", "ES", status="received", date=datetime.date(2013, 6, 1))
    f.charge(spain, "KZ", category="economic")
    spain.assigned_to.add(researcher)
    evaluate(czech, "high", 72, flag_status="open")
    evaluate(spain, "medium", 40, flag_status="dismissed")
    return {"czech": czech, "spain": spain}


@pytest.mark.parametrize(("params", "expected"), [
    ({"requested_state": "CZ"}, ["To Czechia"]),
    ({"requesting_state": "RU"}, ["To Spain"]),
    ({"request_status": "refused"}, ["To Spain"]),
    ({"charge_category": "political"}, ["To Czechia"]),
    ({"risk_level": "high"}, ["To Czechia"]),
    ({"flagged_unreviewed": "on"}, ["To Czechia"]),
    ({"request_date_before": "2014-01-01"}, ["To Spain"]),
    ({"request_date_after": "2014-01-01"}, ["To Czechia"]),
    ({"request_date_before": "2013-01-01", "request_date_after": "2012-01-01"}, ["To Spain"]),
    ({"assigned": "me"}, ["To Spain"]),
])
def test_each_filter_narrows_the_list(client, researcher, cases, params, expected):
    client.force_login(researcher)
    query = {}
    for key, value in params.items():
        if key.endswith("_state"):
            value = f.state(value).pk
        if value == "me":
            value = researcher.pk
        query[key] = value
    assert titles(client.get(reverse("cases:list"), query)) == expected


def test_a_case_with_two_matching_requests_is_listed_once(client, researcher, cases):
    client.force_login(researcher)
    assert titles(client.get(reverse("cases:list"), {"requested_state": f.state("ES").pk})) == ["To Spain"]


def test_columns_sort_both_ways_and_the_state_is_in_the_links(client, researcher, cases):
    client.force_login(researcher)
    assert titles(client.get(reverse("cases:list"), {"o": "title"})) == ["To Czechia", "To Spain"]
    response = client.get(reverse("cases:list"), {"o": "-title", "charge_category": "economic"})
    assert titles(response) == ["To Spain"]
    page = response.content.decode()
    assert "charge_category=economic" in page  # sort and page links keep the filters: shareable


def test_list_pages_without_counting_everything(client, admin_user):
    person = f.person("Many")
    for number in range(60):
        f.case(f"Case {number:03d}", who=person)
    client.force_login(admin_user)
    first = client.get(reverse("cases:list"), {"o": "title"})
    assert titles(first)[0] == "Case 000" and first.context["page"].has_next
    second = client.get(reverse("cases:list"), {"o": "title", "page": 3})
    assert titles(second) == [f"Case {n:03d}" for n in range(50, 60)]
    assert not second.context["page"].has_next and "of 60 cases" in second.content.decode()


def page_queries(view, user, params, max_queries, assert_max):
    """The page's own queries (through a request as the middleware leaves it), apart from the
    per-request session and log-in bookkeeping every page pays (counted in bench/pages.py)."""
    from django.contrib.auth.models import AnonymousUser  # noqa: F401
    from django.test import RequestFactory

    request = RequestFactory().get("/cases/", params)
    request.user = type(user).objects.get(pk=user.pk)
    with assert_max(max_queries):
        response = view(request)
    return response


def test_case_list_query_count_does_not_grow_with_rows(researcher, django_assert_max_num_queries):
    from cases.views import case_list

    person = f.person("Busy Person")
    for number in range(120):
        case = f.case(f"Case {number}", who=person, host="ES")
        f.request(case, "KZ", "ES")
        f.request(case, "RU", "ES")
        f.charge(case, category="economic")
        case.assigned_to.add(researcher)
        evaluate(case, "high", 70, flag_status="open")
    spain = f.state("ES").pk
    for size in (25, 100):
        response = page_queries(case_list, researcher, {
            "per_page": size, "requested_state": spain, "charge_category": "economic", "flagged_unreviewed": "on",
            "risk_level": "high", "o": "-changed"}, 10, django_assert_max_num_queries)
        assert response.status_code == 200
        assert response.content.decode().count('href="/cases/') >= size


def test_search_and_case_page_queries_do_not_grow_with_rows(researcher, django_assert_max_num_queries):
    from cases.views import search

    for number in range(60):
        person = f.person(f"Ivan Petrov{'' if number == 0 else number}", variants=[f"Иван Петров {number}"])
        f.case(f"Petrov {number}", who=person)
    response = page_queries(search, researcher, {"q": "Петров"}, 6, django_assert_max_num_queries)
    assert response.status_code == 200
