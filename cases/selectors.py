"""Reads for pages: every one starts from ``Case.objects.visible_to(user)``."""

import datetime

from django.db import models
from django.utils import timezone

from core.statements import Statement

from .models import UPCOMING_KINDS, Case, Event


def dashboard_context(user, *, days_ahead=60):
    visible = Case.objects.visible_to(user)
    today = timezone.localdate()
    return {
        "my_cases": visible.filter(assigned_to=user).select_related("person", "host_state")[:10],
        "recent_cases": visible.select_related("person", "host_state").order_by("-updated_at")[:10],
        "upcoming": Event.objects.filter(
            case__in=visible, kind__in=UPCOMING_KINDS,
            date__gte=today, date__lte=today + datetime.timedelta(days=days_ahead),
        ).select_related("case").order_by("date")[:20],
        "risk_flags": open_risk_flags(user, visible),
    }


def open_risk_flags(user, visible=None):
    """Risk flags needing attention (open or escalated) on cases the user may see, highest first."""
    from .risk_models import LEVEL_ORDER, RiskFlag

    visible = visible if visible is not None else Case.objects.visible_to(user)
    flags = list(RiskFlag.objects.needing_attention().filter(case__in=visible).select_related("case")[:50])
    flags.sort(key=lambda flag: (-LEVEL_ORDER.get(flag.level, 0), -flag.score))
    return flags[:15]


# --- Researcher UI (issue 3): search, list, case page ---------------------------------------

def visible_people(user):
    """People the user may learn exist: with a case the user may see, or with no case at all. A
    person known only through restricted cases stays hidden, in search and duplicate checks."""
    from django.db.models import Exists, OuterRef

    from people.models import Person

    visible = Case.objects.visible_to(user).filter(person=OuterRef("pk"))
    any_case = Case.objects.filter(person=OuterRef("pk"))
    return Person.objects.filter(Exists(visible) | ~Exists(any_case))


def _visible_people_among(user, limit, *, pks):
    """The first ``limit`` of ``pks`` (best match first) that ``user`` may see, with what a result
    and the relationship form's choice show of a person."""
    rank = models.Case(*[models.When(pk=pk, then=models.Value(i)) for i, pk in enumerate(pks)],
                       output_field=models.IntegerField())
    return visible_people(user).filter(pk__in=pks).order_by(rank).only(
        "primary_name", "description", "birth_year")[:limit]


def _visible_cases_of(user, people):
    return Case.objects.visible_to(user).select_related("host_state", "persecuting_state").filter(
        person__in=people).order_by("-updated_at").only(
        "title", "status", "person", "updated_at", "host_state__name", "persecuting_state__name")


# Compiled once per number of names (core/statements.py): the search runs them on every keystroke.
VISIBLE_PEOPLE = Statement(_visible_people_among)
VISIBLE_CASES = Statement(_visible_cases_of)


def search_people(user, text, *, limit=20):
    """[(person, matching variant, exact, score)] for the top-bar search, best first, each person
    carrying ``visible_cases``. Three queries whatever the number of names."""
    from people.search import rank

    matches = rank(text)
    if not matches:
        return []
    # Three times the names shown are asked for, as some may be hidden; the database keeps the
    # first visible ones in rank order, and only they get their cases (a common surname brings
    # dozens of namesakes with a case each).
    wanted = [match.person_id for match in matches[: limit * 3]]
    shown = VISIBLE_PEOPLE.all(user, limit, pks=wanted)
    people = {person.pk: person for person in shown}
    kept = [match for match in matches if match.person_id in people]
    for person in shown:
        person.visible_cases = []
    for case in VISIBLE_CASES.all(user, people=[person.pk for person in shown]) if shown else []:
        case.person = people[case.person_id]
        case.person.visible_cases.append(case)
    return [
        {"person": people[m.person_id], "variant": m.variant, "exact": m.exact, "score": m.score}
        for m in kept
    ]


def single_destination(hits):
    """An unambiguous search goes straight to the case: one exact person with one visible case."""
    exact = [hit for hit in hits if hit["exact"]]
    if len(exact) == 1 and len(exact[0]["person"].visible_cases) == 1:
        return exact[0]["person"].visible_cases[0]
    return None


def people_named(user, name, *, limit=8):
    """People the user may see with a name like ``name``: those matching every word first."""
    hits = search_people(user, name, limit=limit)
    exact = [hit["person"] for hit in hits if hit["exact"]]
    return exact or [hit["person"] for hit in hits]


def similar_people(user, name):
    """Existing people with a name close to ``name`` that the user may see (duplicate detection)."""
    from people.search import close_to

    ids = close_to(name)
    found = visible_people(user).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def with_team_flag(cases, user):
    """Cases annotated with whether ``user`` is on each one's team (``on_team_``), read by
    ``on_case_team`` without a query of its own."""
    from django.db.models import Exists, OuterRef

    team = Case.team.through.objects.filter(case_id=OuterRef("pk"), user_id=user.pk)
    assigned = Case.assigned_to.through.objects.filter(case_id=OuterRef("pk"), user_id=user.pk)
    return cases.annotate(in_team_=Exists(team), assigned_to_user_=Exists(assigned))


def on_case_team(case, user):
    """The case team (team or assigned researchers) and admins see confidential facts and the
    person's whereabouts."""
    from core.roles import is_admin

    if is_admin(user):
        return True
    if hasattr(case, "in_team_"):
        return case.in_team_ or case.assigned_to_user_
    return Case.objects.filter(pk=case.pk).filter(
        models.Q(team=user) | models.Q(assigned_to=user)).exists()


def case_page(case, user):
    """Everything the case page shows: the facts of the case and of its person in one query
    (cases/case_facts.py), their citations in another."""
    from sources.models import Citation

    from . import case_facts, timeline
    from .models import Decision

    team = on_case_team(case, user)
    person = case.person
    loaded = case_facts.load(case)
    case_facts.attach_citations(case, loaded)
    case.loaded_facts = loaded  # the risk panel names the facts behind its rules from these
    entries = timeline.build(case, include_confidential=team, facts=loaded)

    def shown(rows):
        return [row for row in rows if team or not row.confidential]

    facts = {"charge": [], "request": [], "decision": [], "event": []}
    for entry in entries:
        if entry.kind in facts:
            facts[entry.kind].append(entry.fact)
    decisions = {d.pk: d for d in facts["decision"]}
    for decision in facts["decision"]:
        decision.review_chain = []
    # Chains of decisions: appeal → cassation → decree → annulment, via Decision.reviews.
    roots = []
    for decision in facts["decision"]:
        parent = decisions.get(decision.reviews_id)
        if parent is not None:
            parent.review_chain.append(decision)
        else:
            roots.append(decision)

    def chain(decision):
        yield decision
        for child in decision.review_chain:
            yield from chain(child)

    by_request = {}
    for root in roots:
        by_request.setdefault(root.request_id, []).append(list(chain(root)))
    for request in facts["request"]:
        request.chains = by_request.pop(request.pk, [])
    loose_chains = [c for chains in by_request.values() for c in chains]
    sources = {}
    for entry in entries:
        for citation in entry.citations:
            sources.setdefault(citation.source_id, {"source": citation.source, "citations": []})
            sources[citation.source_id]["citations"].append((citation, entry))
    relationships = shown(loaded["relationship"])
    return {
        "person": person,
        "on_team": team,
        "names": loaded["name"],
        "citizenships": loaded["citizenship"],
        "protections": shown(loaded["protection"]),
        "roles": shown(loaded["role"]),
        "affiliations": shown(loaded["affiliation"]),
        "relationships": [r for r in relationships if r.person_id == person.pk],
        "relationships_in": [r for r in relationships if r.person_id != person.pk],
        "timeline": entries,
        "charges": facts["charge"],
        "requests": facts["request"],
        "loose_chains": loose_chains,
        "events": facts["event"],
        "sources": sorted(sources.values(), key=lambda s: s["source"].title.lower()),
        "decision_model": Decision,
        "citation_model": Citation,
    }


class ListPage:
    """A page of the case list without COUNT(*) over the whole table: the count is capped
    (``SELECT COUNT(*) FROM (… LIMIT cap+1)``), and the page fetches one extra row to know whether
    a next page exists."""

    def __init__(self, rows, number, per_page, total, capped, has_next):
        self.object_list, self.number, self.per_page = rows, number, per_page
        self.total, self.capped, self.has_next = total, capped, has_next
        self.has_previous = number > 1
        self.start = (number - 1) * per_page + 1 if rows else 0
        self.end = (number - 1) * per_page + len(rows)

    @property
    def last_number(self):
        if self.capped:
            return None
        return max(1, -(-self.total // self.per_page))


# What a row of the case list shows: fetched alone, a page of 100 cases is a third of the columns.
LIST_COLUMNS = ("title", "restricted", "status", "updated_at", "person__primary_name", "person__residence__name",
                "host_state__name")


def _requests_of(user, *, cases):
    from .models import ExtraditionRequest

    return ExtraditionRequest.objects.filter(case__in=cases).order_by("-date").values_list(
        "case", "status", "requesting_state__code", "requested_state__code")


def _current_risk_of(user, *, cases):
    from .risk_models import RiskEvaluation

    return RiskEvaluation.objects.filter(case__in=cases, current=True).values_list("case", "level", "score")


# The rows' requests and current risk, compiled once per page size (core/statements.py).
LIST_REQUESTS = Statement(_requests_of)
LIST_RISK = Statement(_current_risk_of)


def list_rows(user):
    """The cases of the list that ``user`` may see, with what a row shows."""
    return Case.objects.visible_to(user).select_related("person", "person__residence", "host_state").only(
        *LIST_COLUMNS)


NEWEST_FIRST = ("-updated_at", "-pk")
# The list as it opens, every visible case newest first, is the page everyone sees first: its page
# and its capped count are compiled once per page (core/statements.py); filtered lists are built
# by django-filter (cases/filters.py).
NEWEST = Statement(lambda user, start, stop: list_rows(user).order_by(*NEWEST_FIRST)[start:stop])
NEWEST_COUNT = Statement(lambda user, cap: Case.objects.visible_to(user).order_by().values("pk")[:cap])


def case_list_page(rows, number, per_page, cap, *, newest_of=None):
    """A page of ``rows``; ``newest_of``: the user, when the list is unfiltered and newest first."""
    from .models import RequestStatus

    offset = (number - 1) * per_page
    if newest_of is not None:
        total = NEWEST_COUNT.count(newest_of, cap + 1)
        page_rows = NEWEST.all(newest_of, offset, offset + per_page + 1)
    else:
        total = rows.order_by()[: cap + 1].count()
        page_rows = list(rows[offset: offset + per_page + 1])
    capped = total > cap
    has_next = len(page_rows) > per_page
    page_rows = page_rows[:per_page]
    ids = [case.pk for case in page_rows]
    by_case = {case.pk: case for case in page_rows}
    labels = {key: str(label) for key, label in RequestStatus.choices}  # once, not per row
    for case in page_rows:
        case.live_requests = []
        case.risk_level = case.risk_score = None
    for case_id, status, requesting, requested in LIST_REQUESTS.values(None, cases=ids) if ids else []:
        by_case[case_id].live_requests.append(
            {"requesting": requesting, "requested": requested, "status_label": labels.get(status, status)})
    # The current risk of the shown rows only: as a subquery in the list query it would be computed
    # for every case before the sort (750 ms on 100k cases instead of 1 ms).
    for case_id, level, score in LIST_RISK.values(None, cases=ids) if ids else []:
        by_case[case_id].risk_level, by_case[case_id].risk_score = level, score
    return ListPage(page_rows, number, per_page, min(total, cap), capped, has_next)


def deleted_items(case, on_team):
    """Soft-deleted records of a case, newest first, for the "Deleted items" page."""
    from .editables import EDITABLES, citations_of_case

    items = []
    for kind, spec in EDITABLES.items():
        if not spec.can_delete:
            continue
        for obj in spec.queryset(case, deleted=True).filter(deleted_at__isnull=False).select_related("deleted_by"):
            if getattr(obj, "confidential", False) and not on_team:
                continue
            items.append({"kind": kind, "label": spec.label, "obj": obj})
    for citation in citations_of_case(case, deleted=True).filter(deleted_at__isnull=False).select_related(
            "source", "deleted_by"):
        items.append({"kind": "citation", "label": "citation", "obj": citation})
    items.sort(key=lambda item: item["obj"].deleted_at, reverse=True)
    return items


def create_case(form, user):
    """A new case and, unless an existing person was chosen, its new person and primary name."""
    from django.db import transaction

    from core.editing import save_fact
    from people.models import NameVariant, Person

    data = form.cleaned_data
    with transaction.atomic():
        person = data.get("existing_person")
        if person is None:
            person = save_fact(Person(primary_name=data["person_name"], description=data.get("person_description", ""),
                                      residence=data.get("host_state")), user)
            save_fact(NameVariant(person=person, name=data["person_name"], kind="primary"), user)
        case = save_fact(Case(person=person, title=data["title"], persecuting_state=data["persecuting_state"],
                              host_state=data.get("host_state"), summary=data.get("summary", ""),
                              restricted=data.get("restricted", False)), user,
                         m2m={"assigned_to": [user]})
    return case
