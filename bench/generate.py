"""Synthetic data for the benchmark: many people sharing Kazakh and Russian surnames and first
names, each with Latin and Cyrillic spellings, and their cases.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onward_bench DEBUG=1 \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onward_bench DEBUG=1 \\
        .venv/bin/python bench/generate.py --persons 100000 --events 1000000

Rows are written with bulk_create in batches (no history rows, no signals: this is load, not
editing) and ``search_key``/``script`` are computed in Python exactly as NameVariant.save does."""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from cases.models import Case, Charge, Event, ExtraditionRequest  # noqa: E402
from jurisdictions.models import Jurisdiction  # noqa: E402
from people.models import NameVariant, Person  # noqa: E402
from people.names import clean, script_of, search_key  # noqa: E402

FIRST = ["Айдар", "Аманжол", "Асхат", "Бауыржан", "Болат", "Ерлан", "Жанболат", "Кайрат", "Марат", "Мухтар",
         "Нурлан", "Рахат", "Серик", "Тимур", "Даурен", "Алексей", "Андрей", "Дмитрий", "Иван", "Сергей",
         "Татьяна", "Наталья", "Айгуль", "Динара", "Жанна", "Гульнара", "Ольга", "Елена", "Юлия", "Айнур"]
SURNAMES = ["Аблязов", "Кетебаев", "Нурпеисов", "Сулейменов", "Ахметов", "Жаксыбеков", "Касымов", "Оспанов",
            "Искаков", "Мамай", "Кожахметов", "Абенов", "Бекмуханбетов", "Есимов", "Утемисов", "Садыков",
            "Иванов", "Петров", "Сидоров", "Кузнецов", "Смирнов", "Павлов", "Козлов", "Морозов", "Волков",
            "Параскевич", "Храпунов", "Алиев", "Мусаев", "Молдашев", "Курманов", "Свойк", "Тохтаров",
            "Жумабаев", "Сейткали", "Байменов", "Джандосов", "Каражанов", "Муканов", "Турсунов"]
# Two transliteration systems: the one passports used, and a French/academic one.
SYSTEM_A = {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
            "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
            "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "",
            "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya"}
SYSTEM_B = {**SYSTEM_A, "х": "h", "я": "ia", "ю": "iu", "й": "i", "ж": "j", "ш": "ch", "у": "ou"}
STATES = {"KZ": "Kazakhstan", "RU": "Russia", "UA": "Ukraine", "FR": "France", "ES": "Spain",
          "CZ": "Czech Republic", "GB": "United Kingdom", "CH": "Switzerland", "AT": "Austria", "PL": "Poland",
          "DE": "Germany", "IT": "Italy", "KG": "Kyrgyzstan", "BY": "Belarus", "LT": "Lithuania", "TR": "Turkey"}


def latin(text, system):
    out = []
    for char in text:
        low = char.lower()
        rendered = system.get(low, low)
        out.append(rendered.capitalize() if char.isupper() else rendered)
    return "".join(out)


def names_of(number, seed):
    """The same (first name, surname) for a person number every time: many people share both."""
    pick = random.Random(number * 7919 + seed)
    return pick.choice(FIRST), pick.choice(SURNAMES)


def variant(person_id, name, kind):
    name = clean(name)
    return NameVariant(person_id=person_id, name=name, kind=kind, script=script_of(name),
                       search_key=search_key(name))


def batched(rows, model, size=5000):
    for start in range(0, len(rows), size):
        model.objects.bulk_create(rows[start:start + size], batch_size=size)


def log(message, started):
    print(f"{message} ({time.monotonic() - started:.1f}s)", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--charges", type=int, default=300_000)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()
    states = {code: Jurisdiction.objects.get_or_create(code=code, defaults={"name": name})[0]
              for code, name in STATES.items()}
    state_ids = [s.pk for s in states.values()]
    researcher, _ = get_user_model().objects.get_or_create(username="bench", defaults={"first_name": "Bench"})
    researcher.set_password("bench-password")
    researcher.save()
    researcher.groups.add(Group.objects.get_or_create(name="researcher")[0])

    with transaction.atomic():
        people = []
        for number in range(args.persons):
            first, last = names_of(number, args.seed)
            people.append(Person(primary_name=f"{latin(first, SYSTEM_A)} {latin(last, SYSTEM_A)}",
                                 birth_year=rng.randint(1940, 2000), residence_id=rng.choice(state_ids),
                                 key=f"bench-{args.seed}-{number}"))
        batched(people, Person)
        log(f"{len(people)} persons", started)
        people = list(Person.objects.filter(key__startswith=f"bench-{args.seed}-").order_by("pk"))
        names = []
        for person in people:
            first, last = names_of(int(person.key.rsplit("-", 1)[1]), args.seed)
            names.append(variant(person.pk, person.primary_name, "primary"))
            names.append(variant(person.pk, f"{last} {first}", "native"))
            alt = f"{latin(first, SYSTEM_B)} {latin(last, SYSTEM_B)}"
            if alt != person.primary_name:
                names.append(variant(person.pk, alt, "transliteration"))
        batched(names, NameVariant)
        log(f"{len(names)} name variants", started)

        cases = [Case(person_id=person.pk, title=f"{person.primary_name}: case {i}", status=rng.choice(
            ["open", "open", "watch", "closed"]), persecuting_state_id=states[rng.choice(["KZ", "RU", "UA"])].pk,
            host_state_id=rng.choice(state_ids), restricted=rng.random() < 0.05, key=f"bench-{args.seed}-{i}")
            for i, person in enumerate(people)]
        batched(cases, Case)
        case_ids = list(Case.objects.filter(key__startswith=f"bench-{args.seed}-").values_list("pk", flat=True))
        log(f"{len(case_ids)} cases", started)

        def some_date():
            return datetime.date(rng.randint(1998, 2025), rng.randint(1, 12), 1)

        charges = [Charge(case_id=rng.choice(case_ids), charging_state_id=states[rng.choice(["KZ", "RU", "UA"])].pk,
                          offence=rng.choice(["Embezzlement", "Fraud", "Abuse of office", "Insult of the President",
                                              "Calls to seize power", "Extremism"]),
                          category=rng.choice(["economic", "political", "terrorism", "other"]),
                          date=some_date(), date_precision=rng.choice(["day", "month", "year"]))
                   for _ in range(args.charges)]
        batched(charges, Charge)
        log(f"{len(charges)} charges", started)
        requests = []
        for _ in range(args.requests):
            requesting = rng.choice(["KZ", "RU", "UA"])
            requested = rng.choice([c for c in STATES if c not in ("KZ", "RU", "UA")])
            requests.append(ExtraditionRequest(
                case_id=rng.choice(case_ids), requesting_state_id=states[requesting].pk,
                requested_state_id=states[requested].pk, status=rng.choice(
                    ["received", "in_court", "granted_by_court", "refused", "annulled", "withdrawn"]),
                date=some_date(), date_precision="month"))
        batched(requests, ExtraditionRequest)
        log(f"{len(requests)} requests", started)

    kinds = ["arrest", "release", "hearing", "deadline", "statement", "surveillance", "other", "warrant"]
    written = 0
    while written < args.events:
        chunk = min(50_000, args.events - written)
        with transaction.atomic():
            batched([Event(case_id=rng.choice(case_ids), kind=rng.choice(kinds), title=f"Event {written + i}",
                           date=some_date(), date_precision=rng.choice(["day", "month", "year"]))
                     for i in range(chunk)], Event)
        written += chunk
        log(f"{written} events", started)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    log("done", started)


if __name__ == "__main__":
    main()
