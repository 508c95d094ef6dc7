from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, restore


class Command(BaseCommand):
    help = "Replace the database's contents with a backup made by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("source", help="The backup file")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation")

    def handle(self, *args, source, yes=False, **options):
        if not yes:
            answer = input("This replaces every record in the database with the backup's. Type 'restore': ")
            if answer.strip() != "restore":
                raise CommandError("Not restored.")
        try:
            restore(source)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored from {source}.")
