"""The admins' review queue: only admins, filters, the explanation, decisions recorded and audited."""

import pytest
from django.urls import reverse

from audit.models import AccessEvent
from cases import risk
from cases.risk_models import FlagDecision, FlagStatus, RiskFlag
from tests import factories
from tests.cases import risk_scenarios as scenarios

pytestmark = pytest.mark.django_db


@pytest.fixture
def flag():
    case = scenarios.paraskevich()
    risk.evaluate_case(case.pk)
    return RiskFlag.objects.get(case=case)


@pytest.mark.parametrize("role", ["viewer", "researcher", "lawyer"])
def test_only_admins_see_the_queue_and_flags(client, flag, role):
    client.force_login(factories.user(role))
    for url in (reverse("risk:flags"), reverse("risk:flag", args=[flag.pk])):
        assert client.get(url).status_code == 403
    response = client.post(reverse("risk:decide", args=[flag.pk]), {"action": "dismiss", "reason": "no"})
    assert response.status_code == 403
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN


def test_the_queue_lists_and_filters_flags(client, admin_user, flag, django_assert_max_num_queries):
    others = [scenarios.paraskevich() for _ in range(12)]
    risk.evaluate_many([case.pk for case in others])
    RiskFlag.objects.filter(case__in=others).update(assigned_to=admin_user)
    client.force_login(admin_user)
    with django_assert_max_num_queries(16):  # the same for 13 flags as for one: no N+1
        page = client.get(reverse("risk:flags")).content.decode()
    assert "Paraskevich" in page and "13 flags" in page
    assigned = client.get(reverse("risk:flags"), {"assigned_to": admin_user.pk}).content.decode()
    assert "12 flags" in assigned
    assert "No flag matches" in client.get(reverse("risk:flags"), {"level": "critical"}).content.decode()
    assert "Paraskevich" in client.get(reverse("risk:flags"), {"status": "open", "age": "1"}).content.decode()


def test_the_flag_page_explains_rule_by_rule_with_links_to_the_facts(client, admin_user, flag):
    client.force_login(admin_user)
    page = client.get(reverse("risk:flag", args=[flag.pk])).content.decode()
    assert "Why this case is flagged" in page and "High risk with urgency 1" in page
    assert "B3 Persecuting state steers the request" in page
    assert "Czech Republic → Ukraine → Kazakhstan" in page
    charge = flag.case.charges.get(charging_state__code="UA")
    assert f'href="/cases/{flag.case_id}/#charge-{charge.pk}"' in page


def test_dismissing_without_a_reason_changes_nothing_and_says_why(client, admin_user, flag):
    client.force_login(admin_user)
    response = client.post(reverse("risk:decide", args=[flag.pk]), {"action": "dismiss", "reason": "  "})
    assert response.status_code == 400
    assert "Give a reason for dismissing the flag" in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN and not flag.decisions.filter(action="dismiss").exists()


def test_a_dismissal_is_recorded_and_audited(client, admin_user, flag):
    client.force_login(admin_user)
    response = client.post(reverse("risk:decide", args=[flag.pk]),
                           {"action": "dismiss", "reason": "Asylum granted; no surrender possible"}, follow=True)
    assert "Decision recorded." in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == FlagStatus.DISMISSED and flag.decided_score == 60
    decision = FlagDecision.objects.get(flag=flag, action="dismiss")
    assert decision.user == admin_user and decision.reason == "Asylum granted; no surrender possible"
    event = AccessEvent.objects.get(action="flag_decision")
    assert event.case_id == flag.case_id and event.details["decision"] == "dismiss"


def test_assigning_emails_the_researcher(client, admin_user, flag, mailoutbox, django_capture_on_commit_callbacks):
    rita = factories.user("researcher", username="rita2", email="rita@example.org")
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("risk:assign", args=[flag.pk]), {"assigned_to": rita.pk})
    flag.refresh_from_db()
    assert flag.assigned_to == rita
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["rita@example.org"]
    assert "High risk on Paraskevich" in mailoutbox[0].subject
    assert FlagDecision.objects.filter(flag=flag, action="assigned", assigned_to=rita).exists()


def test_a_viewer_cannot_be_assigned(client, admin_user, flag):
    viewer = factories.user("viewer")
    client.force_login(admin_user)
    response = client.post(reverse("risk:assign", args=[flag.pk]), {"assigned_to": viewer.pk})
    assert response.status_code == 400 and "Choose a researcher or admin" in response.content.decode()


def test_the_case_page_shows_the_risk_panel(client, researcher, flag):
    client.force_login(researcher)
    page = client.get(reverse("cases:detail", args=[flag.case_id])).content.decode()
    assert "Onward-return risk" in page and "Onward path" in page
    assert "A2 Political profile" in page
    assert "Review the flag" not in page  # admins only


def test_the_case_page_with_its_risk_panel_takes_at_most_ten_queries(client, researcher, flag):
    """The panel names the facts behind each rule from the records the page already loaded; facts
    about states (assessments, channels) come through the cache; only another case's facts (the
    co-accused's BTA Bank charge, rule B2) are read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(researcher)
    url = reverse("cases:detail", args=[flag.case_id])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url).content.decode()
    assert "B2 " in page and "Kazakhstan: Charges concerning BTA Bank" in page and "Ukraine: Embezzlement" in page
    assert len(captured.captured_queries) <= 10, "\n".join(q["sql"][:150] for q in captured.captured_queries)


def test_another_restricted_case_s_facts_are_not_named_in_an_explanation(client, researcher, flag):
    other = RiskFlag.objects.get(pk=flag.pk).case  # Paraskevich; B2 rests on Ablyazov's charge
    ablyazov_case = scenarios.figure_case(other.person.relationships.first().other)
    ablyazov_case.restricted = True
    ablyazov_case.save()
    client.force_login(researcher)
    page = client.get(reverse("cases:detail", args=[other.pk])).content.decode()
    assert "B2 " in page and "A fact of another case, restricted to its team" in page
    assert "Charges concerning BTA Bank" not in page
    assert "Ukraine: Embezzlement" in page  # the case's own charge is named as before


def test_the_panel_before_any_evaluation(client, researcher):
    case = scenarios.ordinary_request()
    client.force_login(researcher)
    assert "Not evaluated yet" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_open_flags_for_the_dashboard_respect_visibility(flag, viewer):
    from cases.risk_review import open_flags
    assert [f.pk for f in open_flags(viewer)] == [flag.pk]
    flag.case.restricted = True
    flag.case.save()
    assert open_flags(viewer) == []


def test_admins_reach_the_flag_from_the_case_page(client, admin_user, flag):
    client.force_login(admin_user)
    page = client.get(reverse("cases:detail", args=[flag.case_id])).content.decode()
    assert f'href="/risk/flags/{flag.pk}/">Review the flag</a>' in page
