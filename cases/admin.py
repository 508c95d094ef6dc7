from django.contrib import admin

from core.admin import TrackedAdmin
from sources.admin import CitationInline

from .models import Assurance, Case, Charge, Claim, Decision, Event, ExtraditionRequest


@admin.register(Case)
class CaseAdmin(TrackedAdmin):
    list_display = ("title", "person", "status", "persecuting_state", "host_state", "restricted", "updated_at")
    list_filter = ("status", "restricted", "persecuting_state", "host_state")
    search_fields = ("title", "person__primary_name", "person__names__name", "summary")
    filter_horizontal = ("team", "assigned_to")
    autocomplete_fields = ("person",)


@admin.register(Charge)
class ChargeAdmin(TrackedAdmin):
    list_display = ("offence", "case", "charging_state", "category", "status", "date")
    list_filter = ("category", "status", "charging_state", "claim_status")
    search_fields = ("offence", "article", "case__title")
    inlines = [CitationInline]


class AssuranceInline(admin.TabularInline):
    model = Assurance
    extra = 0
    fields = ("kind", "given_by", "disclosed", "specific", "binding", "monitored")


@admin.register(ExtraditionRequest)
class ExtraditionRequestAdmin(TrackedAdmin):
    list_display = ("case", "requesting_state", "requested_state", "on_behalf_of", "status", "date")
    list_filter = ("status", "requesting_state", "requested_state", "on_behalf_of", "interpol_notice")
    search_fields = ("case__title", "description")
    inlines = [AssuranceInline, CitationInline]


@admin.register(Assurance)
class AssuranceAdmin(TrackedAdmin):
    list_display = ("request", "kind", "disclosed", "specific", "monitored")
    list_filter = ("kind",)
    search_fields = ("given_by", "text")


@admin.register(Decision)
class DecisionAdmin(TrackedAdmin):
    list_display = ("case", "body_name", "body", "level", "outcome", "date")
    list_filter = ("level", "outcome", "jurisdiction", "ground_political", "in_absentia")
    search_fields = ("case__title", "body_name", "summary", "reference")
    inlines = [CitationInline]


@admin.register(Event)
class EventAdmin(TrackedAdmin):
    list_display = ("title", "case", "kind", "date", "date_precision", "place")
    list_filter = ("kind", "date_precision", "jurisdiction", "claim_status")
    search_fields = ("title", "description", "place", "case__title")
    inlines = [CitationInline]


@admin.register(Claim)
class ClaimAdmin(TrackedAdmin):
    list_display = ("statement", "case", "person", "claim_status")
    list_filter = ("claim_status",)
    search_fields = ("statement", "holder")
    inlines = [CitationInline]

from . import risk_admin  # noqa: E402, F401  (risk rules, thresholds, evaluations, flags)
