"""Shared admin behaviour: history on every model, soft-deleted rows visible, who changed what."""

from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin


class TrackedAdmin(SimpleHistoryAdmin):
    readonly_fields = ("created_at", "created_by", "updated_at", "updated_by", "version", "deleted_at", "deleted_by")
    list_per_page = 50

    def get_queryset(self, request):
        # Admins see soft-deleted rows too (and can restore them), through the unfiltered manager.
        return self.model.all_objects.get_queryset()

    actions = ["purge_deleted"]

    @admin.action(description="Purge the selected deleted records for good (recorded in the access log)")
    def purge_deleted(self, request, queryset):
        from core.purge import PurgeRefused, purge

        try:
            count = purge(queryset, request.user, request)
        except PurgeRefused as error:
            self.message_user(request, str(error), level=messages.ERROR)
            return
        self.message_user(request, f"{count} deleted record(s) purged for good.", level=messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        from core.editing import stamp

        stamp(obj, request.user, creating=not change)
        super().save_model(request, obj, form, change)
