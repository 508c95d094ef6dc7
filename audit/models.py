"""The append-only access log: who saw, searched, exported or decided what, from where."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    LOGIN = "login", "Logged in"
    LOGIN_FAILED = "login_failed", "Failed log-in"
    LOGOUT = "logout", "Logged out"
    VIEW_CASE = "view_case", "Viewed a case"
    VIEW_PERSON = "view_person", "Viewed a person"
    SEARCH = "search", "Searched"
    EXPORT = "export", "Exported"
    DOWNLOAD = "download", "Downloaded a file"
    PERMISSION_CHANGE = "permission_change", "Changed permissions or roles"
    FLAG_DECISION = "flag_decision", "Decided on a risk flag"
    RESTORE = "restore", "Restored a version"
    PURGE = "purge", "Purged a deleted record"
    OTHER = "other", "Other"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The access log is append-only.")

    def delete(self):
        raise PermissionError("The access log is append-only.")


class AccessEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    username = models.CharField(max_length=150, blank=True, help_text="As typed, for failed log-ins.")
    action = models.CharField(max_length=24, choices=Action.choices)
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    object_repr = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["action", "-at"]), models.Index(fields=["user", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or self.user_id} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access log is append-only.")
