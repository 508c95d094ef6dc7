"""Which sources and source files a user may see.

A source's files can be as sensitive as the case that cites them (a restricted client's court
papers), so the rule follows the cases: a user sees a source's files when a case they may see cites
the source. A source no case cites yet (reference material: country reports, treaties) is listed
for every reader, but its files are readable only by whoever uploaded them until a case cites it:
court papers uploaded for a restricted client must not be readable by all in the gap before they are
cited. Admins see everything. Lives in ``cases`` because the rule is about cases;
``sources`` stays below every domain app.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from core.roles import can_read, is_admin
from people.models import Affiliation, Person, PoliticalRole, Protection, Relationship
from sources.models import Citation, Document, Source

from .models import Assurance, Case, Charge, Claim, Decision, Event, ExtraditionRequest

_CASE_FACTS = (Charge, ExtraditionRequest, Decision, Event, Claim)
_PERSON_FACTS = (PoliticalRole, Protection, Relationship, Affiliation)


def citations_of_cases(cases):
    """A Q over Citation: citations of the cases themselves, of every fact in them, and of their
    persons' facts (whereabouts of a restricted client's protection file are as sensitive)."""
    content_type = ContentType.objects.get_for_model
    case_ids = cases.values("pk")
    person_ids = cases.values("person_id")
    condition = Q(content_type=content_type(Case), object_id__in=case_ids)
    for model in _CASE_FACTS:
        condition |= Q(content_type=content_type(model),
                       object_id__in=model.all_objects.filter(case__in=case_ids).values("pk"))
    condition |= Q(content_type=content_type(Assurance),
                   object_id__in=Assurance.all_objects.filter(request__case__in=case_ids).values("pk"))
    condition |= Q(content_type=content_type(Person), object_id__in=person_ids)
    for model in _PERSON_FACTS:
        condition |= Q(content_type=content_type(model),
                       object_id__in=model.all_objects.filter(person__in=person_ids).values("pk"))
    return condition


def _cited(user):
    cited_by_visible = Citation.objects.filter(citations_of_cases(Case.objects.visible_to(user))).values("source_id")
    cited_by_any = Citation.all_objects.filter(citations_of_cases(Case.all_objects.all())).values("source_id")
    return cited_by_visible, cited_by_any


def sources_visible_to(user):
    if not can_read(user):
        return Source.objects.none()
    if is_admin(user):
        return Source.objects.all()
    cited_by_visible, cited_by_any = _cited(user)
    return Source.objects.filter(Q(pk__in=cited_by_visible) | ~Q(pk__in=cited_by_any))


def documents_visible_to(user):
    if not can_read(user):
        return Document.objects.none()
    if is_admin(user):
        return Document.objects.all()
    cited_by_visible, cited_by_any = _cited(user)
    return Document.objects.filter(
        Q(source__in=cited_by_visible) | (~Q(source__in=cited_by_any) & Q(created_by=user))
    )

