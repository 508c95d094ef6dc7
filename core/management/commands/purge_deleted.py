from datetime import timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.models import TrackedModel
from core.purge import PurgeRefused, purge


class Command(BaseCommand):
    help = "Purge soft-deleted records for good (and their history), recorded in the access log."

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="admin", required=True, help="Username of the admin doing it")
        parser.add_argument("--older-than-days", type=int, default=30,
                            help="Only records deleted at least this many days ago (default 30)")
        parser.add_argument("--model", action="append", help="app_label.Model (default: every tracked model)")
        parser.add_argument("--yes", action="store_true", help="Purge; without it, only count")

    def handle(self, *args, admin, older_than_days, model=None, yes=False, **options):
        try:
            user = get_user_model().objects.get(username=admin)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user {admin!r}.") from error
        models = [apps.get_model(label) for label in model] if model else [
            m for m in apps.get_models() if issubclass(m, TrackedModel)]
        cutoff = timezone.now() - timedelta(days=older_than_days)
        total = 0
        for tracked in models:
            rows = tracked.all_objects.filter(deleted_at__isnull=False, deleted_at__lte=cutoff)
            count = rows.count()
            if not count:
                continue
            if yes:
                try:
                    count = purge(rows, user)
                except PurgeRefused as error:
                    raise CommandError(str(error)) from error
            self.stdout.write(f"{tracked._meta.label}: {count} {'purged' if yes else 'would be purged'}")
            total += count
        self.stdout.write(f"{total} record(s) {'purged' if yes else 'to purge (run again with --yes)'}.")
