"""Reads for pages: every one starts from ``Case.objects.visible_to(user)``."""

import datetime

from django.utils import timezone

from .models import UPCOMING_KINDS, Case, Event


def dashboard_context(user, *, days_ahead=60):
    visible = Case.objects.visible_to(user)
    today = timezone.localdate()
    return {
        "my_cases": visible.filter(assigned_to=user).select_related("person", "host_state")[:10],
        "recent_cases": visible.select_related("person", "host_state").order_by("-updated_at")[:10],
        "upcoming": Event.objects.filter(
            case__in=visible, kind__in=UPCOMING_KINDS,
            date__gte=today, date__lte=today + datetime.timedelta(days=days_ahead),
        ).select_related("case").order_by("date")[:20],
    }
