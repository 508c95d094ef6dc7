"""Admins purge soft-deleted records for good; the purge is in the access log."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.models import AccessEvent, Action
from cases.models import Charge
from core.editing import soft_delete
from core.purge import PurgeRefused, purge
from tests import factories

pytestmark = pytest.mark.django_db


def test_admin_purges_a_deleted_charge_and_its_history(admin_user):
    case = factories.case()
    charge = factories.charge(case, offence="Wrongly entered")
    soft_delete(charge, admin_user)
    assert purge(Charge.all_objects.filter(pk=charge.pk), admin_user) == 1
    assert not Charge.all_objects.filter(pk=charge.pk).exists()
    assert not Charge.history.filter(id=charge.pk).exists()
    event = AccessEvent.objects.get(action=Action.PURGE)
    assert (event.user, event.case_id, event.details["was"]) == (admin_user, case.pk, str(charge))


def test_live_records_and_non_admins_cannot_be_purged(admin_user, researcher):
    charge = factories.charge(factories.case())
    with pytest.raises(PurgeRefused, match="not deleted"):
        purge([charge], admin_user)
    soft_delete(charge, admin_user)
    with pytest.raises(PurgeRefused, match="Only an admin"):
        purge([charge], researcher)
    assert Charge.all_objects.filter(pk=charge.pk).exists()
    assert not AccessEvent.objects.filter(action=Action.PURGE).exists()


def test_purge_command_counts_then_purges(admin_user):
    charge = factories.charge(factories.case())
    soft_delete(charge, admin_user)
    out = io.StringIO()
    call_command("purge_deleted", "--as", admin_user.username, "--older-than-days", "0", stdout=out)
    assert "cases.Charge: 1 would be purged" in out.getvalue()
    assert Charge.all_objects.filter(pk=charge.pk).exists()
    call_command("purge_deleted", "--as", admin_user.username, "--older-than-days", "0", "--yes", stdout=out)
    assert not Charge.all_objects.filter(pk=charge.pk).exists()
    assert AccessEvent.objects.filter(action=Action.PURGE).count() == 1


def test_admin_action_purges_from_the_changelist(client, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    charge = factories.charge(factories.case())
    soft_delete(charge, admin_user)
    response = client.post(reverse("admin:cases_charge_changelist"),
                           {"action": "purge_deleted", "_selected_action": [charge.pk]}, follow=True)
    assert "1 deleted record(s) purged for good." in response.content.decode()
    assert AccessEvent.objects.filter(action=Action.PURGE, user=admin_user).exists()
