"""Admin for the risk engine: weights and thresholds are edited here, every change kept in their
history (django-simple-history); evaluations, flags and decisions are read-only records."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .risk_models import EvaluationRequest, FlagDecision, RiskEvaluation, RiskFlag, RiskRule, RiskSettings


@admin.register(RiskRule)
class RiskRuleAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "axis", "weight", "enabled", "basis"]
    list_editable = ["weight", "enabled"]
    list_filter = ["axis", "enabled"]
    readonly_fields = ["code", "axis"]
    search_fields = ["code", "name", "basis"]

    def has_add_permission(self, request):
        return False  # a rule without code in cases/risk.py would never fire

    def has_delete_permission(self, request, obj=None):
        return False  # disable instead: the history keeps what it weighed

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _reevaluate_all()


@admin.register(RiskSettings)
class RiskSettingsAdmin(SimpleHistoryAdmin):
    list_display = ["__str__"]

    def has_add_permission(self, request):
        return not RiskSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _reevaluate_all()


def _reevaluate_all():
    from django.db import transaction

    from . import tasks

    transaction.on_commit(lambda: tasks.reevaluate_all.delay())


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RiskEvaluation)
class RiskEvaluationAdmin(ReadOnlyAdmin):
    list_display = ["case", "evaluated_at", "level", "score", "axis_a", "axis_b", "urgency", "current"]
    list_filter = ["level", "current", "flagged"]
    list_select_related = ["case"]


@admin.register(RiskFlag)
class RiskFlagAdmin(ReadOnlyAdmin):
    list_display = ["case", "level", "score", "status", "assigned_to", "opened_at", "reopened_count"]
    list_filter = ["level", "status"]
    list_select_related = ["case", "assigned_to"]


@admin.register(FlagDecision)
class FlagDecisionAdmin(ReadOnlyAdmin):
    list_display = ["flag", "action", "user", "at", "reason"]
    list_select_related = ["flag", "user"]


@admin.register(EvaluationRequest)
class EvaluationRequestAdmin(ReadOnlyAdmin):
    list_display = ["case", "state", "generation", "requested_at", "claimed_at", "attempts"]
    list_filter = ["state"]
