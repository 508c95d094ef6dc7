"""Matching a whole file's spellings against the persons already recorded, in a few queries.

The rule is the UI's duplicate check (people.search.close_to): a recorded spelling matches when its
search key (people/names.py) is the same skeleton as the file's, or close to it as a whole
(difflib ratio ≥ 0.8). close_to asks the database twice per spelling; a 10,000-row file has 20,000
spellings. Here every distinct key of the file is matched at once:

- the same skeleton: ``search_key IN (…)``, 500 keys a query, on the b-tree index;
- PostgreSQL, close spellings: one join of the file's keys against the variants on pg_trgm's word
  similarity operator (``<%``, the one people.search uses for its fuzzy step, served by the GIN
  trigram index of people migration 0003) per 500 keys, then close_to's ratio ≥ 0.8 rule in Python
  over those candidates;
- SQLite (the embedded default, small files): close_to itself for each distinct key, as the UI does.

Which of the matched persons the importer may see (not those known only through a restricted case)
is decided once for the whole file as well.
"""

import difflib

from django.db import DatabaseError, connection, transaction
from django.db.models import Q

from people.models import NameVariant, Person
from people.search import close_to

CHUNK = 500
THRESHOLD = 0.8  # close_to's


def _chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _close(key, variant_key):
    return variant_key == key or difflib.SequenceMatcher(None, key, variant_key).ratio() >= THRESHOLD


def person_ids_by_key(keys):
    """{search key: {person id, ...}} for every key with a recorded spelling the same or close."""
    keys = sorted({key for key in keys if key})
    found = {key: set() for key in keys}
    for chunk in _chunks(keys):
        for variant_key, person_id in NameVariant.objects.filter(search_key__in=chunk).values_list(
                "search_key", "person_id"):
            found[variant_key].add(person_id)
    if connection.vendor == "postgresql":
        if len(keys) >= CHUNK:
            tidy_search_index()
        table = NameVariant._meta.db_table
        with connection.cursor() as cursor:
            for chunk in _chunks(keys):
                cursor.execute(
                    f"SELECT q.key, v.person_id, v.search_key FROM unnest(%s::text[]) AS q(key) "  # noqa: S608 - table name from the model
                    f"JOIN {table} v ON q.key <%% v.search_key WHERE v.deleted_at IS NULL", [chunk])
                for key, person_id, variant_key in cursor.fetchall():
                    if _close(key, variant_key):
                        found[key].add(person_id)
    else:
        for key in keys:
            found[key].update(close_to(key))
    return found


def visible_persons(person_ids, visible_cases):
    """{id: Person} of those of ``person_ids`` the importer may see: persons with a case they can see,
    or with no case hidden from them. Names and citizenships prefetched (the planner compares them)."""
    from ..models import Case

    hidden = Case.objects.exclude(pk__in=visible_cases.values("pk")).values("person_id")
    persons = {}
    for chunk in _chunks(sorted(person_ids)):
        rows = (Person.objects.filter(pk__in=chunk).filter(Q(cases__in=visible_cases) | ~Q(pk__in=hidden))
                .distinct().prefetch_related("names", "citizenships"))
        persons.update((person.pk, person) for person in rows)
    return persons


def tidy_search_index():
    """Before matching a large file, and after an import or undo has written many name variants
    (PostgreSQL): move the GIN index's pending list into the index proper and refresh the table's
    statistics. Written rows wait in that list until autovacuum gets there, and every trigram search
    scans it linearly (7 ms a search with 5,000 fresh variants instead of 0.3 ms: 20,000 spellings,
    two minutes); a planner that still believes the table empty joins the file's keys by a
    sequential scan. Both are what autovacuum would do; without the privilege (the index belongs to
    the user who migrated), matching is only slower."""
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list('people_namevariant_search_key_trgm'::regclass)")
            cursor.execute(f"ANALYZE {NameVariant._meta.db_table}")
    except DatabaseError:
        pass
