"""Editing from the case page: concurrent edits refused with what changed, soft delete and undo,
duplicate people offered before a new one is created."""

import pytest
from django.urls import reverse

from cases.models import Case, Charge
from people.models import NameVariant, Person
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor_needed(settings):
    settings.ONWARD_MFA_REQUIRED_ROLES = ()


@pytest.fixture
def case(researcher):
    the_case = f.case("Ketebayev: Kazakhstan → Poland", who=f.person("Amanzhol Ketebayev"))
    the_case.assigned_to.add(researcher)
    return the_case


def charge_form(charge, **changes):
    data = {"version": charge.version, "date_input": charge.date_display, "charging_state": charge.charging_state_id,
            "offence": charge.offence, "article": charge.article, "category": charge.category,
            "status": charge.status, "sentence": charge.sentence, "victim": charge.victim,
            "claim_status": charge.claim_status, "notes": charge.notes}
    data.update(changes)
    return data


def test_second_save_is_refused_and_shows_what_the_other_person_changed(client, researcher, make_user, case):
    charge = f.charge(case, offence="Embezzlement")
    url = reverse("cases:edit", args=[case.pk, "charge", charge.pk])
    other = make_user("researcher", username="olga")
    first, second = client, client.__class__()
    first.force_login(other)
    second.force_login(researcher)
    mine = charge_form(charge, offence="Embezzlement of BTA Bank funds")
    theirs = charge_form(charge, offence="Fraud", article="Art. 176")
    assert first.post(url, theirs).status_code == 302
    response = second.post(url, mine)
    assert response.status_code == 409
    page = response.content.decode()
    assert "olga changed this charge" in page and "Nothing was overwritten" in page
    assert "Fraud" in page and "Art. 176" in page  # their values
    assert 'value="Embezzlement of BTA Bank funds"' in page  # my input is kept
    stored = Charge.objects.get(pk=charge.pk)
    assert (stored.offence, stored.article, stored.version) == ("Fraud", "Art. 176", 2)
    # Saving again is an explicit choice, made with the fresh version the form now carries.
    fresh_version = response.context["form"]["version"].value()
    assert str(fresh_version) == "2"
    assert second.post(url, {**mine, "version": fresh_version}).status_code == 302
    assert Charge.objects.get(pk=charge.pk).offence == "Embezzlement of BTA Bank funds"


def test_delete_is_soft_and_can_be_undone(client, researcher, case):
    charge = f.charge(case, offence="Insult of the President")
    client.force_login(researcher)
    response = client.post(reverse("cases:delete", args=[case.pk, "charge", charge.pk]))
    assert response.status_code == 302 and f"deleted=charge-{charge.pk}" in response["Location"]
    assert not Charge.objects.filter(pk=charge.pk).exists()
    assert Charge.all_objects.get(pk=charge.pk).is_deleted
    page = client.get(response["Location"]).content.decode()
    assert "Undo" in page and "Insult of the President" not in page.split("undo-bar")[-1].split("Charges")[1][:400]
    deleted_page = client.get(reverse("cases:deleted", args=[case.pk])).content.decode()
    assert "Insult of the President" in deleted_page
    client.post(reverse("cases:undelete", args=[case.pk, "charge", charge.pk]))
    assert Charge.objects.get(pk=charge.pk).offence == "Insult of the President"
    assert "Insult of the President" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_name_variant_is_added_from_the_case_page_with_its_key(client, researcher, case):
    client.force_login(researcher)
    response = client.post(reverse("cases:add", args=[case.pk, "name"]),
                           {"name": "Кетебаев Аманжол", "kind": "native", "system": "Russian"})
    assert response.status_code == 302
    variant = NameVariant.objects.get(name="Кетебаев Аманжол")
    assert variant.person_id == case.person_id and variant.script == "cyrillic" and variant.search_key
    again = client.post(reverse("cases:add", args=[case.pk, "name"]), {"name": "Кетебаев Аманжол", "kind": "native"})
    assert "already has this spelling" in again.content.decode()


def test_new_person_with_a_close_name_is_offered_first(client, researcher, case):
    client.force_login(researcher)
    form = {"title": "Ketebaev again", "person_name": "Amanzhol Ketebaev",
            "persecuting_state": f.state("KZ").pk}
    response = client.post(reverse("cases:new"), form)
    page = response.content.decode()
    assert "Already recorded" in page and "Amanzhol Ketebayev" in page
    assert Person.objects.count() == 1 and Case.objects.count() == 1
    use_existing = client.post(reverse("cases:new"), {**form, "existing_person": case.person_id})
    assert use_existing.status_code == 302
    assert Case.objects.get(title="Ketebaev again").person_id == case.person_id
    anyway = client.post(reverse("cases:new"), {**form, "title": "Another man", "create_anyway": "on"})
    assert anyway.status_code == 302 and Person.objects.count() == 2


def test_a_new_case_for_a_new_person_assigns_its_creator(client, researcher):
    client.force_login(researcher)
    response = client.post(reverse("cases:new"), {"title": "Nurlan: Kazakhstan → Ukraine", "person_name": "Nurlan Ospanov",
                                                   "persecuting_state": f.state("KZ").pk, "host_state": f.state("UA").pk})
    case = Case.objects.get(title="Nurlan: Kazakhstan → Ukraine")
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert list(case.assigned_to.all()) == [researcher] and case.person.names.get().kind == "primary"


def test_confidential_fact_and_whereabouts_only_for_the_team(client, researcher, make_user, case):
    case.person.whereabouts_city = "Kraków"
    case.person.save()
    secret = f.event(case, title="Safe house move", confidential=True)
    outsider = make_user("researcher")
    client.force_login(outsider)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Safe house move" not in page and "Kraków" not in page
    assert client.get(reverse("cases:edit", args=[case.pk, "event", secret.pk])).status_code == 404
    client.force_login(researcher)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Safe house move" in page and "Kraków" in page


# --- the person's facts, edited in place from the case page -------------------------------------

def htmx(client, method, url, data=None):
    return getattr(client, method)(url, data or {}, headers={"HX-Request": "true"})


def test_add_protection_status_from_the_case_page_in_place(client, researcher, case):
    from people.models import Protection

    client.force_login(researcher)
    url = reverse("cases:add", args=[case.pk, "protection"])
    form = htmx(client, "get", url)
    assert form.status_code == 200 and "Add protection status" in form.content.decode()
    response = htmx(client, "post", url, {"kind": "asylum", "outcome": "granted", "granted_by": f.state("PL").pk,
                                          "against_state": f.state("KZ").pk, "date_input": "March 2013",
                                          "claim_status": "established"})
    assert response.status_code == 204 and response["HX-Redirect"].startswith(f"/cases/{case.pk}/")
    protection = Protection.objects.get(person=case.person)
    assert (protection.kind, protection.date_precision, protection.created_by) == ("asylum", "month", researcher)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'id="protection-{protection.pk}"' in page and "Political asylum granted by Poland against Kazakhstan" in page
    assert protection.history.count() == 1


def test_invalid_person_fact_is_explained_in_place_and_nothing_is_saved(client, researcher, case):
    from people.models import Protection

    client.force_login(researcher)
    response = htmx(client, "post", reverse("cases:add", args=[case.pk, "protection"]),
                    {"kind": "asylum", "outcome": "granted", "granted_by": f.state("KZ").pk,
                     "against_state": f.state("KZ").pk, "date_input": "the 45th of Smarch", "claim_status": "asserted"})
    page = response.content.decode()
    assert response.status_code == 200 and "edit-form" in page  # the form again, swapped in place
    assert "nothing was saved" in page.lower() or "does not grant protection against itself" in page
    assert not Protection.all_objects.filter(person=case.person).exists()


def test_political_role_edit_conflict_is_refused_with_what_changed(client, researcher, make_user, case):
    from people.models import PoliticalRole

    role = PoliticalRole.objects.create(person=case.person, role="opposition_politician", title="Party founder",
                                       date_precision="unknown")
    url = reverse("cases:edit", args=[case.pk, "role", role.pk])
    other = make_user("researcher", username="olga")
    first, second = client, client.__class__()
    first.force_login(other)
    second.force_login(researcher)
    base = {"version": role.version, "role": role.role, "claim_status": "asserted", "date_input": ""}
    assert first.post(url, {**base, "title": "Chairman of the party"}).status_code == 302
    response = htmx(second, "post", url, {**base, "title": "Former minister"})
    page = response.content.decode()
    assert "olga changed this political role" in page and "Chairman of the party" in page
    role.refresh_from_db()
    assert (role.title, role.version) == ("Chairman of the party", 2)


def test_affiliation_delete_is_soft_and_undone_from_the_case_page(client, researcher, case):
    from people.models import Affiliation, Organisation

    party = Organisation.objects.create(name="Democratic Choice of Kazakhstan", kind="party")
    affiliation = Affiliation.objects.create(person=case.person, organisation=party, kind="founder",
                                             date_precision="unknown")
    client.force_login(researcher)
    response = client.post(reverse("cases:delete", args=[case.pk, "affiliation", affiliation.pk]), follow=True)
    page = response.content.decode()
    assert "Deleted the affiliation" in page and "Undo" in page
    assert f'id="affiliation-{affiliation.pk}"' not in page
    assert Affiliation.all_objects.get(pk=affiliation.pk).is_deleted
    client.post(reverse("cases:undelete", args=[case.pk, "affiliation", affiliation.pk]))
    assert not Affiliation.objects.get(pk=affiliation.pk).is_deleted
    history = client.get(reverse("cases:history", args=[case.pk, "affiliation", affiliation.pk])).content.decode()
    assert history.count('class="card version"') == 3  # created, deleted, undeleted: all kept


def test_relationship_names_the_other_person_by_any_spelling_and_asks_when_several_match(client, researcher, case):
    from people.models import Relationship

    pavlov = f.person("Sergey Pavlov", variants=["Сергей Павлов"])
    f.case("Pavlov", who=pavlov)
    client.force_login(researcher)
    url = reverse("cases:add", args=[case.pk, "relationship"])
    data = {"kind": "bodyguard", "other_name": "Павлов", "claim_status": "asserted", "date_input": "2009"}
    assert client.post(url, data).status_code == 302
    relationship = Relationship.objects.get(person=case.person)
    assert relationship.other == pavlov and relationship.date_precision == "year"
    # A second Pavlov: the form asks which one, and saves nothing until told.
    other_pavlov = f.person("Igor Pavlov", birth_year=1970)
    f.case("Igor Pavlov", who=other_pavlov)
    ambiguous = client.post(url, {**data, "kind": "associate", "other_name": "Pavlov"})
    page = ambiguous.content.decode()
    assert ambiguous.status_code == 422 and "2 people have a name like" in page and "Igor Pavlov (born 1970)" in page
    assert client.post(url, {**data, "kind": "associate", "other_name": "Pavlov", "other": other_pavlov.pk}
                       ).status_code == 302
    assert Relationship.objects.filter(person=case.person, other=other_pavlov, kind="associate").exists()


def test_relationship_cannot_name_a_person_known_only_through_a_restricted_case(client, researcher, case):
    hidden = f.person("Secret Witness")
    f.case("Secret", who=hidden, restricted=True)
    client.force_login(researcher)
    response = client.post(reverse("cases:add", args=[case.pk, "relationship"]), {
        "kind": "associate", "other_name": "Secret Witness", "other": hidden.pk, "claim_status": "asserted"})
    assert response.status_code == 422 and "No recorded person has a name like this" in response.content.decode()


def test_person_facts_of_another_case_are_not_reachable(client, researcher, case):
    from people.models import Protection

    elsewhere = f.case("Other", who=f.person("Someone Else"))
    protection = Protection.objects.create(person=elsewhere.person, kind="asylum", granted_by=f.state("FR"),
                                           date_precision="unknown")
    client.force_login(researcher)
    assert client.get(reverse("cases:edit", args=[case.pk, "protection", protection.pk])).status_code == 404
    assert client.post(reverse("cases:delete", args=[case.pk, "protection", protection.pk])).status_code == 404
