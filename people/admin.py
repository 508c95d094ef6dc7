from django.contrib import admin

from core.admin import TrackedAdmin
from sources.admin import CitationInline

from .models import (
    Affiliation,
    NameVariant,
    Organisation,
    OrganisationName,
    Person,
    PoliticalRole,
    Protection,
    Relationship,
)


class NameVariantInline(admin.TabularInline):
    model = NameVariant
    extra = 0
    fields = ("name", "kind", "system", "source")
    autocomplete_fields = ("source",)


@admin.register(Person)
class PersonAdmin(TrackedAdmin):
    list_display = ("primary_name", "description", "residence", "claim_status")
    list_filter = ("residence", "citizenships", "roles__role")
    search_fields = ("primary_name", "names__name", "names__search_key", "description")
    filter_horizontal = ("citizenships",)
    inlines = [NameVariantInline, CitationInline]


@admin.register(NameVariant)
class NameVariantAdmin(TrackedAdmin):
    list_display = ("name", "person", "script", "kind", "system")
    list_filter = ("script", "kind")
    search_fields = ("name", "search_key", "person__primary_name")
    autocomplete_fields = ("person", "source")


@admin.register(PoliticalRole)
class PoliticalRoleAdmin(TrackedAdmin):
    list_display = ("person", "role", "title", "date_text")
    list_filter = ("role",)
    search_fields = ("person__primary_name", "title")
    inlines = [CitationInline]


@admin.register(Protection)
class ProtectionAdmin(TrackedAdmin):
    list_display = ("person", "kind", "outcome", "granted_by", "against_state", "date")
    list_filter = ("kind", "outcome", "granted_by")
    search_fields = ("person__primary_name",)
    inlines = [CitationInline]


class OrganisationNameInline(admin.TabularInline):
    model = OrganisationName
    extra = 0
    fields = ("name", "source")


@admin.register(Organisation)
class OrganisationAdmin(TrackedAdmin):
    list_display = ("name", "kind", "jurisdiction")
    list_filter = ("kind", "jurisdiction")
    search_fields = ("name", "names__name", "description")
    inlines = [OrganisationNameInline, CitationInline]


@admin.register(OrganisationName)
class OrganisationNameAdmin(TrackedAdmin):
    list_display = ("name", "organisation")
    search_fields = ("name", "organisation__name")


@admin.register(Relationship)
class RelationshipAdmin(TrackedAdmin):
    list_display = ("person", "kind", "other", "claim_status")
    list_filter = ("kind", "claim_status")
    search_fields = ("person__primary_name", "other__primary_name", "description")
    inlines = [CitationInline]


@admin.register(Affiliation)
class AffiliationAdmin(TrackedAdmin):
    list_display = ("person", "kind", "title", "organisation")
    list_filter = ("kind",)
    search_fields = ("person__primary_name", "organisation__name", "title")
    inlines = [CitationInline]
