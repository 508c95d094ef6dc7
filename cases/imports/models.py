"""What was imported, by whom, from which file, and what it created and changed (for undo)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    PERSONS = "persons", _("Persons and their name variants")
    CASES = "cases", _("Cases")
    CHARGES = "charges", _("Charges")
    REQUESTS = "requests", _("Extradition requests")
    DECISIONS = "decisions", _("Decisions")
    EVENTS = "events", _("Events")


class ImportMapping(models.Model):
    """A saved column mapping ({field: column heading}), reused for the next file of that shape."""

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=ImportKind.choices)
    columns = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="import_mapping_unique_name",
                                               violation_error_message="A mapping with this name exists.")]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display().lower()})"


class RunStatus(models.TextChoices):
    MAPPING = "mapping", _("Columns to map")
    PLANNING = "planning", _("Preparing the preview")
    PREVIEWED = "previewed", _("Previewed, waiting for confirmation")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed: nothing was saved")
    UNDONE = "undone", _("Undone")


class ImportRun(models.Model):
    kind = models.CharField(max_length=12, choices=ImportKind.choices)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.MAPPING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    stored_file = models.CharField(max_length=200, help_text=_("Path under MEDIA_ROOT; never served."))
    headers = models.JSONField(default=list)
    columns = models.JSONField(default=dict, help_text=_("{field: column heading}"))
    skip_bad_rows = models.BooleanField(default=False)
    rows_total = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_matched = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    progress = models.PositiveIntegerField(default=0, help_text=_("Rows done so far (background imports)."))
    preview = models.JSONField(default=list, help_text=_("[{row, action, label, detail}] as shown before confirming"))
    errors = models.JSONField(default=list, help_text=_("[{row, column, reason}]"))
    # What the import did, for undo: {"app.model": [pk, ...]} and {"app.model": [[pk, version_before], ...]}
    created_ids = models.JSONField(default=dict)
    updated_ids = models.JSONField(default=dict)
    failure = models.TextField(blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"])]  # "my imports" list

    def __str__(self):
        return f"{self.get_kind_display()} from {self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def created_count(self):
        return sum(len(ids) for ids in self.created_ids.values())
