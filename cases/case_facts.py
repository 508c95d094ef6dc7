"""Every fact of a case and of its person, in one query, and their citations in a second.

The case page, the timeline exports and the API show a dozen kinds of record (charges, requests,
decisions, events, claims; the person's names, citizenships, protection, political roles,
affiliations and relationships). Fetched kind by kind with their citations that is two dozen
round trips. Here each kind is one arm of a ``UNION ALL`` whose rows are ``(kind, JSON object of
the record and of the records it points to)``; the JSON is turned back into model instances
(``Model.from_db``) with their foreign keys filled in, so templates and exports use them as if
loaded with ``select_related``. Citations of all those facts come in one more query.

Every queryset goes through the models' default (live) managers, so deleted records stay out, as
they did with the per-kind queries."""

import dataclasses
import datetime
import functools
import json

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router
from django.db.models import F, Q, Value
from django.db.models.functions import JSONObject
from django.utils import timezone

from core.statements import Statement
from jurisdictions.models import Jurisdiction
from people.models import Affiliation, NameVariant, PoliticalRole, Protection, Relationship
from sources.models import Citation

from .models import Case, Charge, Claim, Decision, Event, ExtraditionRequest


@dataclasses.dataclass(frozen=True)
class Kind:
    name: str
    model: type
    related: tuple = ()  # foreign keys loaded along (like select_related)
    of: str = "case"  # "case": filtered by case; "person": by the case's person


KINDS = {kind.name: kind for kind in [
    Kind("charge", Charge, ("charging_state", "instigated_by")),
    Kind("request", ExtraditionRequest, ("requesting_state", "requested_state", "on_behalf_of")),
    Kind("decision", Decision, ("body", "jurisdiction")),
    Kind("event", Event, ("jurisdiction",)),
    Kind("claim", Claim),
    Kind("name", NameVariant, of="person"),
    Kind("citizenship", Jurisdiction, of="person"),
    Kind("protection", Protection, ("granted_by", "against_state"), of="person"),
    Kind("role", PoliticalRole, of="person"),
    Kind("affiliation", Affiliation, ("organisation",), of="person"),
    Kind("relationship", Relationship, ("person", "other"), of="person"),
]}


def _json_of(model, prefix=""):
    # A foreign key's name gives its id column (no join); the key is the attname, e.g. "case_id".
    return JSONObject(**{field.attname: F(prefix + field.name) for field in model._meta.concrete_fields})


def _arm_rows(kind, case):
    """The live records of ``kind`` on the case's file: its own, or its person's."""
    model = kind.model
    if kind.name == "citizenship":
        return model._default_manager.filter(citizens=case.person_id)
    if kind.name == "relationship":
        return model._default_manager.filter(Q(person_id=case.person_id) | Q(other_id=case.person_id))
    if kind.of == "person":
        return model._default_manager.filter(person_id=case.person_id)
    return model._default_manager.filter(case_id=case.pk)


def _arm(kind, case):
    model = kind.model
    rows = _arm_rows(kind, case)
    related = {f"r_{name}": _json_of(model._meta.get_field(name).related_model, f"{name}__")
               for name in kind.related}
    return rows.order_by().annotate(
        fact_kind=Value(kind.name, output_field=models.CharField()),
        fact=JSONObject(record=_json_of(model), **related),
    ).values_list("fact_kind", "fact")


def _datetime(field):
    def convert(value):
        value = field.to_python(value)
        if settings.USE_TZ and timezone.is_naive(value):
            value = timezone.make_aware(value, datetime.UTC)  # SQLite stores UTC without offset
        return value
    return convert


def _converter(field):
    """How a field's JSON value becomes its Python value; None: as it is (text, whole numbers)."""
    if isinstance(field, models.DateTimeField):
        return _datetime(field)
    if isinstance(field, models.JSONField):
        return lambda value: json.loads(value) if isinstance(value, str) else value
    if isinstance(field, models.DecimalField):
        return lambda value: field.to_python(str(value))
    if isinstance(field, models.BooleanField):
        return bool  # SQLite's JSON has 0 and 1
    if isinstance(field, (models.CharField, models.TextField, models.IntegerField, models.AutoField)):
        return None
    if isinstance(field, models.ForeignKey) and isinstance(field.target_field, (models.IntegerField,
                                                                                models.AutoField)):
        return None
    return field.to_python


@functools.cache
def _converters(model):
    return tuple((field.attname, _converter(field)) for field in model._meta.concrete_fields)


def _instance(model, data, db):
    if data is None or data.get(model._meta.pk.attname) is None:
        return None  # a nullable foreign key left empty
    values = []
    for attname, convert in _converters(model):
        value = data.get(attname)
        values.append(value if value is None or convert is None else convert(value))
    return model.from_db(db, None, values)


# The union's SQL is the same for every case: compiled once per set of kinds (building and compiling
# five hundred column expressions costs more than the query itself), then run with the case's ids.
_CASE_SENTINEL, _PERSON_SENTINEL = -7_000_000_001, -7_000_000_002
_STATEMENTS = {}


def _statement(kinds, db, case_id, person_id):
    key = (db, connections[db].vendor, kinds)
    if key not in _STATEMENTS:
        stand_in = Case(pk=_CASE_SENTINEL, person_id=_PERSON_SENTINEL)
        arms = [_arm(KINDS[name], stand_in) for name in kinds]
        query = (arms[0].union(*arms[1:], all=True) if len(arms) > 1 else arms[0]).order_by()
        _STATEMENTS[key] = query.query.get_compiler(using=db).as_sql()
    sql, params = _STATEMENTS[key]
    ids = {_CASE_SENTINEL: case_id, _PERSON_SENTINEL: person_id}
    return sql, tuple(ids.get(param, param) if isinstance(param, int) else param for param in params)


def load(case, kinds=None):
    """{kind: [instances]} for the kinds asked (all by default), each list in the model's order."""
    wanted = [KINDS[name] for name in (kinds or KINDS) if name in KINDS]
    found = {kind.name: [] for kind in wanted}
    if not wanted:
        return found
    db = router.db_for_read(Case)
    sql, params = _statement(tuple(kind.name for kind in wanted), db, case.pk, case.person_id)
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    owners = {"case": case, "person": case.person}
    for name, data in rows:
        if isinstance(data, str):
            data = json.loads(data)
        kind = KINDS[name]
        obj = _instance(kind.model, data["record"], db)
        for field_name in kind.related:
            field = kind.model._meta.get_field(field_name)
            field.set_cached_value(obj, _instance(field.related_model, data.get(f"r_{field_name}"), db))
        owner = owners.get(kind.of)
        if owner is not None and kind.name not in ("citizenship", "relationship"):
            # The case or person the record belongs to is the one already in hand (for __str__).
            field = kind.model._meta.get_field(kind.of)
            if getattr(obj, field.attname) == owner.pk:
                field.set_cached_value(obj, owner)
        found[name].append(obj)
    for name, rows in found.items():
        ordering = KINDS[name].model._meta.ordering
        if name == "name":
            rows.sort(key=lambda n: (n.kind, n.name))
        elif name == "citizenship":
            rows.sort(key=lambda j: j.name)
        elif ordering == ["date", "pk"] or ordering == ["person", "date"]:
            rows.sort(key=lambda f: (f.date is None, f.date or datetime.date.min, f.pk))
        else:
            rows.sort(key=lambda f: f.pk)
    return found


def _cited(kind):
    return any(field.name == "citations" for field in kind.model._meta.private_fields)


def _citations_of(user, kinds, *, case, person, types):
    """Live citations of the live records of ``kinds`` of a case and its person (the arms of
    ``load``, as subqueries), oldest first, with their sources and files."""
    stand_in = Case(pk=case, person_id=person)
    which = Q()
    for content_type, name in zip(types, kinds, strict=True):
        kind = KINDS[name]
        which |= Q(content_type_id=content_type, object_id__in=_arm_rows(kind, stand_in).values("pk"))
    return Citation.objects.filter(which).select_related("source", "document").order_by("pk")


# Compiled once per set of kinds (core/statements.py); content types are ids too (tests recreate them).
CITATIONS = Statement(_citations_of)


def attach_citations(case, facts):
    """Give every record in ``facts`` ({kind: [records of the case]}, as ``load`` returns) its
    live citations, oldest first, as ``record.citation_list``: one query whatever the records."""
    kinds = tuple(name for name in KINDS if facts.get(name) and _cited(KINDS[name]))
    by_key = {}
    for name in kinds:
        for record in facts[name]:
            record.citation_list = []
            by_key[(KINDS[name].model, record.pk)] = record
    if not kinds:
        return
    models_of = ContentType.objects.get_for_models(*(KINDS[name].model for name in kinds))
    types = [models_of[KINDS[name].model].pk for name in kinds]
    model_of_type = dict(zip(types, (KINDS[name].model for name in kinds), strict=True))
    for citation in CITATIONS.all(None, kinds, case=case.pk, person=case.person_id, types=types):
        record = by_key.get((model_of_type[citation.content_type_id], citation.object_id))
        if record is not None:
            record.citation_list.append(citation)
