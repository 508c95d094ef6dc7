"""Abstract bases every fact in Onward shares: who made and last changed it, a version for
optimistic concurrency, soft deletion, a claim status, confidentiality, and (for dated facts) a
date kept with its precision."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .dates import Precision, Qualifier, format_date, last_day, truncate


class ClaimStatus(models.TextChoices):
    ASSERTED = "asserted", _("Asserted by a source")
    CONTESTED = "contested", _("Contested between sources")
    ESTABLISHED = "established", _("Established (court record or undisputed)")


class LiveQuerySet(models.QuerySet):
    def live(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)


class LiveManager(models.Manager.from_queryset(LiveQuerySet)):
    """The default manager hides soft-deleted rows, so related lookups (``person.names.all()``)
    never show a deleted fact. ``all_objects`` sees everything (history, restore, purge)."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


_CHOICE_LABELS = {}


def _choice_labels(field, language):
    key = (field, language)
    labels = _CHOICE_LABELS.get(key)
    if labels is None:
        labels = _CHOICE_LABELS[key] = {make_hashable(value): force_str(label) for value, label in field.flatchoices}
    return labels


class TrackedModel(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )
    # Optimistic concurrency: a save names the version it was edited from (core/editing.py).
    version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )

    objects = LiveManager()
    all_objects = LiveQuerySet.as_manager()

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    def _get_FIELD_display(self, field):  # noqa: N802 - Django's name; every get_<field>_display uses it
        """Django's own rebuilds the field's choices, translating every label, on each call: a case
        page shows hundreds of labels. Here the labels are translated once per field and language."""
        value = getattr(self, field.attname)
        return force_str(_choice_labels(field, get_language()).get(make_hashable(value), value), strings_only=True)


class FactModel(TrackedModel):
    """A fact a source asserts: it carries a claim status and may be confidential (shown only to
    the case team, left out of exports unless asked for)."""

    claim_status = models.CharField(
        max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.ASSERTED,
        help_text=_("Contested when sources disagree; established for court records or undisputed facts."),
    )
    confidential = models.BooleanField(
        default=False, help_text=_("Shown only to the case team and left out of exports unless asked for."),
    )
    notes = models.TextField(blank=True)

    class Meta:
        abstract = True


class DatedFact(FactModel):
    """A fact with a date as vague as its source: "2009", "December 2016", "since 2009"."""

    date = models.DateField(null=True, blank=True, help_text=_("First day the date can mean."))
    date_precision = models.CharField(max_length=8, choices=Precision.choices, default=Precision.DAY)
    date_qualifier = models.CharField(max_length=8, choices=Qualifier.choices, default=Qualifier.ON)
    date_end = models.DateField(null=True, blank=True, help_text=_("Second date, for “between”."))
    date_end_precision = models.CharField(max_length=8, choices=Precision.choices, blank=True)
    date_text = models.CharField(
        max_length=120, blank=True, help_text=_("The date as the source wrote it, e.g. “in December 2016”."),
    )

    class Meta:
        abstract = True

    @classmethod
    def date_constraints(cls, prefix):
        """Date sanity, enforced by the database for every dated fact."""
        return [
            models.CheckConstraint(
                condition=Q(date__isnull=False) | Q(date_precision=Precision.UNKNOWN),
                name=f"{prefix}_date_needed_unless_unknown",
                violation_error_message="Give a date, or mark its precision as unknown.",
            ),
            models.CheckConstraint(
                condition=~Q(date_qualifier=Qualifier.BETWEEN) | Q(date_end__gte=F("date")),
                name=f"{prefix}_between_needs_later_end",
                violation_error_message="“Between” needs a second date, after the first.",
            ),
            models.CheckConstraint(
                condition=Q(date_qualifier=Qualifier.BETWEEN) | Q(date_end__isnull=True),
                name=f"{prefix}_end_only_for_between",
                violation_error_message="A second date is only used with “between”.",
            ),
            models.CheckConstraint(
                condition=Q(date__isnull=True) | Q(date__gte="1800-01-01", date__lte="2200-12-31"),
                name=f"{prefix}_date_in_range",
                violation_error_message="The date must fall between 1800 and 2200.",
            ),
        ]

    def save(self, *args, **kwargs):  # noqa: DJ012 - date_constraints above is a classmethod helper
        # Keep the stored day honest: a month-precision date is stored as the 1st of the month.
        self.date = truncate(self.date, self.date_precision)
        self.date_end = truncate(self.date_end, self.date_end_precision or self.date_precision)
        super().save(*args, **kwargs)

    @property
    def date_display(self):
        return format_date(self.date, self.date_precision, self.date_qualifier, self.date_end,
                           self.date_end_precision or None)

    @property
    def date_last(self):
        if self.date_end:
            return last_day(self.date_end, self.date_end_precision or self.date_precision)
        return last_day(self.date, self.date_precision)
