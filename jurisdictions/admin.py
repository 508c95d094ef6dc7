from django.contrib import admin

from core.admin import TrackedAdmin
from sources.admin import CitationInline

from .models import Jurisdiction, Membership, RiskAssessment, TransferChannel


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("body", "status", "since", "until", "claim_status")


@admin.register(Jurisdiction)
class JurisdictionAdmin(TrackedAdmin):
    list_display = ("name", "code", "name_native")
    search_fields = ("name", "code", "name_native")
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(TrackedAdmin):
    list_display = ("jurisdiction", "body", "status", "since", "until")
    list_filter = ("body", "status")
    search_fields = ("jurisdiction__name",)
    inlines = [CitationInline]


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(TrackedAdmin):
    list_display = ("jurisdiction", "torture_risk", "fair_trial_risk", "ignores_echr_judgments", "assessed_on")
    list_filter = ("torture_risk", "fair_trial_risk", "ignores_echr_judgments")
    search_fields = ("jurisdiction__name", "summary")
    inlines = [CitationInline]


@admin.register(TransferChannel)
class TransferChannelAdmin(TrackedAdmin):
    list_display = ("from_jurisdiction", "to_jurisdiction", "kind", "instrument", "status", "valid_from", "valid_to")
    list_filter = ("kind", "status", "instrument")
    search_fields = ("from_jurisdiction__name", "to_jurisdiction__name", "name")
    inlines = [CitationInline]
