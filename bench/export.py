"""Export a synthetic 500-event case timeline (two citations per event, Cyrillic and Latin names) as
PDF, CSV and JSON; print the time and peak memory of each. Target for the PDF: under 2 s, under 300 MB.

    .venv/bin/python bench/export.py            # a throwaway SQLite database in a temporary folder
    DATABASE_URL=postgres://... .venv/bin/python bench/export.py --events 500

The data is built once; each format is then measured in a fresh process, so the peak resident memory
printed is that of a whole Onward process doing the export (Django included), not of the builder.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(data_dir):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ONWARD_ALLOW_INSECURE_KEY", "1")
    os.environ.setdefault("ONWARD_DATA_DIR", data_dir)
    import django

    django.setup()


def build(events):
    import datetime
    import random

    from django.core.management import call_command

    from cases.models import Case, Event
    from jurisdictions.models import Jurisdiction
    from people.models import NameVariant, Person
    from sources.models import Citation, Source

    call_command("migrate", verbosity=0)
    rng = random.Random(5)
    kz, _ = Jurisdiction.objects.get_or_create(code="KZ", defaults={"name": "Kazakhstan"})
    fr, _ = Jurisdiction.objects.get_or_create(code="FR", defaults={"name": "France"})
    person = Person.objects.create(primary_name="Mukhtar Ablyazov", description="Former chairman of BTA Bank")
    for name, kind in [("Mukhtar Ablyazov", "primary"), ("Мухтар Аблязов", "native"),
                       ("Moukhtar Abliazov", "transliteration"), ("Мұхтар Әблязов", "native")]:
        NameVariant.objects.create(person=person, name=name, kind=kind)
    person.citizenships.add(kz)
    case = Case.objects.create(person=person, title="Bench: Ablyazov extradition", persecuting_state=kz,
                               host_state=fr, summary="Synthetic case for the export benchmark.")
    sources = [Source.objects.create(
        title=f"Report {n}: Генпрокуратура о деле Аблязова" if n % 3 == 0 else f"Report {n} on the BTA Bank case",
        publisher=rng.choice(["Human Rights Watch", "Amnesty International", "ТАСС", "Le Monde"]),
        date=datetime.date(2010 + n % 14, 1 + n % 12, 1 + n % 28),
        url=f"https://example.org/reports/{n}") for n in range(60)]
    kinds = ["arrest", "hearing", "statement", "warrant", "custody", "release", "other"]
    precisions = ["day", "day", "day", "month", "year", "approx"]
    for n in range(events):
        event = Event.objects.create(
            case=case, kind=rng.choice(kinds), title=f"Event {n}: Мухтар Аблязов before the court in Lyon",
            description="The court heard the defence on the political nature of the prosecution. " * 2,
            date=datetime.date(2000 + n % 25, 1 + n % 12, 1 + n % 28), date_precision=rng.choice(precisions),
            claim_status="contested" if n % 10 == 0 else "asserted", place="Lyon",
        )
        for k, position in enumerate(["supports", "disputes" if n % 10 == 0 else "supports"]):
            Citation.objects.create(fact=event, source=sources[(n + k * 7) % len(sources)], position=position,
                                    quote=f"«цитата {n}» — the words of source {k}", page=f"p. {1 + k}")
    return case.pk


def measure(case_id, fmt):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from cases.exports import service
    from cases.models import Case

    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_superuser": True})
    case = Case.objects.select_related("person").get(pk=case_id)
    options = service.ExportOptions()

    def run():
        entries = service.entries_for(case, options)
        return entries, service.render(case, fmt, options, entries, user=user, when=timezone.now())

    run()  # warm up: font files parsed, templates and code loaded once per process, as in a running server
    # Timed without tracemalloc, which slows allocation-heavy code several times over; three runs,
    # the range printed (other processes on a shared machine stretch the wall time, not the CPU time)...
    times = []
    for _ in range(3):
        started, cpu_started = time.perf_counter(), time.process_time()
        entries, content = run()
        times.append((time.perf_counter() - started, time.process_time() - cpu_started))
    seconds, cpu = min(t[0] for t in times), min(t[1] for t in times)
    seconds_max, cpu_max = max(t[0] for t in times), max(t[1] for t in times)
    # ...then traced once more for the Python heap the export itself needs.
    tracemalloc.start()
    run()
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"format": fmt, "entries": len(entries), "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
            "seconds_max": round(seconds_max, 3), "cpu_seconds_max": round(cpu_max, 3), "bytes": len(content),
            "traced_peak_mb": round(traced_peak / 2**20, 1),
            "process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--measure", nargs=2, metavar=("CASE_ID", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        setup_django(os.environ["ONWARD_DATA_DIR"])
        print(json.dumps(measure(int(args.measure[0]), args.measure[1])))
        return
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["ONWARD_DATA_DIR"] = data_dir
        setup_django(data_dir)
        started = time.perf_counter()
        case_id = build(args.events)
        print(f"built a case with {args.events} events in {time.perf_counter() - started:.1f} s")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (CPU time is what the export itself used)")
        print(f"{'format':<6} {'entries':>7} {'time (3 runs)':>14} {'CPU time':>12} {'traced peak':>12} "
              f"{'process peak RSS':>17} {'size':>9}")
        for fmt in ["pdf", "csv", "json"]:
            out = subprocess.run([sys.executable, __file__, "--measure", str(case_id), fmt], check=True,  # noqa: S603 - our own script
                                 capture_output=True, text=True, env=os.environ).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(f"{r['format']:<6} {r['entries']:>7} {r['seconds']:>6.2f}–{r['seconds_max']:.2f}s "
                  f"{r['cpu_seconds']:>5.2f}–{r['cpu_seconds_max']:.2f}s {r['traced_peak_mb']:>9.1f} MB "
                  f"{r['process_peak_rss_mb']:>14.1f} MB {r['bytes'] / 1024:>6.0f} KB")
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
