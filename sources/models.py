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
    # A citation may point at one page of one of the source's files ("court-ruling.pdf p. 2").
    document = models.ForeignKey("Document", null=True, blank=True, on_delete=models.PROTECT, related_name="citations")
    document_page = models.PositiveIntegerField(null=True, blank=True, help_text=_("Page of the file, from 1."))

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
            models.CheckConstraint(
                condition=Q(document_page__isnull=True) | Q(document__isnull=False, document_page__gte=1),
                name="citation_page_needs_document",
                violation_error_message="A page number needs the file it is a page of.",
            ),
        ]

    def __str__(self):
        return f"{self.source} ({self.get_position_display().lower()})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.document_id and self.document.source_id != self.source_id:
            raise ValidationError({"document": _("The file must belong to the cited source.")})
        if self.document_id and self.document_page and self.document.page_count \
                and self.document_page > self.document.page_count:
            raise ValidationError({"document_page": _("The file has only %(count)s pages.")
                                   % {"count": self.document.page_count}})

    @property
    def document_label(self):
        """How exports and pages name the cited file: "court-ruling.pdf p. 2, sha256 ab12cd34…"."""
        if not self.document_id:
            return ""
        page = f" p. {self.document_page}" if self.document_page else ""
        return f"{self.document.original_name}{page}, sha256 {self.document.sha256[:12]}…"


class Document(TrackedModel):
    """A file a source carries (a court ruling, a request, a letter, an article), stored once per
    content under MEDIA_ROOT and served only through ``sources.views.document_download``.
    ``created_by``/``created_at`` are the uploader and the upload time."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(max_length=200, editable=False)
    original_name = models.CharField(max_length=255, help_text=_("The file name as uploaded."))
    title = models.CharField(max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, editable=False, db_index=True)  # duplicate detection
    size = models.PositiveBigIntegerField(editable=False)
    media_type = models.CharField(max_length=120, editable=False, help_text=_("Sniffed from the content."))
    page_count = models.PositiveIntegerField(null=True, blank=True, editable=False)
    extraction_note = models.CharField(max_length=300, blank=True, editable=False,
                                       help_text=_("Why no text could be read, when none could."))

    history = HistoricalRecords()

    class Meta:
        ordering = ["source", "original_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "sha256"], condition=Q(deleted_at__isnull=True),
                                    name="document_once_per_source",
                                    violation_error_message="This file is already attached to this source."),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="document_sha256_hex",
                                   violation_error_message="A document needs its SHA-256."),
        ]

    def __str__(self):
        return self.title or self.original_name

    @property
    def media_label(self):
        from .documents import ALLOWED

        return ALLOWED.get(self.media_type, self.media_type)

    @property
    def is_pdf(self):
        return self.media_type == "application/pdf"


class DocumentPage(models.Model):
    """Text read from one page of a PDF: searchable, and what a citation's page points at.
    Derived from the file, so it carries no history of its own."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="document_page_unique")]

    def __str__(self):
        return f"{self.document} p. {self.number}"
