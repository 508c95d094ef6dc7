"""Finding a person by any spelling of their name.

Every name variant stores ``search_key`` (people/names.py), a Latin skeleton in which the usual
transliteration differences vanish, so "Кетебаев", "Ketebaev" and "Ketebayev" meet on ``ketebaev``.
On PostgreSQL the variants are ranked by pg_trgm word similarity on that key (the GIN trigram
index from migration 0003 serves the ``<%`` match), which also forgives a typo. On SQLite the
candidates are found by containment of each query word's prefix in the key and ranked in Python
with difflib over that (small) candidate set.

This module only ranks spellings. Which of the matched people a user may see (not those known
only through a restricted case) is decided in cases/selectors.py, since imports point
cases → people and never back.
"""

import dataclasses
import difflib

from django.db import connection
from django.db.models import Q

from .models import NameVariant
from .names import script_of, search_key

SQLITE_CANDIDATES = 3000


@dataclasses.dataclass
class Match:
    person_id: int
    variant_id: int
    variant_key: str
    score: float
    exact: bool  # every word of the query is a whole word of the variant's key
    name: str = ""  # the variant as written, its script and kind: shown without another query
    script: str = ""
    kind: str = ""

    @property
    def variant(self):
        """The matching spelling as a (read-only) NameVariant, for templates."""
        return NameVariant(pk=self.variant_id, person_id=self.person_id, name=self.name, script=self.script,
                           kind=self.kind, search_key=self.variant_key)


def _exact(query_words, variant_key):
    words = variant_key.split()
    return all(word in words for word in query_words)


def _word_score(query_key, variant_key):
    """Similarity of the query to the best-matching part of the key (like pg_trgm's word
    similarity): "ketebaev" against "amanzol ketebaev" scores 1.0, not 0.67."""
    if f" {query_key} " in f" {variant_key} ":
        return 1.0  # the query's words, in order, are words of the key: nothing to compare
    if _exact(query_key.split(), variant_key):
        return 0.95  # every word, in another order ("Мухтар Аблязов" for "Ablyazov Mukhtar")
    best = difflib.SequenceMatcher(None, query_key, variant_key).ratio()
    words = variant_key.split()
    size = len(query_key.split())
    for start in range(len(words)):
        part = " ".join(words[start:start + size])
        best = max(best, difflib.SequenceMatcher(None, query_key, part).ratio())
    return best


def _candidates_postgres(key, limit):
    """Two steps, both served by the GIN trigram index. First the variants containing every word
    of the query (the usual case, and cheap even for a surname thousands share); only when those
    are too few, the fuzzy step ranks by word similarity, which forgives a typo but must compute
    the similarity of every candidate row."""
    from django.contrib.postgres.search import TrigramWordSimilarity

    rows = []
    words = [word for word in key.split() if len(word) >= 3]
    if words:
        condition = Q()
        for word in words:
            condition &= Q(search_key__contains=word)
        found = NameVariant.objects.filter(condition).order_by("person_id").values_list(
            "pk", "person_id", "search_key", "script", "name", "kind")[:limit]
        rows = [(pk, person_id, variant_key, _word_score(key, variant_key), script, name, kind)
                for pk, person_id, variant_key, script, name, kind in found]
    if len(rows) >= 20:
        return rows
    seen = {row[0] for row in rows}
    fuzzy = (
        NameVariant.objects.filter(search_key__trigram_word_similar=key)
        .annotate(score=TrigramWordSimilarity(key, "search_key"))
        .order_by("-score", "person_id")
        .values_list("pk", "person_id", "search_key", "score", "script", "name", "kind")[:limit]
    )
    return rows + [row for row in fuzzy if row[0] not in seen]


def _candidates_sqlite(key, limit):
    condition = Q()
    for word in key.split():
        condition &= Q(search_key__contains=word[:3])
    rows = NameVariant.objects.filter(condition).values_list(
        "pk", "person_id", "search_key", "script", "name", "kind")[:SQLITE_CANDIDATES]
    scored = [(pk, person_id, variant_key, _word_score(key, variant_key), script, name, kind)
              for pk, person_id, variant_key, script, name, kind in rows]
    scored = [row for row in scored if row[3] >= 0.6]
    scored.sort(key=lambda row: (-row[3], row[1]))
    return scored[:limit]


def rank(text, *, limit=200):
    """The best-matching variant of each person whose name matches ``text``, best first (one
    query). Exact whole-word matches come first, then by similarity."""
    key = search_key(text or "")
    if not key:
        return []
    if connection.vendor == "postgresql":
        rows = _candidates_postgres(key, limit)
    else:
        rows = _candidates_sqlite(key, limit)
    query_words = key.split()
    query_script = script_of(text)
    best = {}
    for variant_id, person_id, variant_key, score, script, name, kind in rows:
        match = Match(person_id, variant_id, variant_key, float(score), _exact(query_words, variant_key),
                      name, script, kind)
        # Among equally good variants, show the one written in the script the user typed.
        preference = (match.exact, match.score, script == query_script)
        current = best.get(person_id)
        if current is None or preference > current[0]:
            best[person_id] = (preference, match)
    best = {person_id: match for person_id, (_, match) in best.items()}
    return sorted(best.values(), key=lambda m: (-m.exact, -m.score, m.person_id))


def close_to(name, *, threshold=0.8):
    """Ids of people with a name that is the same spelling skeleton as ``name`` or very close to
    it as a whole (not merely sharing a surname): duplicate detection before a new person."""
    key = search_key(name or "")
    if not key:
        return []
    found = []
    for match in rank(name):
        whole = difflib.SequenceMatcher(None, key, match.variant_key).ratio()
        if (match.variant_key == key or whole >= threshold) and match.person_id not in found:
            found.append(match.person_id)
    return found
