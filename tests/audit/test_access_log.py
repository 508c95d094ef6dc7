"""The access log records who did what from where; admins filter it; nobody can change it."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from audit.models import AccessEvent, Action
from tests import factories

pytestmark = pytest.mark.django_db


def test_role_and_team_changes_are_recorded(admin_user, researcher):
    researcher.groups.add(Group.objects.get_or_create(name="lawyer")[0])
    case = factories.case(restricted=True)
    case.team.add(researcher)
    changes = list(AccessEvent.objects.filter(action=Action.PERMISSION_CHANGE).values_list("object_repr", flat=True))
    assert any("user rita: add lawyer" in text for text in changes)
    assert any(f"team of {case}: add rita" in text for text in changes)
    assert AccessEvent.objects.filter(action=Action.PERMISSION_CHANGE, case_id=case.pk).exists()


def test_the_middleware_maps_a_case_page_url_to_a_case_view():
    from django.urls import resolve

    from audit.middleware import audited_action

    match = resolve(reverse("cases:detail", args=[7]))
    action, case_id, _ = audited_action(match, type("R", (), {"GET": {}, "method": "GET"})())
    assert (action, case_id) == (Action.VIEW_CASE, 7)


def test_case_view_and_search_are_logged_once_with_the_address(client, researcher):
    case = factories.case("Visible case")
    client.force_login(researcher)
    client.get(reverse("cases:detail", args=[case.pk]), REMOTE_ADDR="192.0.2.5")
    views = AccessEvent.objects.filter(action=Action.VIEW_CASE, case_id=case.pk)
    assert views.count() == 1 and views.get().ip_address == "192.0.2.5" and views.get().user == researcher
    client.get(reverse("cases:search"), {"q": "Ketebayev"})
    assert AccessEvent.objects.filter(action=Action.SEARCH).count() == 1


def test_only_admins_read_the_log_and_can_filter_it(client, admin_user, researcher):
    AccessEvent.objects.create(user=researcher, username="rita", action=Action.EXPORT, case_id=42,
                               ip_address="198.51.100.1")
    AccessEvent.objects.create(username="mallory", action=Action.LOGIN_FAILED, ip_address="203.0.113.66")
    client.force_login(researcher)
    assert client.get(reverse("audit:list")).status_code == 403
    client.force_login(admin_user)
    page = client.get(reverse("audit:list"), {"action": "login_failed", "ip_address": "203.0.113"}).content.decode()
    assert "mallory" in page and "198.51.100.1" not in page
    page = client.get(reverse("audit:list"), {"case_id": "42"}).content.decode()
    assert "Exported" in page and "mallory" not in page
    bad = client.get(reverse("audit:list"), {"after": "2024-02-30"})
    assert bad.status_code == 200 and "could not be used" in bad.content.decode()


def test_the_app_cannot_change_or_delete_an_entry():
    event = AccessEvent.objects.create(username="x", action=Action.OTHER)
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AccessEvent.objects.all().update(username="y")
    with pytest.raises(PermissionError):
        AccessEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgresql_itself_refuses_update_and_delete():
    event = AccessEvent.objects.create(username="x", action=Action.OTHER)
    for sql in ("UPDATE audit_accessevent SET username = 'y' WHERE id = %s",
                "DELETE FROM audit_accessevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AccessEvent.objects.get(pk=event.pk).username == "x"
