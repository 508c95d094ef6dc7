"""A record's history in words, and restoring an earlier version (itself a new, audited version)."""

import pytest
from django.urls import reverse

from audit.models import AccessEvent
from cases.models import Charge
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor_needed(settings):
    settings.ONWARD_MFA_REQUIRED_ROLES = ()


def edit_offence(client, case, charge, offence):
    charge.refresh_from_db()
    return client.post(reverse("cases:edit", args=[case.pk, "charge", charge.pk]), {
        "version": charge.version, "date_input": "2009", "charging_state": charge.charging_state_id,
        "offence": offence, "category": "economic", "status": "charged", "claim_status": "asserted"})


def test_history_shows_who_changed_what_from_what_to_what(client, researcher):
    case = f.case("History case")
    charge = f.charge(case, offence="Embezzlement")
    client.force_login(researcher)
    edit_offence(client, case, charge, "Fraud on a large scale")
    page = client.get(reverse("cases:history", args=[case.pk, "charge", charge.pk])).content.decode()
    assert "rita" in page and "Offence" in page and "Embezzlement" in page and "Fraud on a large scale" in page
    assert page.index("Changed") < page.index("Created")  # newest first


def test_restore_an_earlier_version(client, researcher):
    case = f.case("Restore case")
    charge = f.charge(case, offence="Embezzlement")
    client.force_login(researcher)
    edit_offence(client, case, charge, "Fraud")
    first = charge.history.order_by("history_date").first()
    charge.refresh_from_db()
    response = client.post(reverse("cases:restore", args=[case.pk, "charge", charge.pk, first.history_id]),
                           {"version": charge.version})
    assert response.status_code == 302
    restored = Charge.objects.get(pk=charge.pk)
    assert restored.offence == "Embezzlement" and restored.version == 3
    assert charge.history.count() == 3  # the restore is a new version, not a rewrite of the past
    event = AccessEvent.objects.get(action="restore")
    assert event.case_id == case.pk and event.user == researcher


def test_a_stale_restore_is_refused(client, researcher):
    case = f.case("Stale restore")
    charge = f.charge(case, offence="Embezzlement")
    client.force_login(researcher)
    edit_offence(client, case, charge, "Fraud")
    first = charge.history.order_by("history_date").first()
    response = client.post(reverse("cases:restore", args=[case.pk, "charge", charge.pk, first.history_id]),
                           {"version": 1}, follow=True)
    assert "changed by someone else" in response.content.decode()
    assert Charge.objects.get(pk=charge.pk).offence == "Fraud"


def test_viewer_cannot_restore(client, viewer):
    case = f.case("Viewer restore")
    charge = f.charge(case)
    client.force_login(viewer)
    history = charge.history.first()
    assert client.post(reverse("cases:restore", args=[case.pk, "charge", charge.pk, history.history_id]),
                       {"version": 1}).status_code == 403
