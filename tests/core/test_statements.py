"""Statements compiled once per process (core/statements.py) answer as the queryset would, for
every user: a statement compiled for one user is never another's view of the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from core.statements import Statement
from tests import factories as f

pytestmark = pytest.mark.django_db

VISIBLE = Statement(lambda user, *, pks: Case.objects.visible_to(user).filter(pk__in=pks).order_by("pk"))
ONE = Statement(lambda user, *, pk: Case.objects.visible_to(user).select_related("person", "host_state").filter(pk=pk))
TITLES = Statement(lambda user, *, pks: Case.objects.visible_to(user).filter(pk__in=pks).order_by("title")
                   .values_list("pk", "title"))


@pytest.fixture
def cases(researcher):
    open_case = f.case("Open file", host="ES")
    secret = f.case("Team only", restricted=True)
    secret.team.add(researcher)
    other_secret = f.case("Another team's", restricted=True)
    return open_case, secret, other_secret


def test_a_statement_gives_what_the_queryset_gives(researcher, cases):
    pks = [case.pk for case in cases]
    assert VISIBLE.all(researcher, pks=pks) == list(Case.objects.visible_to(researcher).filter(pk__in=pks).order_by("pk"))


def test_the_same_compiled_statement_scopes_each_user_by_their_own_id(researcher, make_user, cases):
    open_case, secret, other_secret = cases
    pks = [case.pk for case in cases]
    colleague = make_user("researcher", username="colleague")
    other_secret.team.add(colleague)
    assert [c.title for c in VISIBLE.all(researcher, pks=pks)] == ["Open file", "Team only"]
    # Same roles, same number of ids: the compiled SQL is reused, with the colleague's id.
    assert [c.title for c in VISIBLE.all(colleague, pks=pks)] == ["Open file", "Another team's"]


def test_roles_are_part_of_the_shape(admin_user, viewer, make_user, cases):
    pks = [case.pk for case in cases]
    assert len(VISIBLE.all(admin_user, pks=pks)) == 3  # admins see restricted cases
    assert [c.title for c in VISIBLE.all(viewer, pks=pks)] == ["Open file"]
    assert VISIBLE.all(make_user(None, username="no-role"), pks=pks) == []  # may read nothing


def test_lists_of_other_lengths_and_other_ids(researcher, cases):
    open_case, secret, _ = cases
    assert VISIBLE.all(researcher, pks=[secret.pk]) == [secret]
    assert VISIBLE.all(researcher, pks=[open_case.pk]) == [open_case]
    assert VISIBLE.all(researcher, pks=[open_case.pk, open_case.pk]) == [open_case]


def test_related_objects_come_with_the_row_without_another_query(researcher, cases):
    open_case = cases[0]
    case = ONE.first(researcher, pk=open_case.pk)
    with CaptureQueriesContext(connection) as queries:
        assert (case.person.primary_name, case.host_state.code) == (open_case.person.primary_name, "ES")
    assert len(queries) == 0


def test_a_case_the_user_may_not_see_is_none(researcher, cases):
    assert ONE.first(researcher, pk=cases[2].pk) is None


def test_values_and_count(researcher, cases):
    pks = [case.pk for case in cases]
    assert TITLES.values(researcher, pks=pks) == [(cases[0].pk, "Open file"), (cases[1].pk, "Team only")]
    assert VISIBLE.count(researcher, pks=pks) == 2
