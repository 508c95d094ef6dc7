"""The read-only JSON API (django-ninja; docs/api.md says why). Every answer starts from
``Case.objects.visible_to(user)``: a restricted case, its facts and a person known only through it
answer 404 or are absent, exactly as on the pages. Confidential facts and whereabouts appear only
for the case team and admins (core.access)."""

import datetime
from typing import Literal

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from ninja import Field, NinjaAPI, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBearer

from audit.log import record
from cases import timeline
from cases.filters import CaseFilter
from cases.models import Case, CaseStatus, ChargeCategory, RequestStatus
from cases.risk_models import FlagStatus, Level, RiskEvaluation, RiskFlag
from core.access import can_see_confidential, can_see_whereabouts
from core.roles import can_read, is_admin
from people.models import Person

from . import tokens


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = tokens.user_for(token)
        if user is not None:
            request.user = user  # scoping, audit and history see the token's owner
        return user


class OnwardAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Every operation also answers 401 (no or revoked token) and 422 (a parameter of the wrong
        type); both carry ``{"detail": ...}``. Documented so clients (and schemathesis) expect them."""
        schema = super().get_openapi_schema(*args, **kwargs)
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                responses.setdefault("401", {"description": "No valid token", "content": error})
                responses.setdefault("422", {"description": "A parameter has the wrong type", "content": error})
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault("Error", {
            "title": "Error", "type": "object", "required": ["detail"],
            "properties": {"detail": {"title": "Detail", "anyOf": [{"type": "string"}, {"type": "object"},
                                                                    {"type": "array", "items": {}}]}},
        })
        return schema


def readers_only(view):
    """The schema (/api/openapi.json) names every endpoint, filter and field: it is for people who
    may read Onward, signed in (a session) or sending a live token; others get a 401 like the API's."""
    from functools import wraps

    from django.http import JsonResponse

    @wraps(view, assigned=())
    def guarded(request, *args, **kwargs):
        user = request.user if request.user.is_authenticated and can_read(request.user) else None
        header = request.headers.get("Authorization", "")
        if user is None and header.lower().startswith("bearer "):
            user = tokens.user_for(header[7:].strip())
        if user is None:
            response = JsonResponse({"detail": "Sign in, or send an API token (Authorization: Bearer …), "
                                               "to read the API's schema."}, status=401)
            response["WWW-Authenticate"] = "Bearer"
            return response
        return view(request, *args, **kwargs)

    return guarded


api = OnwardAPI(
    title="Onward API", version="1", auth=TokenAuth(), urls_namespace="api",
    docs_url=None,  # ninja's docs page loads Swagger UI from a CDN; Onward fetches nothing from outside
    docs_decorator=readers_only,
    description="Read-only access to what the token's owner may see. Send `Authorization: Bearer <token>`; "
                "tokens are issued at /api/tokens/ and revoked there or by an admin.",
)


class Page(PageNumberPagination):
    """?page=N (from 1) and ?page_size= (default 50, at most 200)."""

    class Input(Schema):
        # Bounded so a huge page number is a 422, not an OFFSET the database cannot hold.
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=200)

    def __init__(self, **kwargs):
        super().__init__(page_size=50, max_page_size=200, **kwargs)


class Error(Schema):
    detail: str | dict | list


# --- schemas ------------------------------------------------------------------------------------

class NameOut(Schema):
    name: str
    kind: str
    script: str


class PersonOut(Schema):
    id: int
    primary_name: str
    description: str
    birth_year: int | None
    names: list[NameOut]
    citizenships: list[str]
    cases: list[int]
    whereabouts_city: str | None
    whereabouts_address: str | None


class RiskOut(Schema):
    level: str
    score: int
    urgency: int
    flagged: bool
    evaluated_at: datetime.datetime


class CaseOut(Schema):
    id: int
    title: str
    status: str
    person_id: int
    person_name: str
    persecuting_state: str
    host_state: str | None
    restricted: bool
    updated_at: datetime.datetime
    risk: RiskOut | None


class CaseDetailOut(CaseOut):
    summary: str


class DocumentRef(Schema):
    id: int
    file_name: str
    sha256: str
    page: int | None


class CitationOut(Schema):
    source_id: int
    source_title: str
    position: str
    page: str
    quote: str
    document: DocumentRef | None


class EntryOut(Schema):
    ref: str
    kind: str
    label: str
    title: str
    detail: str
    date: datetime.date | None
    date_display: str
    precision: str
    claim_status: str
    contested: bool
    confidential: bool
    citations: list[CitationOut]


class EvaluationOut(Schema):
    id: int
    evaluated_at: datetime.datetime
    as_of: datetime.date
    score: int
    axis_a: int
    axis_b: int
    level: str
    urgency: int
    bars: list[str]
    flagged: bool
    flag_reason: str
    current: bool
    explanation: dict


class FlagOut(Schema):
    case_id: int
    case_title: str
    level: str
    score: int
    status: str
    opened_at: datetime.datetime
    reopened_count: int


BIGINT = 9_223_372_036_854_775_807  # ids beyond the database's range are a 422, not a database error
ID_FILTERS = {"requesting_state", "requested_state", "residence", "assigned"}
SORTS = Literal["title", "-title", "person", "-person", "status", "-status", "host", "-host", "changed", "-changed"]


class CaseFilters(Schema):
    """The case list's filters (cases/filters.py), by the same names; states and researchers by id."""

    status: CaseStatus | None = None
    requesting_state: int | None = Field(None, ge=1, le=BIGINT)
    requested_state: int | None = Field(None, ge=1, le=BIGINT)
    residence: int | None = Field(None, ge=1, le=BIGINT)
    request_status: RequestStatus | None = None
    charge_category: ChargeCategory | None = None
    risk_level: Level | None = None
    flagged_unreviewed: bool | None = None
    request_date_after: datetime.date | None = None
    request_date_before: datetime.date | None = None
    changed_after: datetime.date | None = None
    changed_before: datetime.date | None = None
    assigned: int | None = Field(None, ge=1, le=BIGINT)
    o: SORTS | None = None
    q: str | None = Field(None, max_length=200, description="Words of the title or any spelling of the name")


# --- helpers ---------------------------------------------------------------------------------------

def persons_visible_to(user):
    """Persons with a case the user may see, or with no case at all; not those known only
    through cases hidden from them."""
    if is_admin(user):
        return Person.objects.all()
    visible = Case.objects.visible_to(user)
    any_case = Case.objects.filter(person=OuterRef("pk"))
    return Person.objects.filter(
        Q(Exists(visible.filter(person=OuterRef("pk")))) | ~Q(Exists(any_case)))


def _current_risk(case):
    evaluations = [e for e in case.risk_evaluations.all() if e.current]
    if not evaluations:
        return None
    evaluation = evaluations[0]
    return RiskOut(level=evaluation.level, score=evaluation.score, urgency=evaluation.urgency,
                   flagged=evaluation.flagged, evaluated_at=evaluation.evaluated_at)


def _case_out(case, detail=False):
    data = dict(id=case.pk, title=case.title, status=case.status, person_id=case.person_id,
                person_name=case.person.primary_name, persecuting_state=case.persecuting_state.code,
                host_state=case.host_state.code if case.host_state_id else None, restricted=case.restricted,
                updated_at=case.updated_at, risk=_current_risk(case))
    if detail:
        return CaseDetailOut(summary=case.summary, **data)
    return CaseOut(**data)


def _cases(user):
    return Case.objects.visible_to(user).select_related("person", "persecuting_state", "host_state").prefetch_related(
        "risk_evaluations")


def _case(request, pk):
    return get_object_or_404(_cases(request.user), pk=pk)


def _person_out(person, user, visible_case_ids):
    whereabouts = can_see_whereabouts(user, person)
    return PersonOut(
        id=person.pk, primary_name=person.primary_name, description=person.description,
        birth_year=person.birth_year,
        names=[NameOut(name=n.name, kind=n.kind, script=n.script) for n in person.names.all()],
        citizenships=[c.code for c in person.citizenships.all()],
        cases=sorted(c.pk for c in person.cases.all() if c.pk in visible_case_ids),
        whereabouts_city=person.whereabouts_city if whereabouts else None,
        whereabouts_address=person.whereabouts_address if whereabouts else None,
    )


# --- endpoints -------------------------------------------------------------------------------------

persons = Router(tags=["persons"])
cases = Router(tags=["cases"])
risk = Router(tags=["risk"])


@persons.get("", response={200: list[PersonOut], 400: Error})
@paginate(Page)
def list_persons(request, search: str | None = Query(None, max_length=200)):
    """Persons, by primary name; ``search`` finds any spelling (Latin or Cyrillic)."""
    people = persons_visible_to(request.user)
    if search:
        from people.search import rank

        ids = [match.person_id for match in rank(search[:200])]
        people = people.filter(pk__in=ids)
    visible_ids = set(Case.objects.visible_to(request.user).values_list("pk", flat=True))
    page = people.prefetch_related("names", "citizenships", "cases").order_by("primary_name", "pk")
    return _LazyList(page, lambda person: _person_out(person, request.user, visible_ids))


@persons.get("/{person_id}", response={200: PersonOut, 400: Error, 404: Error})
def get_person(request, person_id: int = Path(..., ge=1, le=BIGINT)):
    person = get_object_or_404(persons_visible_to(request.user).prefetch_related("names", "citizenships", "cases"),
                               pk=person_id)
    record(request, "view_person", obj=person, via="api")
    visible_ids = set(Case.objects.visible_to(request.user).values_list("pk", flat=True))
    return _person_out(person, request.user, visible_ids)


@cases.get("", response={200: list[CaseOut], 400: Error})
@paginate(Page)
def list_cases(request, filters: Query[CaseFilters]):
    """Cases the token's owner may see, filtered as on the case list."""
    data = {key: str(getattr(value, "value", value)) for key, value in filters.dict().items()
            if value not in (None, "")}
    if "flagged_unreviewed" in data:
        data["flagged_unreviewed"] = "true" if filters.flagged_unreviewed else "false"
    search = data.pop("q", None)
    queryset = _cases(request.user)
    if search:
        queryset = queryset.filter(Q(title__icontains=search) | Q(person__names__search_key__contains=_key(search)))
    filterset = CaseFilter(data, queryset=queryset)
    if not filterset.is_valid() and set(filterset.errors) <= ID_FILTERS:
        return _LazyList(queryset.none(), _case_out)  # a state or researcher id that does not exist matches nothing
    if not filterset.is_valid():
        raise HttpError(400, "; ".join(f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items()))
    return _LazyList(filterset.qs.distinct(), _case_out)


@cases.get("/{case_id}", response={200: CaseDetailOut, 400: Error, 404: Error})
def get_case(request, case_id: int = Path(..., ge=1, le=BIGINT)):
    case = _case(request, case_id)
    record(request, "view_case", case=case, obj=case, via="api")
    return _case_out(case, detail=True)


@cases.get("/{case_id}/timeline", response={200: list[EntryOut], 400: Error, 404: Error})
def case_timeline(request, case_id: int = Path(..., ge=1, le=BIGINT)):
    """Every dated fact of the case, oldest first, with its citations (and the cited file's page)."""
    case = _case(request, case_id)
    entries = timeline.build(case, include_confidential=can_see_confidential(request.user, case))
    return [EntryOut(
        ref=entry.ref, kind=entry.kind, label=entry.label, title=entry.title, detail=entry.detail, date=entry.date,
        date_display=entry.date_display, precision=entry.precision, claim_status=entry.claim_status,
        contested=entry.contested, confidential=entry.confidential,
        citations=[CitationOut(
            source_id=c.source_id, source_title=c.source.title, position=c.position, page=c.page, quote=c.quote,
            document=DocumentRef(id=c.document.pk, file_name=c.document.original_name, sha256=c.document.sha256,
                                 page=c.document_page) if c.document_id else None,
        ) for c in entry.citations],
    ) for entry in entries]


@cases.get("/{case_id}/risk", response={200: list[EvaluationOut], 400: Error, 404: Error})
def case_risk(request, case_id: int = Path(..., ge=1, le=BIGINT)):
    """The case's risk evaluations, newest first."""
    case = _case(request, case_id)
    return [EvaluationOut(
        id=e.pk, evaluated_at=e.evaluated_at, as_of=e.as_of, score=e.score, axis_a=e.axis_a, axis_b=e.axis_b,
        level=e.level, urgency=e.urgency, bars=[str(b) for b in e.bars], flagged=e.flagged, flag_reason=e.flag_reason,
        current=e.current, explanation=e.explanation if isinstance(e.explanation, dict) else {},
    ) for e in RiskEvaluation.objects.filter(case=case).order_by("-evaluated_at", "-pk")]


@risk.get("/flags", response={200: list[FlagOut], 400: Error})
@paginate(Page)
def list_flags(request, status: FlagStatus | None = None):
    """Risk flags on visible cases; ``status`` narrows them (open, confirmed, dismissed…)."""
    flags = RiskFlag.objects.filter(case__in=Case.objects.visible_to(request.user)).select_related("case")
    if status:
        flags = flags.filter(status=status)
    return _LazyList(flags.order_by("-opened_at", "pk"), lambda f: FlagOut(
        case_id=f.case_id, case_title=f.case.title, level=f.level, score=f.score, status=f.status,
        opened_at=f.opened_at, reopened_count=f.reopened_count))


class _LazyList:
    """A queryset the paginator slices, converting only the page it keeps."""

    def __init__(self, queryset, convert):
        self.queryset, self.convert = queryset, convert

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.convert(obj) for obj in self.queryset[index]]
        return self.convert(self.queryset[index])

    def __len__(self):
        return self.queryset.count()

    def count(self):
        return self.queryset.count()


def _key(text):
    from people.names import search_key

    return search_key(text)


api.add_router("/persons", persons)
api.add_router("/cases", cases)
api.add_router("/risk", risk)
