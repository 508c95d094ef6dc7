"""Sources and the citations that tie every fact to them.

Sources sit below every other domain app because every fact cites them: a jurisdiction's torture
record, a name variant's spelling, a charge, a court decision. A citation is generic (any fact,
any app) and says whether the source supports or disputes the fact, so both sides of a contested
claim stand side by side.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import Precision
from core.models import TrackedModel


class SourceKind(models.TextChoices):
    NGO_REPORT = "ngo_report", _("NGO report or appeal")
    NEWS = "news", _("News article")
    COURT_DOCUMENT = "court_document", _("Court document")
    GOVERNMENT_STATEMENT = "government_statement", _("Government statement")
    OPINION = "opinion", _("Opinion piece or letter")
    TREATY_TEXT = "treaty_text", _("Treaty or legal text")
    CASE_LAW = "case_law", _("Judgment or case law")
    OTHER = "other", _("Other")


class Stance(models.TextChoices):
    """Stance towards the government of the persecuting/requesting state."""

    CRITICAL = "critical", _("Critical")
    SUPPORTIVE = "supportive", _("Supportive")
    NEUTRAL = "neutral", _("Neutral")


class Source(TrackedModel):
    title = models.CharField(max_length=500)
    author = models.CharField(max_length=300, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    date = models.DateField(null=True, blank=True)
    date_precision = models.CharField(max_length=8, choices=Precision.choices, default=Precision.DAY)
    url = models.URLField(max_length=1000, blank=True)
    kind = models.CharField(max_length=24, choices=SourceKind.choices, default=SourceKind.OTHER)
    stance = models.CharField(max_length=12, choices=Stance.choices, default=Stance.NEUTRAL)
    stance_towards = models.ForeignKey(
        "jurisdictions.Jurisdiction", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("The government the stance is towards, e.g. Kazakhstan."),
    )
    summary = models.TextField(blank=True)
    # A stable key for data loaded from files (the seeds): lets the loader be idempotent.
    key = models.SlugField(max_length=80, unique=True, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["kind", "stance"])]

    def __str__(self):
        bits = [self.title]
        if self.publisher or self.author:
            bits.append(self.publisher or self.author)
        if self.date:
            bits.append(str(self.date.year))
        return " · ".join(bits)


class Position(models.TextChoices):
    SUPPORTS = "supports", _("Supports the fact")
    DISPUTES = "disputes", _("Disputes the fact")
    MENTIONS = "mentions", _("Mentions it")


class Citation(TrackedModel):
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    fact = GenericForeignKey("content_type", "object_id")
    quote = models.TextField(blank=True, help_text=_("The words of the source that support the fact."))
    page = models.CharField(max_length=40, blank=True, help_text=_("Page or paragraph, e.g. “p. 4”."))
    position = models.CharField(max_length=10, choices=Position.choices, default=Position.SUPPORTS)

    history = HistoricalRecords()

    class Meta:
        ordering = ["source__date", "pk"]
        indexes = [
            # serves prefetch of a fact's citations (GenericRelation joins on these two)
            models.Index(fields=["content_type", "object_id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "content_type", "object_id", "quote"],
                condition=Q(deleted_at__isnull=True),
                name="citation_unique_quote_per_fact",
                violation_error_message="This source is already cited for this fact with the same quote.",
            ),
        ]

    def __str__(self):
        return f"{self.source} ({self.get_position_display().lower()})"
