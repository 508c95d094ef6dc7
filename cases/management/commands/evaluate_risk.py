"""Evaluate the onward-return risk of every case now, in this process (after loading data, or when
no worker runs). Unchanged cases store nothing."""

from django.core.management.base import BaseCommand

from cases import risk
from cases.models import Case


class Command(BaseCommand):
    help = "Evaluate every case's onward-return risk now (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--chunk", type=int, default=2000)

    def handle(self, *args, chunk, **options):
        ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
        config, world = risk.Config.current(), risk.World()
        stored = 0
        for start in range(0, len(ids), chunk):
            stored += risk.evaluate_many(ids[start:start + chunk], config=config, world=world)["stored"]
        self.stdout.write(f"Evaluated {len(ids)} cases; {stored} new evaluations stored.")
