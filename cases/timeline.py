"""One merged chronological timeline of every dated fact in a case.

Used by the case page, the PDF/CSV/JSON exports and the API, so that every consumer shows the same
facts, in the same order, with the same date wording and the same citations."""

import dataclasses
import datetime

from core.dates import Precision

from . import case_facts
from .models import Case


@dataclasses.dataclass
class Entry:
    kind: str  # "event", "charge", "request", "decision", "protection", "claim", "role", ...
    label: str  # the kind in words: "Arrest", "Charge", "Court decision"
    title: str
    detail: str
    date: datetime.date | None
    date_display: str
    precision: str
    claim_status: str
    confidential: bool
    citations: list
    fact: object

    @property
    def sort_key(self):
        # Undated facts go last; equal dates keep the order of their kinds, then insertion.
        return (self.date is None, self.date or datetime.date.max, _ORDER.get(self.kind, 9), self.fact.pk)

    @property
    def contested(self):
        return self.claim_status == "contested" or (
            any(c.position == "supports" for c in self.citations)
            and any(c.position == "disputes" for c in self.citations)
        )

    @property
    def ref(self):
        """A stable id for anchors and exports: "event-12"."""
        return f"{self.kind}-{self.fact.pk}"


# The kinds a timeline can hold, in the words a reader uses; exports offer them as sections.
SECTIONS = (
    ("event", "Events"), ("charge", "Charges"), ("request", "Extradition requests"), ("decision", "Decisions"),
    ("protection", "Protection (asylum, refugee status, interim measures)"), ("role", "Political profile"),
    ("affiliation", "Affiliations"), ("relationship", "Relationships"), ("claim", "Claims sources argue about"),
)

# Kinds on the timeline even when undated (they go last); the others only with a known date.
_ALWAYS_SHOWN = {"charge", "request", "decision", "event", "protection"}

_ORDER = {"charge": 0, "request": 1, "decision": 2, "event": 3, "protection": 4, "role": 5, "affiliation": 6,
          "relationship": 7, "claim": 8}


def _entry(kind, label, fact, title, detail=""):
    return Entry(
        kind=kind, label=label, title=title, detail=detail or "",
        date=fact.date, date_display=fact.date_display, precision=fact.date_precision,
        claim_status=fact.claim_status, confidential=fact.confidential,
        citations=fact.citation_list, fact=fact,
    )


def build(case, *, include_confidential=True, include_contested=True, start=None, end=None, sections=None,
          facts=None):
    """Every dated fact of ``case`` (and of its person), oldest first.

    ``sections`` limits the kinds (e.g. {"event", "decision"}); ``start``/``end`` keep facts whose
    possible dates overlap the range, so "2009" is kept for a range starting in June 2009.
    ``facts`` is what cases/case_facts.load returned, when the caller already has it (the case
    page); otherwise the facts are loaded here, in one query, and their citations in another."""
    wanted = {kind for kind, _label in SECTIONS} & (set(sections) if sections else {k for k, _ in SECTIONS})
    if facts is None:
        facts = case_facts.load(case, wanted)
    dated = {kind: [fact for fact in facts.get(kind, ())
                    if kind in _ALWAYS_SHOWN or fact.date_precision != Precision.UNKNOWN] for kind in wanted}
    if not all(hasattr(fact, "citation_list") for rows in dated.values() for fact in rows):
        case_facts.attach_citations(case, dated)

    entries = []
    for charge in dated.get("charge", ()):
        detail = " · ".join(bit for bit in [
            charge.article, charge.get_category_display(), charge.get_status_display(), charge.sentence,
            f"instigated by {charge.instigated_by}" if charge.instigated_by_id else "",
        ] if bit)
        entries.append(_entry("charge", "Charge", charge, f"{charge.charging_state}: {charge.offence}", detail))
    for request in dated.get("request", ()):
        detail = " · ".join(bit for bit in [request.get_status_display(), request.description] if bit)
        entries.append(_entry("request", "Extradition request", request, f"Request: {request}", detail))
    for decision in dated.get("decision", ()):
        grounds = ", ".join(str(g) for g in decision.grounds)
        detail = " · ".join(bit for bit in [
            decision.get_level_display(), f"grounds: {grounds}" if grounds else "",
            "in absentia" if decision.in_absentia else "", decision.reference, decision.summary,
        ] if bit)
        entries.append(_entry("decision", "Decision", decision, str(decision), detail))
    for event in dated.get("event", ()):
        detail = " · ".join(bit for bit in [event.place, event.description] if bit)
        entries.append(_entry("event", event.get_kind_display(), event, event.title, detail))
    for protection in dated.get("protection", ()):
        entries.append(_entry("protection", "Protection", protection, str(protection)))
    for role in dated.get("role", ()):
        entries.append(_entry("role", "Political profile", role, role.title or role.get_role_display()))
    for affiliation in dated.get("affiliation", ()):
        entries.append(_entry("affiliation", "Affiliation", affiliation, str(affiliation)))
    for relationship in dated.get("relationship", ()):
        if relationship.person_id == case.person_id:  # the person's own; links *to* them are not their facts
            entries.append(_entry("relationship", "Relationship", relationship, str(relationship)))
    for claim in dated.get("claim", ()):
        entries.append(_entry("claim", "Claim", claim, claim.statement, claim.holder))

    entries = [e for e in entries if _in_range(e, start, end)]
    if not include_confidential:
        entries = [e for e in entries if not e.confidential]
    if not include_contested:
        entries = [e for e in entries if not e.contested]
    entries.sort(key=lambda e: e.sort_key)
    return entries


def _in_range(entry, start, end):
    if start is None and end is None:
        return True
    if entry.date is None:
        return False
    last = entry.fact.date_last or entry.date
    if start is not None and last < start:
        return False
    return not (end is not None and entry.date > end)


def for_case_id(case_id, user, **options):
    """Scoped entry point for tasks and exports: the case must be visible to ``user``."""
    case = Case.objects.visible_to(user).select_related("person").get(pk=case_id)
    return case, build(case, **options)
