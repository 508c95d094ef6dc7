"""The database refuses bad data, with messages a researcher understands."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.models import ExtraditionRequest
from jurisdictions.models import Jurisdiction, TransferChannel
from people.models import NameVariant, Relationship
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_vague_date_is_stored_as_its_first_day_not_a_false_day():
    case = factories.case()
    event = factories.event(case, date=datetime.date(2016, 12, 17), date_precision="month")
    event.refresh_from_db()
    assert event.date == datetime.date(2016, 12, 1)
    assert event.date_display == "December 2016"


def test_a_date_is_required_unless_marked_unknown():
    case = factories.case()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.event(case, date=None, date_precision="year")
    unknown = factories.event(case, date=None, date_precision="unknown")
    assert unknown.date_display == "date unknown"


def test_between_needs_a_later_second_date():
    case = factories.case()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.event(case, date=datetime.date(2010, 1, 1), date_qualifier="between",
                        date_end=datetime.date(2009, 1, 1), date_precision="year")


def test_a_state_cannot_request_itself_and_the_message_says_so():
    case = factories.case()
    kz = factories.state("KZ")
    request = ExtraditionRequest(case=case, requesting_state=kz, requested_state=kz, date=datetime.date(2012, 1, 1))
    with pytest.raises(ValidationError) as error:
        request.full_clean()
    assert "does not request extradition from itself" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        request.save()


def test_on_behalf_of_must_be_a_third_state():
    case = factories.case()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.request(case, requesting="UA", requested="CZ", on_behalf_of=factories.state("UA"))


def test_jurisdiction_codes_are_iso_alpha2():
    with pytest.raises(IntegrityError), transaction.atomic():
        Jurisdiction.objects.create(code="k1", name="Nowhere")


def test_a_channel_links_two_different_states():
    kz = factories.state("KZ")
    with pytest.raises(IntegrityError), transaction.atomic():
        TransferChannel.objects.create(from_jurisdiction=kz, to_jurisdiction=kz, kind="bilateral_treaty")


def test_a_person_cannot_be_related_to_themselves():
    someone = factories.person("Aleksandr Pavlov")
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.create(person=someone, other=someone, kind="bodyguard", date_precision="unknown")


def test_the_same_spelling_twice_is_refused_but_soft_deleted_ones_do_not_block():
    someone = factories.person("Muratbek Ketebayev", variants=["Ketebaev"])
    with pytest.raises(IntegrityError), transaction.atomic():
        NameVariant.objects.create(person=someone, name="Ketebaev")
    variant = NameVariant.objects.get(person=someone, name="Ketebaev")
    variant.deleted_at = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    variant.save()
    NameVariant.objects.create(person=someone, name="Ketebaev")
    assert someone.names.filter(name="Ketebaev").count() == 1


def test_a_name_variant_stores_its_script_and_search_key():
    someone = factories.person("Mukhtar Ablyazov", variants=["Мухтар Аблязов"])
    cyrillic = someone.names.get(name="Мухтар Аблязов")
    assert cyrillic.script == "cyrillic"
    assert cyrillic.search_key == someone.names.get(name="Mukhtar Ablyazov").search_key
