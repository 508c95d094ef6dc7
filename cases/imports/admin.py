from django.contrib import admin

from .models import ImportMapping, ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "file_name", "created_by", "status", "rows_created", "rows_updated",
                    "rows_skipped"]
    list_filter = ["kind", "status"]
    readonly_fields = [field.name for field in ImportRun._meta.fields]


admin.site.register(ImportMapping)
