"""Load the demo data extracted from the seed articles (data/demo/*.json). Idempotent."""

from django.core.management.base import BaseCommand, CommandError

from cases import demo, risk
from cases.models import Case


class Command(BaseCommand):
    help = "Load the demo data (data/demo/*.json) idempotently: a second run changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(demo.DEMO_DIR), help="Folder holding the demo JSON files.")

    def handle(self, *args, **options):
        try:
            result = demo.load(options["dir"])
        except demo.DemoDataError as error:
            raise CommandError(f"Demo data not loaded (nothing was changed): {error}") from None
        self.stdout.write(f"Demo data loaded: {result['created']} records created, {result['updated']} updated.")
        for name, count in demo.counts().items():
            self.stdout.write(f"  {name}: {count}")
        # The demo should open with its risk panels and flags filled in; evaluate_many stores nothing
        # for a case whose facts have not changed, so a second run stays a no-op.
        outcome = risk.evaluate_many(list(Case.objects.values_list("pk", flat=True)))
        self.stdout.write(f"Risk evaluated for {outcome['evaluated']} cases ({outcome['stored']} new evaluations).")
