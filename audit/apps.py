from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Access log"

    def ready(self):
        # Recording who logged in or changed whose roles is the side effect these signals exist for;
        # no business rule lives in the receivers (audit/receivers.py).
        from . import receivers  # noqa: F401
