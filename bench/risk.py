"""Re-evaluate every case's onward-return risk and compare with reading the same rows in one query.

    DATABASE_URL=postgres://…/onward_bench DEBUG=1 .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://…/onward_bench DEBUG=1 .venv/bin/python bench/risk.py --generate 100000
    DATABASE_URL=postgres://…/onward_bench DEBUG=1 .venv/bin/python bench/risk.py --processes 2

``--generate`` writes synthetic cases (persons with shared names, charges, requests, events, political
roles, protections, a state graph) if the database holds fewer. The run times, over all cases:
one SQL query reading the rows the rules read; a cold evaluation storing every evaluation (the
bulk path the periodic task uses: cases.risk.evaluate_many in chunks); and a warm re-evaluation of
unchanged facts (idempotent: nothing stored)."""

import argparse
import datetime
import os
import random
import resource
import sys
import time
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from cases import risk  # noqa: E402
from cases.models import Case, Charge, Event, ExtraditionRequest  # noqa: E402
from cases.risk_models import FlagDecision, RiskEvaluation, RiskFlag  # noqa: E402
from jurisdictions.models import Jurisdiction, Membership, RiskAssessment, TransferChannel  # noqa: E402
from people.models import (  # noqa: E402
    Person,  # noqa: E402
    PoliticalRole,
    Protection,
    Relationship,
)

STATES = {"KZ": "Kazakhstan", "RU": "Russia", "UA": "Ukraine", "BY": "Belarus", "UZ": "Uzbekistan",
          "KG": "Kyrgyzstan", "TJ": "Tajikistan", "CN": "China", "FR": "France", "ES": "Spain", "CZ": "Czech Republic",
          "GB": "United Kingdom", "CH": "Switzerland", "AT": "Austria", "PL": "Poland", "DE": "Germany",
          "IT": "Italy", "TR": "Turkey", "AE": "United Arab Emirates", "US": "United States"}
PERSECUTORS = ["KZ", "RU", "UZ", "BY", "TJ", "KG", "CN", "TR"]
HOSTS = ["FR", "ES", "CZ", "GB", "CH", "AT", "PL", "DE", "IT", "UA", "RU", "AE", "US", "TR"]
FIRST = ["Mukhtar", "Tatiana", "Aleksandr", "Andrey", "Muratbek", "Ilyas", "Zhanbolat", "Daniyar", "Alnur",
         "Viktor", "Olga", "Rakhat", "Nurlan", "Aigul", "Bakhyt", "Yerlan", "Sergey", "Natalia", "Timur", "Dina"]
LAST = ["Ablyazov", "Paraskevich", "Pavlov", "Ketebayev", "Khrapunov", "Mamai", "Musayev", "Moldashev", "Aliyev",
        "Kozlov", "Ivanova", "Sadykov", "Nurpeisov", "Akhmetov", "Zhaksybekov", "Petrov", "Kim", "Li"]
VICTIMS = ["BTA Bank", "Kazkommertsbank", "Alliance Bank", "the state budget", "", "", "", ""]


def generate(total, seed=7):
    rng = random.Random(seed)
    have = Case.objects.count()
    if have >= total:
        print(f"{have} cases already there")
        return
    states = {}
    for code, name in STATES.items():
        states[code] = Jurisdiction.objects.get_or_create(code=code, defaults={"name": name})[0]
    for code in ("KZ", "RU", "UZ", "TJ", "CN", "TR", "BY"):
        RiskAssessment.objects.get_or_create(jurisdiction=states[code], defaults={
            "torture_risk": "high", "ignores_echr_judgments": code != "TR", "summary": "Torture in custody"})
    for code in ("KZ", "RU", "BY", "UZ", "KG", "TJ"):
        for body in ("minsk", "cis_crime_1998"):
            Membership.objects.get_or_create(jurisdiction=states[code], body=body)
    for code in ("KZ", "RU", "UZ", "KG", "TJ", "CN"):
        Membership.objects.get_or_create(jurisdiction=states[code], body="shanghai")
    Membership.objects.get_or_create(jurisdiction=states["UA"], body="minsk", defaults={"status": "unclear"})
    for code in ("FR", "ES", "CZ", "AT", "PL", "DE", "IT"):
        Membership.objects.get_or_create(jurisdiction=states[code], body="eu")
    TransferChannel.objects.get_or_create(from_jurisdiction=states["FR"], to_jurisdiction=states["KZ"],
                                          kind="bilateral_treaty", defaults={"status": "absent"})
    TransferChannel.objects.get_or_create(from_jurisdiction=states["TR"], to_jurisdiction=states["UZ"],
                                          kind="security_services", name="Security-service cooperation")
    TransferChannel.objects.get_or_create(from_jurisdiction=states["AE"], to_jurisdiction=states["RU"],
                                          kind="bilateral_treaty")

    count = total - have
    print(f"generating {count} cases…", flush=True)
    started = time.monotonic()
    batch = 10_000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        with transaction.atomic():
            people = Person.objects.bulk_create(
                [Person(primary_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}") for _ in range(size)])
            cases = []
            for person in people:
                persecutor = rng.choice(PERSECUTORS)
                host = rng.choice([h for h in HOSTS if h != persecutor])
                cases.append(Case(person=person, title=f"{person.primary_name} ({persecutor}→{host})",
                                  persecuting_state=states[persecutor], host_state=states[host]))
            cases = Case.objects.bulk_create(cases)
            charges, requests, events, roles, protections, relationships = [], [], [], [], [], []
            for case in cases:
                p = case.persecuting_state
                day = datetime.date(2005, 1, 1) + datetime.timedelta(days=rng.randrange(7000))
                charges.append(Charge(case=case, charging_state=p, offence="Embezzlement",
                                      category=rng.choice(["economic", "economic", "political", "terrorism"]),
                                      victim=rng.choice(VICTIMS), date=day))
                if rng.random() < 0.6:
                    requester = p if rng.random() < 0.6 else states[rng.choice(["RU", "UA", "BY", "AE", "TR"])]
                    if requester.pk != case.host_state_id:
                        requests.append(ExtraditionRequest(
                            case=case, requesting_state=requester, requested_state=case.host_state,
                            on_behalf_of=p if requester != p and rng.random() < 0.3 else None,
                            status=rng.choice(["received", "in_court", "granted_by_court", "refused"]), date=day))
                        if requester != p:
                            charges.append(Charge(case=case, charging_state=requester, offence="Fraud",
                                                  category="economic", victim=rng.choice(VICTIMS),
                                                  instigated_by=p if rng.random() < 0.5 else None, date=day))
                for _ in range(rng.randrange(3)):
                    events.append(Event(case=case, kind=rng.choice(["arrest", "release", "hearing", "warrant",
                                                                    "custody", "statement", "coercion"]),
                                        title="Event", date=day + datetime.timedelta(days=rng.randrange(4000)),
                                        jurisdiction=case.host_state))
                if rng.random() < 0.25:
                    roles.append(PoliticalRole(person_id=case.person_id, date=day, role=rng.choice(
                        ["opposition_politician", "journalist", "activist", "employee", "businessperson"])))
                if rng.random() < 0.05:
                    protections.append(Protection(person_id=case.person_id, kind="refugee", granted_by=case.host_state,
                                                  against_state=p, date=day))
            for a, b in zip(people[::50], people[1::50], strict=False):
                relationships.append(Relationship(person=a, other=b, kind="co_accused", date=datetime.date(2010, 1, 1)))
            Charge.objects.bulk_create(charges)
            ExtraditionRequest.objects.bulk_create(requests)
            Event.objects.bulk_create(events)
            PoliticalRole.objects.bulk_create(roles)
            Protection.objects.bulk_create(protections)
            Relationship.objects.bulk_create(relationships)
        print(f"  {start + size} cases ({time.monotonic() - started:.0f} s)", flush=True)


READ_SQL = """
SELECT 'case', c.id, c.persecuting_state_id, c.host_state_id, NULL, NULL FROM cases_case c
UNION ALL SELECT 'charge', ch.case_id, ch.charging_state_id, ch.instigated_by_id, ch.category, ch.victim
  FROM cases_charge ch
UNION ALL SELECT 'request', r.case_id, r.requesting_state_id, r.requested_state_id, r.status, NULL
  FROM cases_extraditionrequest r
UNION ALL SELECT 'event', e.case_id, e.perpetrator_state_id, e.jurisdiction_id, e.kind, NULL FROM cases_event e
UNION ALL SELECT 'role', pr.person_id, NULL, NULL, pr.role, NULL FROM people_politicalrole pr
UNION ALL SELECT 'protection', p.person_id, p.granted_by_id, p.against_state_id, p.kind, NULL FROM people_protection p
"""


def read_once():
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(READ_SQL)
        rows = cursor.fetchall()
    return len(rows), time.monotonic() - started


def _backend_cpu():
    """CPU seconds the PostgreSQL backend serving this connection has used (PostgreSQL on this
    machine: /proc), or None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _evaluate_chunks(chunks):
    connection.close()  # each process its own connection
    cpu, db_cpu = time.process_time(), _backend_cpu()
    config, world = risk.Config.current(), risk.World()
    evaluated = stored = 0
    for chunk in chunks:
        outcome = risk.evaluate_many(chunk, config=config, world=world)
        evaluated += outcome["evaluated"]
        stored += outcome["stored"]
    db_used = _backend_cpu() - db_cpu if db_cpu is not None else 0.0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return evaluated, stored, time.process_time() - cpu, db_used, rss_mb


def run(processes, chunk_size):
    """Every case in chunks of consecutive ids, dealt to ``processes`` processes as the periodic
    task deals them to Celery workers. Returns evaluated, stored, wall seconds, Python CPU,
    PostgreSQL CPU, the largest process's peak RSS in MB."""
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    chunks = [ids[i:i + chunk_size] for i in range(0, len(ids), chunk_size)]
    shares = [chunks[i::processes] for i in range(processes)]
    started = time.monotonic()
    if processes == 1:
        results = [_evaluate_chunks(chunks)]
    else:
        connection.close()
        with Pool(processes) as pool:
            results = pool.map(_evaluate_chunks, shares)
    elapsed = time.monotonic() - started
    return (sum(r[0] for r in results), sum(r[1] for r in results), elapsed, sum(r[2] for r in results),
            sum(r[3] for r in results), max(r[4] for r in results))


def _report(label, processes, outcome):
    evaluated, stored, seconds, cpu, db_cpu, rss = outcome
    print(f"{label}: {evaluated} cases in {seconds:.1f} s = {evaluated / seconds:.0f} cases/s with {processes} "
          f"process(es); {stored} stored; CPU: Python {cpu:.1f} s + PostgreSQL {db_cpu:.1f} s; peak RSS "
          f"{rss:.0f} MB per process; load average now {os.getloadavg()[0]:.1f}", flush=True)


def _clear():
    """Forget every evaluation and flag (a cold run). TRUNCATE on PostgreSQL: deleting 100k rows
    through the ORM takes minutes."""
    if connection.vendor == "postgresql":
        tables = ", ".join(m._meta.db_table for m in (FlagDecision, RiskFlag, RiskEvaluation))
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables}")  # noqa: S608 - our own tables
    else:
        FlagDecision.objects.all().delete()
        RiskFlag.objects.all().delete()
        RiskEvaluation.objects.all().delete()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generate", type=int, default=0, help="ensure at least this many cases")
    parser.add_argument("--processes", type=int, default=2, help="worker processes (like Celery workers)")
    parser.add_argument("--chunk", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep stored evaluations (skip the cold run)")
    args = parser.parse_args()
    if args.generate:
        generate(args.generate)
    total = Case.objects.count()
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs "
          "(wall time is shared with whatever else runs; CPU time is the run's own)")
    for _ in range(2):
        rows, read_seconds = read_once()  # the second read is warm (cached pages), as the runs are
    print(f"cases: {total}; one SQL query read {rows} rows in {read_seconds:.2f} s")
    if not args.keep:
        _clear()
        connection.close()
        _report("cold (every evaluation stored)", args.processes, run(args.processes, args.chunk))
    _report("warm (facts unchanged, nothing stored)", args.processes, run(args.processes, args.chunk))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT avg(pg_column_size(stored_explanation)), "
                           "pg_total_relation_size('cases_riskevaluation') FROM cases_riskevaluation")
            size, table = cursor.fetchone()
        print(f"stored explanation: {size:.0f} bytes on average; evaluations table with indexes "
              f"{table / 2**20:.0f} MB")
    print(f"flags open: {RiskFlag.objects.count()}; levels: " + ", ".join(
        f"{row['level']} {row['n']}" for row in RiskEvaluation.objects.filter(current=True).values("level")
        .annotate(n=django.db.models.Count("pk")).order_by("level")))


if __name__ == "__main__":
    main()
