"""iCalendar feeds of upcoming hearings, deadlines and surrenders: per case, per user, and the secret
feed URL for calendar apps."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from audit.models import AccessEvent
from cases.exports.models import CalendarFeedToken, hash_token
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor_prompt(settings):
    settings.ONWARD_MFA_REQUIRED_ROLES = []


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def calendar_cases():
    open_case = factories.case("Kadyrov critic in Vienna")
    factories.event(open_case, kind="hearing", title="Appeal hearing", place="Vienna", date=days(10))
    factories.event(open_case, kind="deadline", title="Written submissions due", date=days(3))
    factories.event(open_case, kind="surrender", title="Surrender window", date=days(40).replace(day=1),
                    date_precision="month")
    factories.event(open_case, kind="hearing", title="Old hearing", date=days(-30))
    factories.event(open_case, kind="arrest", title="Arrested", date=days(5))  # not a calendar kind
    factories.event(open_case, kind="hearing", title="Hearing at a secret address", confidential=True, date=days(12))
    restricted = factories.case("Restricted case", restricted=True)
    factories.event(restricted, kind="hearing", title="Closed-door hearing", date=days(8))
    return open_case, restricted


def summaries(content):
    calendar = Calendar.from_ical(content)
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_case_calendar_holds_the_upcoming_hearings_deadlines_and_surrenders_only(client, lawyer, calendar_cases):
    open_case, _ = calendar_cases
    client.force_login(lawyer)
    response = client.get(reverse("cases:case_calendar", args=[open_case.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    events = summaries(response.content)
    person = open_case.person.primary_name
    month = days(40).strftime("%B %Y")
    assert set(events) == {f"Hearing: Appeal hearing ({person})", f"Deadline: Written submissions due ({person})",
                           f"Surrender (handed over): Surrender window ({person}) — {month}"}
    hearing = events[f"Hearing: Appeal hearing ({person})"]
    assert hearing.decoded("dtstart") == days(10)
    assert hearing.decoded("dtend") == days(11)
    assert str(hearing["location"]) == "Vienna"
    assert reverse("cases:detail", args=[open_case.pk]) in str(hearing["url"])
    # A month-precision date spans the month, never a false day.
    window = events[f"Surrender (handed over): Surrender window ({person}) — {month}"]
    assert window.decoded("dtstart") == days(40).replace(day=1)
    assert (window.decoded("dtend") - datetime.timedelta(days=1)).month == days(40).month


def test_my_calendar_covers_every_visible_case_and_no_other(client, lawyer, calendar_cases):
    _, restricted = calendar_cases
    client.force_login(lawyer)
    titles = " ".join(summaries(client.get(reverse("cases:my_calendar")).content))
    assert "Appeal hearing" in titles and "Closed-door hearing" not in titles
    restricted.team.add(lawyer)
    titles = " ".join(summaries(client.get(reverse("cases:my_calendar")).content))
    assert "Closed-door hearing" in titles
    assert "secret address" not in titles  # confidential events never enter a feed


def test_feed_token_works_without_a_session_is_scoped_and_audited(client, lawyer, calendar_cases):
    open_case, restricted = calendar_cases
    client.force_login(lawyer)
    page = client.post(reverse("cases:calendar_feed"), {"action": "issue"}).content.decode()
    record = CalendarFeedToken.objects.get(user=lawyer, revoked_at__isnull=True)
    feed_path = page.split('id="feed-url" type="text" readonly value="')[1].split('"')[0]
    secret = feed_path.rsplit("/", 1)[1].removesuffix(".ics")
    assert record.token_hash == hash_token(secret) and secret not in record.token_hash  # stored hashed only

    client.logout()
    response = client.get(feed_path)
    assert response.status_code == 200
    titles = " ".join(summaries(response.content))
    assert "Appeal hearing" in titles and "Closed-door hearing" not in titles
    one_case = " ".join(summaries(client.get(feed_path, {"case": open_case.pk}).content))
    assert "Appeal hearing" in one_case
    assert client.get(feed_path, {"case": restricted.pk}).status_code == 404
    logged = AccessEvent.objects.filter(action="export", user=lawyer, details__format="ics")
    assert logged.count() == 2 and logged.filter(details__options__via="feed token").count() == 2
    record.refresh_from_db()
    assert record.last_used_at is not None


def test_a_revoked_or_replaced_feed_url_stops_working(client, lawyer, calendar_cases):
    client.force_login(lawyer)
    first = CalendarFeedToken.issue(lawyer)[1]
    second = CalendarFeedToken.issue(lawyer)[1]
    assert client.get(reverse("cases:calendar_token_feed", args=[first])).status_code == 404
    assert client.get(reverse("cases:calendar_token_feed", args=[second])).status_code == 200
    client.post(reverse("cases:calendar_feed"), {"action": "revoke"})
    assert client.get(reverse("cases:calendar_token_feed", args=[second])).status_code == 404
    assert AccessEvent.objects.filter(action="permission_change", user=lawyer,
                                      details__change="calendar feed revoked").exists()


def test_a_feed_url_follows_the_users_role(client, lawyer, calendar_cases):
    secret = CalendarFeedToken.issue(lawyer)[1]
    lawyer.groups.clear()  # no longer a lawyer
    assert client.get(reverse("cases:calendar_token_feed", args=[secret])).status_code == 403


def test_viewers_get_no_calendar(client, viewer, calendar_cases):
    client.force_login(viewer)
    assert client.get(reverse("cases:my_calendar")).status_code == 403
    assert client.get(reverse("cases:calendar_feed")).status_code == 403
