from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.backups import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database: pg_dump's custom format on PostgreSQL, an online copy on SQLite."

    def add_arguments(self, parser):
        parser.add_argument("destination", nargs="?",
                            help="File to write (default: backups/onward-<UTC time>.<dump|sqlite3>)")

    def handle(self, *args, destination=None, **options):
        from django.conf import settings
        from django.db import connection

        if not destination:
            suffix = "dump" if connection.vendor == "postgresql" else "sqlite3"
            destination = settings.DATA_DIR / "backups" / f"onward-{timezone.now():%Y%m%dT%H%M%SZ}.{suffix}"
        try:
            path = backup(destination)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backup written to {path} ({path.stat().st_size} bytes).")
