"""How fast the researcher pages are, next to the SQL they run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onward_bench REDIS_URL=redis://127.0.0.1:6379/0 \
        DEBUG=0 ONWARD_ALLOW_INSECURE_KEY=1 SECURE_SSL_REDIRECT=0 .venv/bin/python bench/pages.py

With REDIS_URL, as deployed, sessions are read through the cache (cached_db); without it every
request reads its session from the database (one query more).

For each page: the request time through Django's test Client (logged in as the bench researcher,
with the whole middleware stack), the time of every statement it issued re-executed raw with
``cursor.execute`` on the same connection (the floor: what the database alone needs; its writes
rolled back), the ratio of the two, the CPU time of the Python side, and the number of queries.
Medians over ``--runs`` runs after a warm-up (the ratio: the median of each run's request against
the floor measured right after it); the machine's load average is printed with them."""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cases.models import Case  # noqa: E402
from jurisdictions.models import Jurisdiction  # noqa: E402
from people.search import rank  # noqa: E402

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
settings.ONWARD_MFA_REQUIRED_ROLES = ()

SEARCHES = ["Кетебаев", "Ketebaev", "Ablyazov", "Abliazov", "Аблязов Мухтар", "Tatiana Ivanova", "Petrov",
            "Nurpeisov Bolat", "Сулейменов", "Kozhakhmetov", "Tokhtarov Aidar", "Khrapunov", "Moldashev",
            "Мамай Жанболат", "Zhaksybekov", "Iskakov", "Kasymov Serik", "Оспанов Нурлан", "Volkov", "Aliev"]


def raw_floor(queries):
    """Re-run the statements the page issued, raw, and time them (fetching every row). The page's
    writes (the access log, a renewed session) are part of what it must do, so they are re-run too,
    in a transaction rolled back at the end (cheaper than the page's own commits: a strict floor)."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
                continue  # the page's own transaction control
            cursor.execute(sql)
            if cursor.description is not None:
                cursor.fetchall()
        transaction.set_rollback(True)
    return time.perf_counter() - started


def measure(client, url, runs):
    client.get(url)  # warm-up: caches, plans
    request_times, cpu_times, floors, counts, statuses = [], [], [], [], set()
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            request_times.append(time.perf_counter() - started)
            cpu_times.append(time.process_time() - cpu)
        statuses.add(response.status_code)
        counts.append(len(captured.captured_queries))
        floors.append(raw_floor(captured.captured_queries))
    # Each request against the floor measured right after it, then the median of those ratios: the
    # machine's speed drifts (a shared VM), and a pair measured together drifts together.
    ratio = statistics.median(request / floor for request, floor in zip(request_times, floors, strict=True))
    return (statistics.median(request_times), statistics.median(cpu_times), statistics.median(floors), ratio,
            (int(statistics.median(counts)), max(counts)), statuses)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    user = get_user_model().objects.get(username="bench")
    client = Client()
    client.force_login(user)
    czech = Jurisdiction.objects.get(code="CZ").pk
    visible = Case.objects.visible_to(user)
    busy = visible.order_by("-pk").values_list("pk", flat=True)[:200]
    case_id = random.Random(1).choice(list(busy))
    pages = [
        ("case list (newest first)", "/cases/"),
        ("case list, page 40, 100 per page", "/cases/?page=40&per_page=100"),
        ("case list, requested CZ + political charge", f"/cases/?requested_state={czech}&charge_category=political"),
        ("case list, sorted by person", "/cases/?o=person"),
        ("case page", f"/cases/{case_id}/"),
    ]
    pages += [(f"search “{q}”", f"/cases/search/?all=1&q={q}") for q in SEARCHES[:6]]
    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}  "
          f"cases: {Case.objects.count()}  runs: {args.runs}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    # queries: the median request's count, and the most any run issued (a run that renews the
    # session and allauth's "last seen", every ONWARD_SESSION_TOUCH_INTERVAL, issues two more).
    print(f"{'page':46} {'request ms':>10} {'CPU ms':>7} {'SQL ms':>8} {'ratio':>6} {'queries':>8}")
    for label, url in pages:
        try:
            request_time, cpu_time, floor, ratio, (count, most), statuses = measure(client, url, args.runs)
        except Exception as error:  # noqa: BLE001 - report the page and go on with the others
            print(f"{label[:46]:46} failed: {type(error).__name__}: {error}")
            continue
        counted = f"{count}" if count == most else f"{count} (≤{most})"
        print(f"{label[:46]:46} {request_time * 1000:10.1f} {cpu_time * 1000:7.1f} {floor * 1000:8.1f} "
              f"{ratio:6.2f} {counted:>8}" + ("" if statuses <= {200, 302} else f"  status {statuses}"))
    # The search over all names: the page as a whole, and the ranking query alone.
    page_times, page_cpu, rank_times = [], [], []
    for query in SEARCHES * 3:
        started, cpu = time.perf_counter(), time.process_time()
        client.get(f"/cases/search/?all=1&q={query}")
        page_times.append(time.perf_counter() - started)
        page_cpu.append(time.process_time() - cpu)
        started = time.perf_counter()
        rank(query)
        rank_times.append(time.perf_counter() - started)
    print(f"search over {len(SEARCHES)} spellings ×3: page median {statistics.median(page_times) * 1000:.1f} ms, "
          f"p90 {sorted(page_times)[int(len(page_times) * .9)] * 1000:.1f} ms (Python CPU median "
          f"{statistics.median(page_cpu) * 1000:.1f} ms); ranking query median "
          f"{statistics.median(rank_times) * 1000:.1f} ms")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
