from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline

from core.admin import TrackedAdmin

from .models import Citation, Source


class CitationInline(GenericTabularInline):
    model = Citation
    extra = 0
    fields = ("source", "position", "quote", "page")
    autocomplete_fields = ("source",)


@admin.register(Source)
class SourceAdmin(TrackedAdmin):
    list_display = ("title", "publisher", "author", "date", "kind", "stance")
    list_filter = ("kind", "stance")
    search_fields = ("title", "author", "publisher", "url", "key")


@admin.register(Citation)
class CitationAdmin(TrackedAdmin):
    list_display = ("source", "content_type", "object_id", "position", "page")
    list_filter = ("position", "content_type")
    search_fields = ("quote", "source__title")
    autocomplete_fields = ("source",)
