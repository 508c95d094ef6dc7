"""The admins' review of risk flags: reads for the queue and the case page, and the decisions
(assign, acknowledge, escalate, dismiss), each recorded as a FlagDecision and in the access log."""

import datetime

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.log import record
from core.roles import Role
from core.statements import Statement

from . import risk
from .models import Case
from .risk_models import FlagAction, FlagDecision, FlagStatus, Level, RiskFlag

DECISION_STATUS = {
    FlagAction.ACKNOWLEDGE: FlagStatus.ACKNOWLEDGED,
    FlagAction.ESCALATE: FlagStatus.ESCALATED,
    FlagAction.DISMISS: FlagStatus.DISMISSED,
}


# --- reads ------------------------------------------------------------------------------------------

def flags_for(user):
    return (RiskFlag.objects.filter(case__in=Case.objects.visible_to(user))
            .select_related("case", "case__person", "assigned_to", "evaluation"))


def open_flags(user, limit=15):
    """For the dashboard: flags waiting for a decision (open or escalated) on cases the user sees."""
    return list(flags_for(user).needing_attention().defer("evaluation__stored_explanation")
                .order_by("-opened_at")[:limit])


def assignable_users():
    return (get_user_model().objects.filter(is_active=True)
            .filter(Q(groups__name__in=(Role.RESEARCHER, Role.ADMIN)) | Q(is_superuser=True))
            .distinct().order_by("username"))


def _flag_of(case):
    """The case's flag: read with the case when the page selected it along (``risk_flag``)."""
    try:
        return case.risk_flag
    except RiskFlag.DoesNotExist:
        return None


# The case page's risk history, on every view of a case: compiled once (core/statements.py).
HISTORY = Statement(lambda user, case: risk.RiskEvaluation.objects.filter(case=case)[:12])


def panel(case):
    """Context of the case page's risk panel (templates/jinja2/cases/_risk_panel.html): the current
    evaluation, and the history with, for each evaluation, which rules started or stopped firing."""
    history = HISTORY.all(None, case=case.pk)
    for newer, older in zip(history, history[1:] + [None], strict=False):
        now = set(newer.fired_codes)
        before = set(older.fired_codes) if older else set()
        newer.changes = [f"+{code}" for code in sorted(now - before)] + [f"−{code}" for code in sorted(before - now)]
    evaluation = history[0] if history and history[0].current else risk.latest_evaluation(case)
    if evaluation is not None:
        risk.expand([evaluation], known=getattr(case, "loaded_facts", None))
    return {
        "evaluation": evaluation,
        "history": history,
        "flag": _flag_of(case),
    }


class FlagFilter(django_filters.FilterSet):
    AGES = (("1", "Opened today"), ("7", "Within 7 days"), ("30", "Within 30 days"), ("older", "Older than 30 days"))

    level = django_filters.ChoiceFilter(choices=Level.choices, empty_label="Any level")
    status = django_filters.ChoiceFilter(choices=FlagStatus.choices, empty_label="Any status")
    assigned_to = django_filters.ModelChoiceFilter(queryset=assignable_users(), label="Assignee",
                                                   empty_label="Anyone")
    age = django_filters.ChoiceFilter(choices=AGES, method="filter_age", label="Opened", empty_label="Any time")

    class Meta:
        model = RiskFlag
        fields = ["level", "status", "assigned_to"]

    def filter_age(self, queryset, name, value):
        now = timezone.now()
        if value == "older":
            return queryset.filter(opened_at__lt=now - datetime.timedelta(days=30))
        return queryset.filter(opened_at__gte=now - datetime.timedelta(days=int(value)))


# --- decisions ----------------------------------------------------------------------------------------

@transaction.atomic
def assign(flag, assignee, *, by, request=None):
    flag = RiskFlag.objects.select_for_update().get(pk=flag.pk)
    flag.assigned_to = assignee
    flag.updated_at = timezone.now()
    flag.save(update_fields=["assigned_to", "updated_at"])
    FlagDecision.objects.create(flag=flag, user=by, action=FlagAction.ASSIGNED, assigned_to=assignee,
                                score=flag.score)
    record(request, "flag_decision", case=flag.case_id, obj=flag, user=by, decision="assigned",
           assigned_to=assignee.get_username() if assignee else "")
    if assignee is not None:
        transaction.on_commit(lambda: risk.notify_assignee(flag.pk))
    return flag


@transaction.atomic
def decide(flag, action, reason, *, by, request=None):
    """Acknowledge, escalate or dismiss. Dismissing needs a reason; without one nothing changes."""
    reason = (reason or "").strip()
    if action not in DECISION_STATUS:
        raise ValidationError("Choose acknowledge, escalate or dismiss.")
    if action == FlagAction.DISMISS and not reason:
        raise ValidationError("Give a reason for dismissing the flag: it is kept with the decision.")
    flag = RiskFlag.objects.select_for_update().get(pk=flag.pk)
    flag.status = DECISION_STATUS[action]
    if action in (FlagAction.ACKNOWLEDGE, FlagAction.DISMISS):
        flag.decided_score = flag.score  # a higher score reopens it
    flag.updated_at = timezone.now()
    flag.save(update_fields=["status", "decided_score", "updated_at"])
    decision = FlagDecision.objects.create(flag=flag, user=by, action=action, reason=reason, score=flag.score)
    record(request, "flag_decision", case=flag.case_id, obj=flag, user=by, decision=action, reason=reason,
           score=flag.score)
    return decision
