"""Finding a person by any spelling, on SQLite and on PostgreSQL (whichever DATABASE_URL names)."""

import pytest
from django.urls import reverse

from cases.selectors import search_people, similar_people
from people.search import rank
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor_needed(settings):
    settings.ONWARD_MFA_REQUIRED_ROLES = ()


@pytest.fixture
def people():
    ketebayev = f.person("Amanzhol Ketebayev", variants=["Кетебаев Аманжол", "Ketebaev"])
    ablyazov = f.person("Mukhtar Ablyazov", variants=["Мухтар Аблязов", "Moukhtar Abliazov"])
    tatiana = f.person("Tatiana Paraskevich", variants=["Татьяна Параскевич"])
    namesake = f.person("Bolat Ketebayev")
    f.person("Someone Else")
    return {"ketebayev": ketebayev, "ablyazov": ablyazov, "tatiana": tatiana, "namesake": namesake,
            "cases": {"ketebayev": f.case("Ketebayev: Kazakhstan → Poland", who=ketebayev),
                      "ablyazov": f.case("Ablyazov: Kazakhstan → France", who=ablyazov)}}


def names(hits):
    return [hit["person"].primary_name for hit in hits]


@pytest.mark.parametrize(("query", "expected"), [
    ("Ablyazov", "Mukhtar Ablyazov"), ("Abliazov", "Mukhtar Ablyazov"), ("Аблязов", "Mukhtar Ablyazov"),
    ("ablyazov mukhtar", "Mukhtar Ablyazov"), ("Ketebaev", "Amanzhol Ketebayev"),
    ("Кетебаев Аманжол", "Amanzhol Ketebayev"), ("Tatyana", "Tatiana Paraskevich"),
    ("Татьяна", "Tatiana Paraskevich"), ("Ablyazof", "Mukhtar Ablyazov"),  # a typo still finds him
])
def test_every_spelling_finds_the_person(researcher, people, query, expected):
    assert expected in names(search_people(researcher, query))


def test_namesakes_share_a_surname_and_both_are_offered(researcher, people):
    found = names(search_people(researcher, "Кетебаев"))
    assert found[:2] == sorted(found[:2]) or set(found[:2]) == {"Amanzhol Ketebayev", "Bolat Ketebayev"}
    assert {"Amanzhol Ketebayev", "Bolat Ketebayev"} <= set(found)
    assert names(search_people(researcher, "Ketebaev Amanzhol"))[0] == "Amanzhol Ketebayev"


def test_result_shows_the_matching_variant(researcher, people):
    hit = search_people(researcher, "Аблязов")[0]
    assert hit["variant"].name == "Мухтар Аблязов" and hit["exact"]


def test_a_single_exact_hit_goes_straight_to_the_case(client, researcher, people):
    client.force_login(researcher)
    response = client.get(reverse("cases:search"), {"q": "Абляз" + "ов"})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[people["cases"]["ablyazov"].pk])


def test_several_people_give_a_list_with_their_cases(client, researcher, people):
    client.force_login(researcher)
    page = client.get(reverse("cases:search"), {"q": "Ketebaev"}).content.decode()
    assert "Amanzhol Ketebayev" in page and "Bolat Ketebayev" in page
    assert "Ketebayev: Kazakhstan → Poland" in page


def test_search_hides_people_known_only_through_a_restricted_case(client, researcher, make_user, people):
    hidden = f.person("Yerlan Secretov", variants=["Ерлан Секретов"])
    case = f.case("Secretov", who=hidden, restricted=True)
    insider = make_user("researcher")
    case.team.add(insider)
    assert names(search_people(researcher, "Секретов")) == []
    assert names(search_people(insider, "Секретов")) == ["Yerlan Secretov"]
    client.force_login(researcher)
    assert "Yerlan" not in client.get(reverse("cases:search"), {"q": "Secretov", "all": "1"}).content.decode()
    assert similar_people(researcher, "Yerlan Secretov") == []


def test_a_visible_person_shows_only_their_visible_cases(researcher, people):
    f.case("Ablyazov: secret track", who=people["ablyazov"], restricted=True)
    hit = search_people(researcher, "Ablyazov")[0]
    assert [case.title for case in hit["person"].visible_cases] == ["Ablyazov: Kazakhstan → France"]


def test_rank_puts_exact_before_similar(people):
    matches = rank("Ketebaev")
    assert matches[0].exact and not rank("Brzezinski")


def test_similar_people_for_duplicate_detection(researcher, people):
    assert [p.primary_name for p in similar_people(researcher, "Mukhtar Abliazov")] == ["Mukhtar Ablyazov"]
    assert [p.primary_name for p in similar_people(researcher, "Мухтар Аблязов")] == ["Mukhtar Ablyazov"]
    assert similar_people(researcher, "Ketebayev") == []  # a shared surname alone is not a duplicate


def test_search_page_takes_at_most_ten_queries_however_many_namesakes(client, researcher, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for number in range(30):
        namesake = f.person(f"Person{number} Ketebayev", variants=[f"Кетебаев {number}"])
        f.case(f"Namesake {number}", who=namesake)
    client.force_login(researcher)
    url = reverse("cases:search") + "?all=1&q=Кетебаев"
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url).content.decode()
    assert page.count('class="card result"') == 20  # the first twenty of 32 namesakes
    assert len(captured.captured_queries) <= 10, "\n".join(q["sql"] for q in captured.captured_queries)
