"""iCalendar (RFC 5545) feeds of upcoming hearings, deadlines and surrenders, written with ``icalendar``.

A vague date stays vague: "March 2027" becomes an all-day event spanning the month, with the date as
the sources give it in the summary, rather than a false day."""

import datetime

from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from core.dates import Precision

from ..models import UPCOMING_KINDS, Event


def upcoming_events(cases, *, today=None):
    """Hearings, deadlines and surrenders in ``cases`` (a scoped queryset) that can still be ahead.
    Confidential events never enter a feed: calendar apps copy feeds to third-party servers."""
    today = today or timezone.localdate()
    # A year-precision date is stored as 1 January, so look back a year and keep those whose last day is ahead.
    candidates = Event.objects.filter(
        case__in=cases, kind__in=UPCOMING_KINDS, confidential=False, date__gte=today - datetime.timedelta(days=366),
    ).exclude(date_precision=Precision.UNKNOWN).select_related("case", "case__person").order_by("date", "pk")
    return [event for event in candidates if event.date_last >= today]


def calendar(events, *, name, link=None):
    """The feed as bytes. ``link(event)`` gives the case page's absolute URL."""
    cal = Calendar()
    cal.add("prodid", "-//Onward//Case calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = timezone.now()
    for event in events:
        item = VEvent()
        item.add("uid", f"event-{event.pk}@onward")
        item.add("dtstamp", stamp)
        item.add("dtstart", event.date)
        item.add("dtend", event.date_last + datetime.timedelta(days=1))  # DTEND is exclusive for all-day events
        summary = f"{event.get_kind_display()}: {event.title} ({event.case.person})"
        if event.date_precision != Precision.DAY:
            summary += f" — {event.date_display}"
        item.add("summary", summary)
        if event.place:
            item.add("location", event.place)
        lines = [f"Case: {event.case.title}", f"Date: {event.date_display}"]
        if event.description:
            lines.append(event.description)
        if link is not None:
            url = link(event)
            lines.append(url)
            item.add("url", url)
        item.add("description", "\n".join(lines))
        item.add("categories", [event.get_kind_display()])
        item.add("last-modified", event.updated_at)
        cal.add_component(item)
    return cal.to_ical()
