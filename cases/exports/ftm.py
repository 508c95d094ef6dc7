"""Cases as FollowTheMoney entities, the format journalists' and investigators' tools (Aleph,
OpenSanctions, yente) exchange: one JSON object per line, ``{"id", "schema", "properties"}``.

Plain dicts are built here; the ``followthemoney`` library (a heavy dependency: ICU, SQLAlchemy,
rdflib) only validates the output in the tests. The mapping:

- the case's person → Person, every name variant as ``alias``;
- organisations → PublicBody (courts, prosecutors, government, parliament) or Organization;
  a court named only in words (``Decision.body_name``) → PublicBody;
- each extradition request and each charge → CourtCase, with a CourtCaseParty for the person;
- decisions and events → Event, organised by the court and involving the person and the proceedings;
- an Interpol notice or wanted listing on a request → Sanction (authority: Interpol / the requesting state);
- a source's files → Document, and each citation of a file → Documentation linking it to the fact;
- relationships → Family or Associate; affiliations → Membership.

Confidential facts, whereabouts, phone and internal notes are left out unless the exporter asks
and may see them (core.access: the case team and admins).
"""

import hashlib
import json

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from core.access import can_see_confidential, can_see_whereabouts
from core.dates import Precision
from people.models import Affiliation, OrganisationKind, Relationship, RelationshipKind
from sources.models import Citation

from ..models import Case, Charge, Decision, Event, ExtraditionRequest, InterpolNotice

PUBLIC_BODY_KINDS = {OrganisationKind.COURT, OrganisationKind.PROSECUTOR, OrganisationKind.GOVERNMENT,
                     OrganisationKind.LEGISLATURE, OrganisationKind.SECURITY_SERVICE}
FAMILY_KINDS = {RelationshipKind.FAMILY, RelationshipKind.SPOUSE}
NOTICE_WORDS = {InterpolNotice.RED: "Interpol red notice", InterpolNotice.DIFFUSION: "Interpol diffusion",
                InterpolNotice.WANTED_LIST: "International wanted list", InterpolNotice.DELETED: "Interpol notice (deleted)"}
PREFIX = getattr(settings, "FTM_ID_PREFIX", "onward")


def entity_id(kind, pk):
    return f"{PREFIX}-{kind}-{pk}"


def ftm_date(value, precision):
    """FtM dates carry their precision by truncation: "2016-12" is December 2016, "2009" a year."""
    if value is None or precision == Precision.UNKNOWN:
        return None
    if precision == Precision.DAY:
        return value.isoformat()
    if precision == Precision.MONTH:
        return value.strftime("%Y-%m")
    return str(value.year)


class _Builder:
    def __init__(self, user, include_confidential):
        self.user = user
        self.include_confidential = include_confidential
        self.entities = {}

    def add(self, schema, ident, **properties):
        entity = self.entities.setdefault(ident, {"id": ident, "schema": schema, "properties": {}})
        for name, values in properties.items():
            if not isinstance(values, (list, tuple)):
                values = [values]
            kept = entity["properties"].setdefault(name, [])
            for value in values:
                if value not in (None, "") and str(value) not in kept:
                    kept.append(str(value))
            if not kept:
                del entity["properties"][name]
        return ident

    def confidential_ok(self, case):
        return self.include_confidential and can_see_confidential(self.user, case)

    # --- things --------------------------------------------------------------------------------
    def person(self, person):
        aliases = [variant.name for variant in person.names.all() if variant.name != person.primary_name]
        properties = {
            "name": person.primary_name, "alias": aliases, "description": person.description,
            "birthDate": person.birth_year, "nationality": [c.code.lower() for c in person.citizenships.all()],
            "country": person.residence.code.lower() if person.residence_id else None,
        }
        if self.include_confidential and can_see_whereabouts(self.user, person):
            properties.update(address=", ".join(b for b in [person.whereabouts_address, person.whereabouts_city] if b),
                              phone=person.phone, notes=person.notes)
        return self.add("Person", entity_id("person", person.pk), **properties)

    def organisation(self, organisation):
        schema = "PublicBody" if organisation.kind in PUBLIC_BODY_KINDS else "Organization"
        return self.add(schema, entity_id("organisation", organisation.pk), name=organisation.name,
                        alias=[n.name for n in organisation.names.all()], description=organisation.description,
                        jurisdiction=organisation.jurisdiction.code.lower() if organisation.jurisdiction_id else None)

    def named_body(self, name, jurisdiction):
        code = jurisdiction.code.lower() if jurisdiction else ""
        digest = hashlib.sha1(f"{name.lower()}|{code}".encode()).hexdigest()[:16]  # noqa: S324 - an id, not security
        return self.add("PublicBody", entity_id("body", digest), name=name, jurisdiction=code or None)

    def state_authority(self, jurisdiction):
        return self.add("PublicBody", entity_id("state", jurisdiction.code.lower()),
                        name=f"Authorities of {jurisdiction.name}", jurisdiction=jurisdiction.code.lower())

    # --- one case --------------------------------------------------------------------------------
    def case(self, case):
        person_id = self.person(case.person)
        confidential_ok = self.confidential_ok(case)

        def facts(model):
            rows = model.objects.filter(case=case)
            return rows if confidential_ok else rows.filter(confidential=False)

        fact_entities = {}
        for request in facts(ExtraditionRequest).select_related("requesting_state", "requested_state", "on_behalf_of"):
            ident = self.add(
                "CourtCase", entity_id("request", request.pk),
                name=f"Extradition of {case.person.primary_name}: {request}",
                fileDate=ftm_date(request.date, request.date_precision),
                country=[request.requested_state.code.lower(), request.requesting_state.code.lower()],
                status=request.get_status_display(), category="Extradition", summary=request.description,
                notes=request.notes if confidential_ok else None,
            )
            fact_entities[(ExtraditionRequest, request.pk)] = ident
            self.add("CourtCaseParty", entity_id("request-party", request.pk), case=ident, party=person_id,
                     role="Person sought")
            if request.interpol_notice != InterpolNotice.NONE:
                authority = ("Interpol" if request.interpol_notice != InterpolNotice.WANTED_LIST
                             else f"Authorities of {request.requesting_state.name}")
                self.add("Sanction", entity_id("notice", request.pk), entity=person_id, authority=authority,
                         program=NOTICE_WORDS[request.interpol_notice],
                         country=request.requesting_state.code.lower(),
                         startDate=ftm_date(request.date, request.date_precision),
                         status="deleted" if request.interpol_notice == InterpolNotice.DELETED else "listed",
                         reason=f"Sought by {request.requesting_state.name}")
        for charge in facts(Charge).select_related("charging_state", "brought_by"):
            properties = {
                "name": f"{charge.charging_state.name}: {charge.offence}", "caseNumber": charge.article,
                "fileDate": ftm_date(charge.date, charge.date_precision), "country": charge.charging_state.code.lower(),
                "status": charge.get_status_display(), "category": charge.get_category_display(),
                "summary": charge.sentence,
            }
            ident = self.add("CourtCase", entity_id("charge", charge.pk), **properties)
            fact_entities[(Charge, charge.pk)] = ident
            self.add("CourtCaseParty", entity_id("charge-party", charge.pk), case=ident, party=person_id,
                     role="Accused")
            if charge.brought_by_id:
                self.add("CourtCaseParty", entity_id("charge-prosecutor", charge.pk), case=ident,
                         party=self.organisation(charge.brought_by), role="Prosecution")
        for decision in facts(Decision).select_related("body", "jurisdiction", "request"):
            court = (self.organisation(decision.body) if decision.body_id
                     else self.named_body(decision.body_name, decision.jurisdiction))
            involved = [person_id]  # Event.involved takes legal entities, so the CourtCase is named in words
            fact_entities[(Decision, decision.pk)] = self.add(
                "Event", entity_id("decision", decision.pk), name=f"Decision: {decision}",
                date=ftm_date(decision.date, decision.date_precision), organizer=court, involved=involved,
                summary=" · ".join(b for b in [decision.get_level_display(), decision.reference, decision.summary,
                                                f"on the request {decision.request}" if decision.request_id else ""] if b),
                country=decision.jurisdiction.code.lower() if decision.jurisdiction_id else None,
            )
        for event in facts(Event).select_related("jurisdiction").prefetch_related("people"):
            fact_entities[(Event, event.pk)] = self.add(
                "Event", entity_id("event", event.pk), name=f"{event.get_kind_display()}: {event.title}",
                date=ftm_date(event.date, event.date_precision), involved=[person_id], summary=event.description,
                location=event.place, country=event.jurisdiction.code.lower() if event.jurisdiction_id else None,
            )
        self.links(case.person, confidential_ok)
        self.documentation(case, fact_entities, person_id)

    def links(self, person, confidential_ok):
        def allowed(rows):
            return rows if confidential_ok else rows.filter(confidential=False)

        for relationship in allowed(Relationship.objects.filter(Q(person=person) | Q(other=person))).select_related(
                "person", "other"):
            first, second = self.person(relationship.person), self.person(relationship.other)
            start = ftm_date(relationship.date, relationship.date_precision)
            if relationship.kind in FAMILY_KINDS:
                self.add("Family", entity_id("relationship", relationship.pk), person=first, relative=second,
                         relationship=relationship.get_kind_display(), startDate=start)
            else:
                self.add("Associate", entity_id("relationship", relationship.pk), person=first, associate=second,
                         relationship=relationship.get_kind_display(), startDate=start,
                         description=relationship.description)
        for affiliation in allowed(Affiliation.objects.filter(person=person)).select_related("organisation"):
            self.add("Membership", entity_id("affiliation", affiliation.pk), member=self.person(person),
                     organization=self.organisation(affiliation.organisation),
                     role=affiliation.title or affiliation.get_kind_display(),
                     startDate=ftm_date(affiliation.date, affiliation.date_precision))

    def documentation(self, case, fact_entities, person_id):
        """A Document for each cited source file, and a Documentation per citation of it."""
        by_type = {}
        for model, pk in fact_entities:
            by_type.setdefault(model, []).append(pk)
        condition = Q(content_type=ContentType.objects.get_for_model(Case), object_id=case.pk)
        for model, pks in by_type.items():
            condition |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=pks)
        citations = Citation.objects.filter(condition, document__isnull=False).select_related(
            "document", "document__source", "content_type")
        for citation in citations:
            document = citation.document
            doc_id = self.add(
                "Document", entity_id("document", document.pk), title=document.title or document.original_name,
                fileName=document.original_name, fileSize=document.size, mimeType=document.media_type,
                publisher=document.source.publisher, sourceUrl=document.source.url or None,
                date=ftm_date(document.source.date, document.source.date_precision) if document.source.date else None,
            )
            target = fact_entities.get((citation.content_type.model_class(), citation.object_id), person_id)
            page = f", p. {citation.document_page}" if citation.document_page else ""
            self.add("Documentation", entity_id("citation", citation.pk), document=doc_id, entity=target,
                     role=f"{citation.get_position_display()}{page}",
                     summary=f"sha256 {document.sha256}{page}" + (f": “{citation.quote}”" if citation.quote else ""))


def entities(cases, user, *, include_confidential=False):
    """FtM entities (dicts) for ``cases``, a queryset the caller has scoped with ``visible_to(user)``."""
    builder = _Builder(user, include_confidential)
    for case in cases.select_related("person", "person__residence").prefetch_related(
            "person__names", "person__citizenships"):
        builder.case(case)
    return list(builder.entities.values())


def dumps(entity_list):
    """JSON lines, the form ``ftm`` tools read."""
    return "".join(json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n" for entity in entity_list)
