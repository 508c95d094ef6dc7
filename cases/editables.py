"""What can be edited from a case page, and how each kind of record is found *through the case*.

Every lookup starts from a case already fetched with ``Case.objects.visible_to(user)``: a record
is reached only via its case (charges, requests…) or the case's person (names, protection,
political roles, affiliations, the person's own relationships), so an id from
another case gives a 404, never someone else's record."""

import dataclasses

from django.contrib.contenttypes.models import ContentType
from django.http import Http404

from people.forms import NameVariantForm, PersonForm
from people.models import Affiliation, NameVariant, Person, PoliticalRole, Protection, Relationship
from sources.models import Citation

from .forms import (
    AffiliationForm,
    CaseForm,
    ChargeForm,
    CitationForm,
    DecisionForm,
    EventForm,
    ProtectionForm,
    RelationshipForm,
    RequestForm,
    RoleForm,
)
from .models import Case, Charge, Decision, Event, ExtraditionRequest


@dataclasses.dataclass(frozen=True)
class Editable:
    kind: str
    model: type
    form: type
    label: str
    owner: str  # "case": the record has a ``case``; "person": it has the case's ``person``; "self"
    needs_case: bool = False  # the form limits its choices to this case's records
    can_add: bool = True
    can_delete: bool = True

    def queryset(self, case, *, deleted=False):
        manager = self.model.all_objects if deleted else self.model.objects
        if self.owner == "case":
            return manager.filter(case=case)
        if self.owner == "person":
            return manager.filter(person_id=case.person_id)
        if self.kind == "case":
            return manager.filter(pk=case.pk)
        return manager.filter(pk=case.person_id)

    def get(self, case, pk, *, deleted=False):
        try:
            return self.queryset(case, deleted=deleted).get(pk=pk)
        except self.model.DoesNotExist:
            raise Http404("No such record in this case.") from None

    def new(self, case):
        if self.owner == "case":
            return self.model(case=case)
        if self.owner == "person":
            return self.model(person=case.person)
        raise Http404("This record cannot be added here.")


EDITABLES = {
    spec.kind: spec for spec in [
        Editable("case", Case, CaseForm, "case", "self", can_add=False, can_delete=False),
        Editable("person", Person, PersonForm, "person", "self", can_add=False, can_delete=False),
        Editable("charge", Charge, ChargeForm, "charge", "case"),
        Editable("request", ExtraditionRequest, RequestForm, "extradition request", "case", needs_case=True),
        Editable("decision", Decision, DecisionForm, "decision", "case", needs_case=True),
        Editable("event", Event, EventForm, "event", "case"),
        Editable("name", NameVariant, NameVariantForm, "name variant", "person"),
        # The person's facts: reached through the case's person.
        Editable("protection", Protection, ProtectionForm, "protection status", "person"),
        Editable("role", PoliticalRole, RoleForm, "political role", "person"),
        Editable("affiliation", Affiliation, AffiliationForm, "affiliation", "person"),
        Editable("relationship", Relationship, RelationshipForm, "relationship", "person", needs_case=True),
    ]
}
# Facts that carry citations and anchors on the case page ("charge-12").
FACT_KINDS = ("charge", "request", "decision", "event", "protection", "role", "affiliation", "relationship")


def editable(kind):
    try:
        return EDITABLES[kind]
    except KeyError:
        raise Http404("Unknown kind of record.") from None


def kind_of(model):
    for spec in EDITABLES.values():
        if spec.model is model:
            return spec.kind
    return None


# Citations hang off any fact; a citation belongs to the case when its fact does.
CITATION = Editable("citation", Citation, CitationForm, "citation", "fact")


def citations_of_case(case, *, deleted=False):
    manager = Citation.all_objects if deleted else Citation.objects
    rows = manager.none()
    for kind in FACT_KINDS:
        spec = EDITABLES[kind]
        owner = {"case": case} if spec.owner == "case" else {"person_id": case.person_id}
        ids = spec.model.all_objects.filter(**owner).values("pk")
        rows = rows | manager.filter(content_type=ContentType.objects.get_for_model(spec.model), object_id__in=ids)
    return rows


def get_citation(case, pk, *, deleted=False):
    try:
        return citations_of_case(case, deleted=deleted).get(pk=pk)
    except Citation.DoesNotExist:
        raise Http404("No such citation in this case.") from None


def fact_from_ref(case, ref):
    """"decision-12" → that decision, if it belongs to ``case``."""
    kind, _, pk = (ref or "").partition("-")
    if kind not in FACT_KINDS or not pk.isdigit():
        raise Http404("No such fact.")
    return EDITABLES[kind].get(case, int(pk))
