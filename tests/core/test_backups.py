"""`manage.py backup` then `manage.py restore` gives back exactly the data that was backed up."""

import io

import pytest
from django.core.management import call_command

from audit.models import AccessEvent
from cases.models import Case
from tests.security.world import restricted_world


def everything():
    out = io.StringIO()
    call_command("dumpdata", "--all", "--indent=0", stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_is_identical(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    world = restricted_world()
    AccessEvent.objects.create(username="someone", action="view_case", case_id=world.case.pk)
    before = everything()
    assert '"whereabouts_city": "Secret City"' in before

    path = tmp_path / "onward.backup"
    call_command("backup", str(path), stdout=io.StringIO())
    assert path.stat().st_size > 10_000
    assert oct(path.stat().st_mode)[-3:] == "600"

    # Damage done after the backup: a case edited, another added, an access logged.
    Case.objects.filter(pk=world.case.pk).update(title="Changed after the backup")
    Case.objects.create(person=world.case.person, title="Added after the backup",
                        persecuting_state=world.case.persecuting_state)
    AccessEvent.objects.create(username="later", action="search")
    assert everything() != before

    call_command("restore", str(path), "--yes", stdout=io.StringIO())
    after = everything()
    assert after == before
    assert Case.objects.get(pk=world.case.pk).title == world.case.title


def test_restore_of_a_missing_file_says_so(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "nothing"), "--yes")
