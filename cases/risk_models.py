"""Stored risk: the rules and thresholds admins tune (with history), every evaluation with its
rule-by-rule explanation, the flags admins review and each decision on them, and the ledger of
evaluations still to run (the Celery queue is only the doorbell). Logic lives in cases/risk.py."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class RuleAxis(models.TextChoices):
    A = "A", _("Axis A: risk in the requesting state")
    B = "B", _("Axis B: onward transfer to the persecuting state")
    BAR = "bar", _("Legal bar")
    URGENCY = "urgency", _("Urgency")


class RiskRule(models.Model):
    code = models.CharField(max_length=8, unique=True, help_text=_("e.g. A1, B4, X1"))
    name = models.CharField(max_length=200)
    axis = models.CharField(max_length=8, choices=RuleAxis.choices)
    weight = models.SmallIntegerField(default=0, help_text=_("Points added when the rule fires (axes A and B)."))
    basis = models.CharField(max_length=300, blank=True, help_text=_("Legal basis, e.g. UN CAT art. 3."))
    description = models.TextField(blank=True, help_text=_("When the rule fires, in words a researcher reads."))
    enabled = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["axis", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=-100, weight__lte=100), name="risk_rule_weight_range",
                                   violation_error_message="A weight lies between −100 and 100."),
        ]

    def __str__(self):
        return f"{self.code} {self.name} ({self.weight:+d})"


class RiskSettings(models.Model):
    """One row (pk 1): the thresholds of the levels, the A-cap and the urgency window."""

    medium_from = models.PositiveSmallIntegerField(default=30)
    high_from = models.PositiveSmallIntegerField(default=55)
    critical_from = models.PositiveSmallIntegerField(default=80)
    a_cap = models.PositiveSmallIntegerField(
        default=20, help_text=_("Axis A's ceiling when only general-risk rules (A1, A7, A8) fired (L5)."))
    urgency_window_days = models.PositiveSmallIntegerField(
        default=30, help_text=_("A hearing, deadline or surrender within this many days counts as urgent."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "risk settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(medium_from__lt=F("high_from"), high_from__lt=F("critical_from"), critical_from__lte=100),
                name="risk_thresholds_ordered",
                violation_error_message="Thresholds must rise: medium < high < critical ≤ 100.",
            ),
        ]

    def __str__(self):
        return (f"medium from {self.medium_from}, high from {self.high_from}, critical from {self.critical_from}; "
                f"A-cap {self.a_cap}; urgency window {self.urgency_window_days} days")


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


LEVEL_ORDER = {Level.LOW: 0, Level.MEDIUM: 1, Level.HIGH: 2, Level.CRITICAL: 3}


class RiskEvaluationManager(models.Manager):
    def get_queryset(self):
        # Peers: reading the explanation of one evaluation in a list (the API's, the case page's
        # history) expands every evaluation fetched with it, in the same few queries.
        return super().get_queryset().fetch_mode(models.FETCH_PEERS)


class RiskEvaluation(models.Model):
    # No index of its own: (case, -evaluated_at) below serves every lookup by case, and one index
    # fewer is one write fewer for each of 100k evaluations.
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="risk_evaluations",
                             db_index=False)
    evaluated_at = models.DateTimeField(default=timezone.now)
    as_of = models.DateField(help_text=_("Facts dated after this day were left out."))
    score = models.PositiveSmallIntegerField()
    axis_a = models.PositiveSmallIntegerField()
    axis_b = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=8, choices=Level.choices)
    urgency = models.PositiveSmallIntegerField(default=0)
    bars = models.JSONField(default=list, help_text=_("Codes of the legal bars that apply, e.g. [\"X1\"]."))
    bar_ignored = models.BooleanField(default=False)
    flagged = models.BooleanField(default=False)
    flag_reason = models.CharField(max_length=300, blank=True)
    # Compact (cases.risk.compact): the rules in order with the weights they had then, points, notes
    # and references to the facts. ``explanation`` is the readable whole, rebuilt from it.
    stored_explanation = models.JSONField(default=dict)
    # sha256 of what entered the rules and what they concluded: same facts and weights, same
    # fingerprint, no new row (idempotent re-evaluation).
    fingerprint = models.CharField(max_length=64)
    current = models.BooleanField(default=True)

    objects = RiskEvaluationManager()

    class Meta:
        ordering = ["-evaluated_at", "-pk"]
        get_latest_by = "evaluated_at"
        indexes = [models.Index(fields=["case", "-evaluated_at"])]  # the case page's history
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(current=True), name="one_current_evaluation",
                                    violation_error_message="A case has one current evaluation."),
            models.CheckConstraint(condition=Q(score__lte=100, axis_a__lte=100, axis_b__lte=100),
                                   name="risk_evaluation_score_range"),
        ]

    def __str__(self):
        return f"{self.case_id}: {self.get_level_display()} ({self.score}) at {self.evaluated_at:%Y-%m-%d %H:%M}"

    @property
    def explanation(self):
        """Rule by rule, with names, legal bases, the facts behind each and their sources
        (cases.risk.expand): what the case page, the review queue, the PDF and the API show."""
        if "_explanation" not in self.__dict__:
            from .risk import expand

            peers = [peer for ref in getattr(self._state, "peers", ()) if (peer := ref()) is not None
                     and "_explanation" not in peer.__dict__]
            expand([self] + [peer for peer in peers if peer is not self])
        return self.__dict__["_explanation"]

    @property
    def fired_rules(self):
        return [rule for rule in self.explanation.get("rules", []) if rule.get("fired")]

    @property
    def fired_codes(self):
        from .risk import fired_codes

        return fired_codes(self.stored_explanation or {})


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ESCALATED = "escalated", _("Escalated")
    DISMISSED = "dismissed", _("Dismissed")


class RiskFlagQuerySet(models.QuerySet):
    def needing_attention(self):
        return self.filter(status__in=(FlagStatus.OPEN, FlagStatus.ESCALATED))


class RiskFlag(models.Model):
    """One per case: it opens, is decided on, and reopens when the risk rises again."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="risk_flag")
    evaluation = models.ForeignKey(RiskEvaluation, on_delete=models.PROTECT, related_name="+",
                                   help_text=_("The evaluation that opened (or last raised) the flag."))
    level = models.CharField(max_length=8, choices=Level.choices)
    score = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="risk_flags")
    opened_at = models.DateTimeField(default=timezone.now)
    decided_score = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("The score when last acknowledged or dismissed: a higher one reopens."))
    reopened_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = RiskFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["status", "-opened_at"])]  # the review queue and the dashboard

    def __str__(self):
        return f"{self.get_level_display()} flag on case {self.case_id} ({self.get_status_display().lower()})"


class FlagAction(models.TextChoices):
    OPENED = "opened", _("Opened")
    ASSIGNED = "assigned", _("Assigned")
    ACKNOWLEDGE = "acknowledge", _("Acknowledged")
    ESCALATE = "escalate", _("Escalated")
    DISMISS = "dismiss", _("Dismissed")
    REOPENED = "reopened", _("Reopened: the risk rose")


class FlagDecision(models.Model):
    """Append-only: every change to a flag, by a person or by the engine (user empty)."""

    flag = models.ForeignKey(RiskFlag, on_delete=models.CASCADE, related_name="decisions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    action = models.CharField(max_length=12, choices=FlagAction.choices)
    reason = models.TextField(blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(action="dismiss") | ~Q(reason=""), name="dismissal_has_reason",
                                   violation_error_message="Give a reason for dismissing the flag."),
        ]

    def __str__(self):
        return f"{self.get_action_display()} by {self.user or 'Onward'}"


class RequestState(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")


class EvaluationRequest(models.Model):
    """The ledger of work: one row per case. Scheduling marks it pending and bumps ``generation``;
    a worker claims it with a conditional update; finishing only counts if no newer change
    arrived meanwhile. A periodic sweep runs whatever Redis lost."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="risk_request")
    state = models.CharField(max_length=8, choices=RequestState.choices, default=RequestState.PENDING)
    generation = models.PositiveIntegerField(default=1)
    requested_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["state", "requested_at"])]  # the sweep

    def __str__(self):
        return f"case {self.case_id}: {self.state}"
