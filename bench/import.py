"""Import a 10,000-row persons spreadsheet (a Latin name and a Cyrillic spelling per row, a year of
birth, a citizenship) through the same plan → apply path the pages use, and print rows per second
and peak memory, next to the time PostgreSQL's COPY takes to load the same rows into a bare table
(the floor: no matching, no validation, no history).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onward_bench .venv/bin/python bench/import.py [--rows 10000]

Runs on a database it migrates itself; point it at a throwaway database.
"""

import argparse
import io
import os
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LATIN = ["Aman", "Bolat", "Dauren", "Erlan", "Galym", "Nurlan", "Marat", "Serik", "Timur", "Zhanna", "Aigul",
         "Dina", "Gulnara", "Saule", "Mukhtar", "Viktor", "Irina", "Oleg", "Pavel", "Yulia"]
SURNAMES = ["Ketebayev", "Ablyazov", "Zhakiyanov", "Sadykov", "Abdulov", "Tokhtarov", "Nurmagambetov",
            "Kozlov", "Paraskevich", "Khrapunov", "Iskakov", "Baimukhanov", "Dzhaksybekov", "Kaliyev"]


def rows(count, seed=7):
    random.seed(seed)
    header = ["name", "variants", "birth_year", "citizenship"]
    out = []
    syllables = ["ka", "ze", "mo", "ri", "tu", "bek", "lan", "sar", "dun", "gul", "nur", "tay", "bol", "zhan",
                 "vik", "pes", "rom", "kul", "dar", "mir"]
    seen = set()
    while len(out) < count:
        first = random.choice(LATIN)
        last = "".join(random.choice(syllables) for _ in range(3)).title() + random.choice(["ov", "ev", "in", "uly"])
        name = f"{first} {last}"
        if name in seen:
            continue
        seen.add(name)
        cyrillic = "".join(_CYR.get(c, c) for c in name.lower()).title()
        out.append([name, cyrillic, str(random.randint(1940, 2000)), random.choice(["KZ", "RU", "UA", "KG"])])
    return header, out


_CYR = {"a": "а", "b": "б", "d": "д", "e": "е", "g": "г", "i": "и", "k": "к", "l": "л", "m": "м", "n": "н",
        "o": "о", "p": "п", "r": "р", "s": "с", "t": "т", "u": "у", "v": "в", "y": "ы", "z": "з", "h": "х",
        "j": "ж", "c": "ц", "f": "ф"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--heap", action="store_true",
                        help="trace the Python heap's peak with tracemalloc (slows Python down; times are then high)")
    parser.add_argument("--undo", action="store_true", help="also time undoing the import as a whole")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to a throwaway PostgreSQL database: the floor is PostgreSQL's COPY.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ONWARD_ALLOW_INSECURE_KEY", "1")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from cases.imports import importers
    from cases.imports.models import ImportRun
    from jurisdictions.models import Jurisdiction
    from people.models import Person

    call_command("migrate", verbosity=0)
    for code, name in [("KZ", "Kazakhstan"), ("RU", "Russia"), ("UA", "Ukraine"), ("KG", "Kyrgyzstan")]:
        Jurisdiction.objects.get_or_create(code=code, defaults={"name": name})
    user, _ = get_user_model().objects.get_or_create(username="bench-importer")
    header, data = rows(args.rows, seed=Person.objects.count())  # a rerun brings new people
    table = [(number, dict(zip(header, row, strict=True))) for number, row in enumerate(data, start=2)]
    columns = {"name": "name", "variants": "variants", "birth_year": "birth_year", "citizenship": "citizenship"}
    before = Person.objects.count()

    if args.heap:
        tracemalloc.start()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    load_before = os.getloadavg()
    cpu_started = time.process_time()
    started = time.perf_counter()
    the_plan = importers.plan("persons", table, columns, user)
    planned = time.perf_counter()
    run = ImportRun.objects.create(kind="persons", created_by=user, file_name="bench.csv", file_sha256="0" * 64,
                                   stored_file="-", rows_total=len(table), skip_bad_rows=True)
    importers.apply(run, the_plan, user)
    finished = time.perf_counter()
    cpu = time.process_time() - cpu_started
    load_after = os.getloadavg()
    peak = tracemalloc.get_traced_memory()[1] if args.heap else None
    tracemalloc.stop()
    created = Person.objects.count() - before
    undone = None
    if args.undo:
        undo_started = time.perf_counter()
        importers.undo(run, user)
        undone = time.perf_counter() - undo_started

    buffer = io.StringIO()
    for row in data:
        buffer.write("\t".join(row) + "\n")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_copy (name text, variants text, birth_year int, citizenship text)")
        buffer.seek(0)
        copy_started = time.perf_counter()
        cursor.connection.cursor().copy_expert("COPY bench_copy FROM STDIN", buffer)
        copied = time.perf_counter() - copy_started
        cursor.execute("DROP TABLE bench_copy")

    total = finished - started
    print(f"rows: {args.rows} persons, each with 2 spellings and a citizenship ({connection.vendor}, "
          f"{before} persons recorded before); "
          f"{created} created, {run.rows_matched + run.rows_updated} matched to a person already in the file or database, "
          f"{run.rows_skipped} refused as matching several")
    print(f"plan (match every spelling, validate): {planned - started:6.2f} s")
    print(f"apply (save with history, one transaction): {finished - planned:6.2f} s")
    print(f"import total: {total:6.2f} s = {args.rows / total:8.0f} rows/s; "
          f"CPU time of this process {cpu:6.2f} s (the rest is PostgreSQL and waiting)")
    print(f"load average (1, 5, 15 min) before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}; {os.cpu_count()} cores")
    heap = f"peak Python heap (tracemalloc) {peak / 1024 / 1024:6.1f} MB; " if peak is not None else ""
    print(f"{heap}process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:6.1f} MB "
          f"(before the import: {rss_before / 1024:6.1f} MB)")
    if undone is not None:
        print(f"undo as a whole: {undone:6.2f} s")
    print(f"PostgreSQL COPY of the same rows: {copied:6.3f} s = {args.rows / copied:8.0f} rows/s (the floor)")


if __name__ == "__main__":
    main()
