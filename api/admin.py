from django.contrib import admin

from . import tokens
from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["user", "prefix", "created_at", "last_used_at", "revoked_at", "revoked_by"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # tokens are issued on the user's own page, where the secret is shown once

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            tokens.revoke(token, request.user)
        self.message_user(request, f"Revoked {queryset.count()} token(s).")
