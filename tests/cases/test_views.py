"""The researcher pages as a user meets them: scoping, the case page, editing in place."""

import datetime

import pytest
from django.urls import reverse

from cases.models import Charge, Decision, Event
from sources.models import Citation
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor_needed(settings):
    """Two-factor enrolment for lawyers and admins is tested with the security pages; here those
    roles are already past it."""
    settings.ONWARD_MFA_REQUIRED_ROLES = ()


@pytest.fixture
def paraskevich(researcher):
    person = f.person("Artem Paraskevich", variants=["Артём Параскевич", "Artyom Paraskevich"])
    case = f.case("Paraskevich: Ukraine → Czech Republic", who=person, persecuting="UA", host="CZ")
    case.assigned_to.add(researcher)
    charge = f.charge(case, "UA", offence="Fraud", article="Art. 190")
    request = f.request(case, "UA", "CZ", status="in_court")
    first = f.decision(case, request=request, body_name="Regional Court Prague", outcome="granted",
                       date=datetime.date(2016, 12, 1), date_precision="month")
    appeal = f.decision(case, request=request, body_name="High Court Prague", level="appeal", outcome="upheld",
                        reviews=first, date=datetime.date(2017, 3, 1), date_precision="month")
    f.decision(case, request=request, body_name="Minister of Justice", level="executive", outcome="granted",
               reviews=appeal, date=datetime.date(2017, 6, 1), date_precision="year")
    event = f.event(case, title="Arrested at Prague airport", date=datetime.date(2015, 2, 25))
    src = f.source("Amnesty appeal", publisher="Amnesty International")
    f.cite(event, src, quote="He was detained on arrival.")
    f.cite(charge, f.source("Prosecutor's statement", stance="supportive"), position="supports")
    f.cite(charge, f.source("Defence memorandum"), position="disputes")
    return case


@pytest.fixture
def restricted(make_user):
    insider = make_user("researcher", username="insider")
    person = f.person("Secret Person", variants=["Секретный"])
    case = f.case("Secret case", who=person, restricted=True)
    case.team.add(insider)
    charge = f.charge(case)
    request = f.request(case)
    decision = f.decision(case, request=request)
    event = f.event(case)
    citation = f.cite(event)
    return {"case": case, "objects": {"charge": charge, "request": request, "decision": decision, "event": event,
                                      "name": person.names.first(), "citation": citation}, "insider": insider}


def test_case_page_shows_person_names_chain_timeline_and_sources(client, researcher, paraskevich):
    client.force_login(researcher)
    page = client.get(reverse("cases:detail", args=[paraskevich.pk])).content.decode()
    assert "Артём Параскевич" in page and "Cyrillic" in page
    assert "Regional Court Prague" in page and "High Court Prague" in page and "Minister of Justice" in page
    assert page.index("Regional Court Prague") < page.index("High Court Prague") < page.index("Minister of Justice")
    assert "December 2016" in page and "25 February 2015" in page
    assert "He was detained on arrival." in page and "Amnesty International" in page
    assert "Supportive" in page and "Disputes the fact" in page
    assert "Contested" in page  # the charge has a source for it and one against it


def test_outsider_gets_404_on_every_url_of_a_restricted_case(client, make_user, restricted):
    outsider = make_user("researcher")
    client.force_login(outsider)
    case = restricted["case"]
    urls = [reverse("cases:detail", args=[case.pk]), reverse("cases:deleted", args=[case.pk]),
            reverse("cases:edit", args=[case.pk, "case", case.pk]),
            reverse("cases:edit", args=[case.pk, "person", case.person_id]),
            reverse("cases:add", args=[case.pk, "charge"]),
            reverse("cases:history", args=[case.pk, "case", case.pk])]
    for kind, obj in restricted["objects"].items():
        urls += [reverse("cases:edit", args=[case.pk, kind, obj.pk]),
                 reverse("cases:history", args=[case.pk, kind, obj.pk])]
    for url in urls:
        assert client.get(url).status_code == 404, url
    for kind, obj in restricted["objects"].items():
        assert client.post(reverse("cases:delete", args=[case.pk, kind, obj.pk])).status_code == 404
    assert Charge.objects.filter(pk=restricted["objects"]["charge"].pk).exists()
    list_page = client.get(reverse("cases:list")).content.decode()
    assert "Secret case" not in list_page


def test_records_of_another_case_are_not_reachable_through_a_visible_case(client, researcher, paraskevich, restricted):
    client.force_login(researcher)
    charge = restricted["objects"]["charge"]
    assert client.get(reverse("cases:edit", args=[paraskevich.pk, "charge", charge.pk])).status_code == 404
    assert client.get(reverse("cases:history", args=[paraskevich.pk, "charge", charge.pk])).status_code == 404


def test_viewer_sees_no_edit_buttons_and_gets_403_on_edit_urls(client, viewer, paraskevich):
    client.force_login(viewer)
    page = client.get(reverse("cases:detail", args=[paraskevich.pk])).content.decode()
    assert "Add charge" not in page and ">Edit<" not in page
    charge = paraskevich.charges.get()
    assert client.get(reverse("cases:edit", args=[paraskevich.pk, "charge", charge.pk])).status_code == 403
    assert client.post(reverse("cases:add", args=[paraskevich.pk, "charge"]), {"offence": "x"}).status_code == 403
    assert client.post(reverse("cases:delete", args=[paraskevich.pk, "charge", charge.pk])).status_code == 403
    assert not charge.__class__.all_objects.get(pk=charge.pk).is_deleted


def test_lawyer_cannot_edit(client, lawyer, paraskevich):
    client.force_login(lawyer)
    assert client.get(reverse("cases:add", args=[paraskevich.pk, "event"])).status_code == 403


def test_add_decision_with_new_source_appears_on_timeline(client, researcher, paraskevich):
    client.force_login(researcher)
    url = reverse("cases:add", args=[paraskevich.pk, "decision"])
    response = client.post(url, {
        "date_input": "Dec 2019", "body_name": "Supreme Court of the Czech Republic", "level": "cassation",
        "outcome": "annulled", "claim_status": "established",
        "new_source_title": "Judgment 8 Tz 12/2019", "new_source_kind": "court_document",
        "new_source_stance": "neutral", "cite_quote": "The decree is annulled.", "cite_position": "supports",
    })
    assert response.status_code == 302
    decision = Decision.objects.get(body_name="Supreme Court of the Czech Republic")
    assert decision.date_precision == "month" and decision.date_display == "December 2019"
    assert decision.citations.get().source.title == "Judgment 8 Tz 12/2019"
    page = client.get(reverse("cases:detail", args=[paraskevich.pk])).content.decode()
    assert "Supreme Court of the Czech Republic" in page and "The decree is annulled." in page


def test_invalid_date_is_explained_and_nothing_is_saved(client, researcher, paraskevich):
    client.force_login(researcher)
    before = Event.objects.count()
    response = client.post(reverse("cases:add", args=[paraskevich.pk, "event"]), {
        "date_input": "the 45th of Smarch", "kind": "arrest", "title": "Arrest", "claim_status": "asserted",
        "new_source_title": "Some report",
    })
    assert response.status_code == 422
    assert "is not a date we can read" in response.content.decode()
    assert Event.objects.count() == before
    assert not Citation.objects.filter(source__title="Some report").exists()


def test_htmx_form_errors_come_back_in_place(client, researcher, paraskevich):
    client.force_login(researcher)
    response = client.post(reverse("cases:add", args=[paraskevich.pk, "charge"]),
                           {"date_input": "2009", "category": "economic", "claim_status": "asserted"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "This field is required." in body


def test_request_between_one_state_is_refused_in_words(client, researcher, paraskevich):
    client.force_login(researcher)
    ua = f.state("UA").pk
    response = client.post(reverse("cases:add", args=[paraskevich.pk, "request"]), {
        "date_input": "2014", "requesting_state": ua, "requested_state": ua, "status": "received",
        "interpol_notice": "none", "claim_status": "asserted"})
    assert "A state does not request extradition from itself." in response.content.decode()
    assert paraskevich.requests.count() == 1


def test_case_list_hides_restricted_and_filters_by_requested_state(client, researcher, paraskevich, restricted):
    other = f.case("Someone in Spain", host="ES")
    f.request(other, "KZ", "ES")
    client.force_login(researcher)
    page = client.get(reverse("cases:list"), {"requested_state": f.state("CZ").pk}).content.decode()
    assert "Paraskevich" in page and "Someone in Spain" not in page and "Secret case" not in page


def test_dashboard_shows_my_cases_and_upcoming_hearings(client, researcher, paraskevich):
    import datetime as dt

    from django.utils import timezone
    f.event(paraskevich, kind="hearing", title="Appeal hearing in Prague",
            date=timezone.localdate() + dt.timedelta(days=10))
    client.force_login(researcher)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Paraskevich: Ukraine → Czech Republic" in page and "Appeal hearing in Prague" in page


def test_cite_an_existing_source_for_an_existing_fact_and_edit_the_citation(client, researcher, paraskevich):
    client.force_login(researcher)
    event = paraskevich.events.get()
    report = f.source("HRW report", publisher="Human Rights Watch")
    url = reverse("cases:add", args=[paraskevich.pk, "citation"]) + f"?fact=event-{event.pk}"
    response = client.post(url, {"fact": f"event-{event.pk}", "source": report.pk, "quote": "Detained at the airport.",
                                 "page": "p. 4", "position": "supports"})
    assert response.status_code == 302
    citation = event.citations.get(source=report)
    assert (citation.quote, citation.page) == ("Detained at the airport.", "p. 4")
    edit = reverse("cases:edit", args=[paraskevich.pk, "citation", citation.pk])
    client.post(edit, {"version": citation.version, "source": report.pk, "quote": "Detained at the airport.",
                       "page": "p. 5", "position": "disputes"})
    citation.refresh_from_db()
    assert (citation.page, citation.position) == ("p. 5", "disputes")


def test_citing_a_fact_of_another_case_is_refused(client, researcher, paraskevich):
    other_event = f.event(f.case("Other"))
    client.force_login(researcher)
    url = reverse("cases:add", args=[paraskevich.pk, "citation"]) + f"?fact=event-{other_event.pk}"
    assert client.get(url).status_code == 404


def test_edit_the_person_from_the_case_page(client, researcher, paraskevich):
    client.force_login(researcher)
    person = paraskevich.person
    response = client.post(reverse("cases:edit", args=[paraskevich.pk, "person", person.pk]), {
        "version": person.version, "primary_name": "Tatiana Paraskevich", "citizenships": [f.state("UA").pk],
        "residence": f.state("CZ").pk, "whereabouts_city": "Prague", "claim_status": "asserted"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.primary_name == "Tatiana Paraskevich" and [c.code for c in person.citizenships.all()] == ["UA"]
    assert person.whereabouts_city == "Prague"


# --- queries: at most 10 per page, whatever its size (session, user and roles included) ------

MAX_QUERIES = 10


def queries_of(client, url):
    """Every query the request issues, through the whole middleware stack."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # the first request after log-in records the session in allauth's list
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in captured.captured_queries]


def test_case_page_takes_at_most_ten_queries_however_many_facts(client, researcher, paraskevich):
    from people.models import Affiliation, Organisation, PoliticalRole, Protection

    client.force_login(researcher)
    url = reverse("cases:detail", args=[paraskevich.pk])
    _, few = queries_of(client, url)
    person = paraskevich.person
    party = Organisation.objects.create(name="Party", kind="party")
    for number in range(40):
        event = f.event(paraskevich, title=f"Event {number}")
        f.cite(event, f.source(f"Source {number}"))
        f.charge(paraskevich, offence=f"Charge {number}")
        f.decision(paraskevich, body_name=f"Court {number}")
        Protection.objects.create(person=person, kind="asylum", granted_by=f.state("CZ"),
                                  date=datetime.date(2010, 1, 1), date_precision="year", notes=f"P{number}")
        PoliticalRole.objects.create(person=person, role="activist", title=f"Role {number}",
                                     date=datetime.date(2011, 1, 1), date_precision="year")
        Affiliation.objects.create(person=person, organisation=party, kind="member", title=f"Member {number}",
                                   date_precision="unknown")
    page, many = queries_of(client, url)
    assert "Event 39" in page and "Charge 39" in page and "Court 39" in page and "Role 39" in page
    assert "Member 39" in page
    assert len(many) == len(few) <= MAX_QUERIES, "\n".join(many)


def test_case_list_takes_at_most_ten_queries_whatever_the_page_size(client, researcher, paraskevich):
    for number in range(60):
        the_case = f.case(f"Case {number}", who=f.person(f"Person {number}"), host="CZ")
        f.request(the_case, "UA", "CZ")
    client.force_login(researcher)
    _, small = queries_of(client, reverse("cases:list") + "?per_page=25")
    page, large = queries_of(client, reverse("cases:list") + "?per_page=100&requested_state="
                             + str(f.state("CZ").pk))
    assert "Case 59" in page
    assert len(small) <= MAX_QUERIES and len(large) <= MAX_QUERIES, "\n".join(large)


def test_citation_names_the_cited_file_and_page(client, researcher, paraskevich):
    import hashlib

    from sources.models import Document

    event = Event.objects.get(case=paraskevich)
    source = f.source("Court ruling")
    document = Document.objects.create(source=source, file="documents/ruling.pdf", original_name="ruling.pdf",
                                       sha256=hashlib.sha256(b"ruling").hexdigest(), size=6,
                                       media_type="application/pdf", page_count=3)
    Citation.objects.create(source=source, fact=event, quote="Detained at the airport.", page="§ 4",
                            document=document, document_page=2)
    client.force_login(researcher)
    page = client.get(reverse("cases:detail", args=[paraskevich.pk])).content.decode()
    assert f"ruling.pdf p. 2, sha256 {document.sha256[:12]}…" in page and "§ 4" in page
    assert reverse("sources:document", args=[document.pk]) in page
