"""One merged chronological timeline of every dated fact in a case.

Used by the case page, the PDF/CSV/JSON exports and the API, so that every consumer shows the same
facts, in the same order, with the same date wording and the same citations."""

import dataclasses
import datetime

from django.db.models import Prefetch

from core.dates import Precision
from people.models import Affiliation, PoliticalRole, Protection, Relationship
from sources.models import Citation

from .models import Case, Charge, Claim, Decision, Event, ExtraditionRequest

CITATIONS = Prefetch("citations", queryset=Citation.objects.select_related("source", "document").order_by("pk"))


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

_ORDER = {"charge": 0, "request": 1, "decision": 2, "event": 3, "protection": 4, "role": 5, "affiliation": 6,
          "relationship": 7, "claim": 8}


def _entry(kind, label, fact, title, detail=""):
    return Entry(
        kind=kind, label=label, title=title, detail=detail or "",
        date=fact.date, date_display=fact.date_display, precision=fact.date_precision,
        claim_status=fact.claim_status, confidential=fact.confidential,
        citations=list(fact.citations.all()), fact=fact,
    )


def build(case, *, include_confidential=True, include_contested=True, start=None, end=None, sections=None):
    """Every dated fact of ``case`` (and of its person), oldest first.

    ``sections`` limits the kinds (e.g. {"event", "decision"}); ``start``/``end`` keep facts whose
    possible dates overlap the range, so "2009" is kept for a range starting in June 2009."""
    person = case.person
    wanted = set(sections) if sections else None

    def want(kind):
        return wanted is None or kind in wanted

    entries = []
    if want("charge"):
        for charge in Charge.objects.filter(case=case).select_related("charging_state", "instigated_by").prefetch_related(CITATIONS):
            detail = " · ".join(bit for bit in [
                charge.article, charge.get_category_display(), charge.get_status_display(), charge.sentence,
                f"instigated by {charge.instigated_by}" if charge.instigated_by_id else "",
            ] if bit)
            entries.append(_entry("charge", "Charge", charge, f"{charge.charging_state}: {charge.offence}", detail))
    if want("request"):
        for request in ExtraditionRequest.objects.filter(case=case).select_related(
                "requesting_state", "requested_state", "on_behalf_of").prefetch_related(CITATIONS):
            detail = " · ".join(bit for bit in [request.get_status_display(), request.description] if bit)
            entries.append(_entry("request", "Extradition request", request, f"Request: {request}", detail))
    if want("decision"):
        for decision in Decision.objects.filter(case=case).select_related("body", "jurisdiction").prefetch_related(CITATIONS):
            grounds = ", ".join(str(g) for g in decision.grounds)
            detail = " · ".join(bit for bit in [
                decision.get_level_display(), f"grounds: {grounds}" if grounds else "",
                "in absentia" if decision.in_absentia else "", decision.reference, decision.summary,
            ] if bit)
            entries.append(_entry("decision", "Decision", decision, str(decision), detail))
    if want("event"):
        for event in Event.objects.filter(case=case).select_related("jurisdiction").prefetch_related(CITATIONS):
            detail = " · ".join(bit for bit in [event.place, event.description] if bit)
            entries.append(_entry("event", event.get_kind_display(), event, event.title, detail))
    if want("protection"):
        for protection in Protection.objects.filter(person=person).select_related(
                "granted_by", "against_state").prefetch_related(CITATIONS):
            entries.append(_entry("protection", "Protection", protection, str(protection)))
    if want("role"):
        for role in PoliticalRole.objects.filter(person=person).exclude(date_precision=Precision.UNKNOWN).prefetch_related(CITATIONS):
            entries.append(_entry("role", "Political profile", role, role.title or role.get_role_display()))
    if want("affiliation"):
        for affiliation in Affiliation.objects.filter(person=person).exclude(
                date_precision=Precision.UNKNOWN).select_related("organisation").prefetch_related(CITATIONS):
            entries.append(_entry("affiliation", "Affiliation", affiliation, str(affiliation)))
    if want("relationship"):
        for relationship in Relationship.objects.filter(person=person).exclude(
                date_precision=Precision.UNKNOWN).select_related("other").prefetch_related(CITATIONS):
            entries.append(_entry("relationship", "Relationship", relationship, str(relationship)))
    if want("claim"):
        for claim in Claim.objects.filter(case=case).exclude(date_precision=Precision.UNKNOWN).prefetch_related(CITATIONS):
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
