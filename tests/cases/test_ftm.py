import datetime
import json

import pytest
from django.urls import reverse
from followthemoney import model
from followthemoney.types import registry

from audit.models import AccessEvent
from cases.exports import ftm
from cases.models import Case
from people.models import Affiliation, Organisation, Relationship
from sources.models import Citation, Document
from tests import factories


@pytest.fixture(autouse=True)
def _no_second_factor_prompt(settings):
    # Two-factor enrolment (issue 7) is tested on its own; here lawyers go straight to the export.
    settings.ONWARD_MFA_REQUIRED_ROLES = []


def validate(entities):
    """Every entity is a concrete FtM schema, every property exists on it, every value is valid
    for its type, required properties are present and every reference points at an exported
    entity of the right schema."""
    by_id = {entity["id"]: entity for entity in entities}
    assert len(by_id) == len(entities), "ids are unique"
    for entity in entities:
        schema = model.get(entity["schema"])
        assert schema is not None and not schema.abstract, entity["schema"]
        assert schema.validate(entity) is None, (entity, schema.validate(entity))
        for name, values in entity["properties"].items():
            prop = schema.properties.get(name)
            assert prop is not None, f"{entity['schema']} has no property {name}"
            for value in values:
                if prop.type == registry.entity:
                    target = by_id.get(value)
                    assert target is not None, f"{entity['id']}.{name} → missing {value}"
                    assert model.get(target["schema"]).is_a(prop.range), (name, target["schema"], prop.range)
                else:
                    assert prop.type.validate(value), f"{entity['schema']}.{name}: {value!r} is not a valid {prop.type}"
        proxy = model.get_proxy(entity)
        assert proxy.id == entity["id"]
    return by_id


@pytest.fixture
def case(db):
    kz = factories.state("KZ")
    factories.state("ES")
    person = factories.person("Mukhtar Ablyazov", variants=["Мухтар Аблязов", "Moukhtar Abliazov"],
                              whereabouts_city="Paris", whereabouts_address="1 rue Secrète", phone="+33 6 12 34 56 78")
    person.citizenships.add(kz)
    the_case = factories.case("Ablyazov", who=person, host="FR")
    court = Organisation.objects.create(name="Aix-en-Provence Court of Appeal", kind="court")
    prosecutor = Organisation.objects.create(name="Financial Police", kind="prosecutor")
    party = Organisation.objects.create(name="Democratic Choice of Kazakhstan", kind="party")
    request = factories.request(the_case, requesting="KZ", requested="ES", interpol_notice="red")
    factories.charge(the_case, offence="Embezzlement", article="Art. 176", brought_by=prosecutor)
    decision = factories.decision(the_case, body=court, body_name="", request=request)
    factories.decision(the_case, body_name="Conseil d'État", jurisdiction=factories.state("FR"),
                       date=datetime.date(2016, 12, 1), date_precision="month", outcome="annulled")
    factories.event(the_case, title="Arrested near Nice")
    factories.event(the_case, title="Safe house move", confidential=True)
    wife = factories.person("Alma Shalabayeva")
    Relationship.objects.create(person=person, other=wife, kind="spouse", date_precision="unknown")
    Relationship.objects.create(person=person, other=factories.person("Aleksandr Pavlov"), kind="bodyguard", date_precision="unknown")
    Affiliation.objects.create(person=person, organisation=party, kind="founder", date=datetime.date(2001, 1, 1),
                               date_precision="year")
    source = factories.source("Court ruling")
    document = Document(source=source, original_name="ruling.pdf", sha256="ab" * 32, size=1234,
                        media_type="application/pdf", page_count=3)
    document.file.name = "documents/ab/" + "ab" * 32
    document.save()
    Citation.objects.create(source=source, fact=decision, document=document, document_page=2, page="p. 2")
    return the_case


def test_a_case_exports_as_valid_followthemoney_entities(case, lawyer):
    by_id = validate(ftm.entities(Case.objects.filter(pk=case.pk), lawyer))
    schemas = {entity["schema"] for entity in by_id.values()}
    assert schemas == {"Associate", "CourtCase", "CourtCaseParty", "Document", "Documentation", "Event", "Family",
                       "Membership", "Organization", "Person", "PublicBody", "Sanction"}
    person = by_id[ftm.entity_id("person", case.person.pk)]
    assert sorted(person["properties"]["alias"]) == ["Moukhtar Abliazov", "Мухтар Аблязов"]
    assert person["properties"]["nationality"] == ["kz"]
    courts = [e["properties"]["name"][0] for e in by_id.values() if e["schema"] == "PublicBody"]
    assert "Aix-en-Provence Court of Appeal" in courts and "Conseil d'État" in courts
    documentation = next(e for e in by_id.values() if e["schema"] == "Documentation")
    assert documentation["properties"]["role"] == ["Supports the fact, p. 2"]
    assert "sha256 " + "ab" * 32 in documentation["properties"]["summary"][0]
    dates = {e["properties"]["name"][0]: e["properties"].get("date") for e in by_id.values() if e["schema"] == "Event"}
    assert any(value == ["2016-12"] for value in dates.values())


def test_confidential_facts_and_whereabouts_are_left_out_unless_asked_and_allowed(case, lawyer, make_user):
    names = lambda entities: {e["properties"]["name"][0] for e in entities if e["schema"] == "Event"}  # noqa: E731
    cases = Case.objects.filter(pk=case.pk)
    plain = ftm.entities(cases, lawyer)
    assert not any("Safe house" in name for name in names(plain))
    person = next(e for e in plain if e["id"] == ftm.entity_id("person", case.person.pk))
    assert not {"address", "phone"} & set(person["properties"])

    assert ftm.entities(cases, lawyer, include_confidential=True) == plain  # asked, but not on the team

    case.team.add(lawyer)
    full = validate(ftm.entities(cases, lawyer, include_confidential=True))
    assert any("Safe house" in name for name in names(full.values()))
    assert full[ftm.entity_id("person", case.person.pk)]["properties"]["address"] == ["1 rue Secrète, Paris"]


def test_download_is_scoped_and_audited(client, case, make_user):
    exporter = make_user("lawyer")
    secret = factories.case("Secret client", restricted=True)
    client.force_login(exporter)
    response = client.get(reverse("ftm_download"))
    lines = [json.loads(line) for line in response.content.decode().splitlines()]
    validate(lines)
    titles = {e["properties"]["name"][0] for e in lines if e["schema"] == "Person"}
    assert "Mukhtar Ablyazov" in titles and secret.person.primary_name not in titles
    assert response["Content-Disposition"].startswith('attachment; filename="onward-cases-')
    assert client.get(reverse("ftm_download"), {"case": secret.pk}).status_code == 404
    event = AccessEvent.objects.get(action="export")
    assert event.details["format"] == "ftm" and event.details["cases"] == [case.pk]


def test_viewers_and_researchers_cannot_export(client, viewer, case):
    client.force_login(viewer)
    assert client.get(reverse("ftm_download")).status_code == 403


def test_schemas_cover_courts_prosecutors_notices_files_and_family(case, lawyer):
    by_id = validate(ftm.entities(Case.objects.filter(pk=case.pk), lawyer))
    by_name = {e["properties"]["name"][0]: e for e in by_id.values() if "name" in e["properties"]}
    assert by_name["Aix-en-Provence Court of Appeal"]["schema"] == "PublicBody"
    assert by_name["Financial Police"]["schema"] == "PublicBody"  # the prosecutor who brought the charge
    assert by_name["Democratic Choice of Kazakhstan"]["schema"] == "Organization"
    parties = {(e["properties"]["role"][0], by_id[e["properties"]["party"][0]]["properties"]["name"][0])
               for e in by_id.values() if e["schema"] == "CourtCaseParty"}
    assert ("Person sought", "Mukhtar Ablyazov") in parties and ("Prosecution", "Financial Police") in parties
    notice = next(e for e in by_id.values() if e["schema"] == "Sanction")
    assert notice["properties"]["authority"] == ["Interpol"]
    assert notice["properties"]["program"] == ["Interpol red notice"]
    document = next(e for e in by_id.values() if e["schema"] == "Document")
    assert document["properties"]["fileName"] == ["ruling.pdf"]
    family = next(e for e in by_id.values() if e["schema"] == "Family")
    assert by_id[family["properties"]["relative"][0]]["properties"]["name"] == ["Alma Shalabayeva"]


def test_the_case_page_offers_the_followthemoney_export_of_that_case(client, case, lawyer):
    client.force_login(lawyer)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    link = f'{reverse("ftm_download")}?case={case.pk}'
    assert f'href="{link}"' in page and "Export FollowTheMoney" in page
    response = client.get(link)
    lines = validate([json.loads(line) for line in response.content.decode().splitlines()])
    assert {e["properties"]["name"][0] for e in lines.values() if e["schema"] == "Person"} >= {"Mukhtar Ablyazov"}
    assert response["Content-Disposition"].startswith(f'attachment; filename="onward-case-{case.pk}-')
    event = AccessEvent.objects.get(action="export")
    assert (event.case_id, event.details["format"], event.details["cases"]) == (case.pk, "ftm", [case.pk])


def test_the_case_list_exports_its_filtered_selection_and_an_outsider_never_gets_a_restricted_case(
        client, case, make_user):
    closed = factories.case("Closed matter", status="closed")
    secret = factories.case("Secret closed matter", status="closed", restricted=True)
    outsider = make_user("lawyer")
    client.force_login(outsider)
    page = client.get(reverse("cases:list"), {"status": "closed"}).content.decode()
    link = f'{reverse("ftm_download")}?status=closed'
    assert f'href="{link}' in page and "Export FollowTheMoney" in page

    response = client.get(reverse("ftm_download"), {"status": "closed", "per_page": "25"})
    entities = validate([json.loads(line) for line in response.content.decode().splitlines()])
    people = {e["properties"]["name"][0] for e in entities.values() if e["schema"] == "Person"}
    assert closed.person.primary_name in people
    assert "Mukhtar Ablyazov" not in people  # open, so outside the selection
    assert secret.person.primary_name not in people  # closed, but restricted to its team
    assert not any(secret.title in json.dumps(e) for e in entities.values())
    event = AccessEvent.objects.get(action="export")
    assert event.details["cases"] == [closed.pk] and event.details["filters"] == {"status": "closed"}

    assert client.get(reverse("ftm_download"), {"status": "nonsense"}).status_code == 400

    secret.team.add(outsider)  # on the team, the same selection holds it
    again = client.get(reverse("ftm_download"), {"status": "closed"}).content.decode()
    assert secret.person.primary_name in again


def test_viewers_do_not_see_the_export_links(client, viewer, case):
    client.force_login(viewer)
    assert "Export FollowTheMoney" not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Export FollowTheMoney" not in client.get(reverse("cases:list")).content.decode()
