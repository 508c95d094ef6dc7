from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "cases.imports"
    label = "imports"
    verbose_name = "Spreadsheet imports"
    default_auto_field = "django.db.models.BigAutoField"
