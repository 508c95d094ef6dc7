"""Background PDF exports and the secret calendar-feed tokens. Imported by ``cases.models`` so the
``cases`` app owns the tables (and their migrations)."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """A large export prepared by a Celery task. The row is the ledger (Redis keeps nothing on disk):
    a pending row whose task was lost is queued again by ``cases.exports.tasks.requeue_stale_exports``."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="export_jobs")
    format = models.CharField(max_length=8, default="pdf")
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    entry_count = models.PositiveIntegerField(default=0)
    # Relative to settings.EXPORT_ROOT, which is outside anything the web server serves.
    file_name = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),  # a user's recent exports
            models.Index(fields=["status", "created_at"]),  # the sweep for lost pending jobs
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_job_progress_percent",
                                   violation_error_message="Progress is a percentage."),
            models.CheckConstraint(condition=~Q(status=ExportStatus.DONE) | ~Q(file_name=""),
                                   name="export_job_done_has_file",
                                   violation_error_message="A finished export has a file."),
        ]

    def __str__(self):
        return f"{self.format.upper()} export of case {self.case_id} for {self.owner} ({self.get_status_display()})"

    @property
    def path(self):
        return settings.EXPORT_ROOT / self.file_name if self.file_name else None


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeedToken(models.Model):
    """A secret URL for calendar apps, which cannot send the session cookie. Only the SHA-256 of the
    token is stored, so a database leak does not leak working feed URLs."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One live feed URL per user: issuing a new one revokes the old.
            models.UniqueConstraint(fields=["user"], condition=Q(revoked_at__isnull=True),
                                    name="calendar_token_one_live_per_user"),
        ]

    def __str__(self):
        state = "revoked" if self.revoked_at else "live"
        return f"Calendar feed of {self.user} ({state})"

    @classmethod
    def issue(cls, user):
        """Revoke the user's live token and return (record, secret). The secret is shown once."""
        cls.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        secret = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, token_hash=hash_token(secret)), secret

    @classmethod
    def live_for(cls, secret):
        if not secret or len(secret) > 100:
            return None
        return cls.objects.select_related("user").filter(token_hash=hash_token(secret), revoked_at__isnull=True).first()
