"""Loading the demo data (data/demo/*.json, extracted from the five seed articles) into the database.

The files refer to records by stable keys (jurisdiction codes, person, organisation, source and case
keys) and, inside a case, by local ids (``"id": "ru-fr"``), so the data stays readable and the load
stays idempotent: every record is found by its natural key, updated only when a value differs, and
otherwise left alone, so a second run writes nothing (no new rows, no new history). Every record
goes through ``full_clean()``: bad data fails loudly, naming the file and the record.
Lookups include soft-deleted rows, so a demo record someone deleted stays deleted on a re-run; a
value someone edited in the app is set back to the file's value (the files are the demo's truth).

Loaded, in order: sources → jurisdictions (memberships, risk assessments, transfer channels) →
people (organisations, persons, roles, relationships, affiliations, protections) → cases (charges,
requests, assurances, decisions, events, claims). Cases is the top app, so this module may import
all the others.
"""

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction

from core.dates import Precision, Qualifier, parse_date
from jurisdictions.models import Jurisdiction, Membership, RiskAssessment, TransferChannel
from people.models import (
    Affiliation,
    NameVariant,
    Organisation,
    OrganisationName,
    Person,
    PoliticalRole,
    Protection,
    Relationship,
)
from people.names import clean
from sources.models import Citation, Source

from .models import Assurance, Case, Charge, Claim, Decision, Event, ExtraditionRequest

DEMO_DIR = Path(settings.BASE_DIR) / "data" / "demo"
FILES = ("sources.json", "jurisdictions.json", "people.json", "cases.json")

# What the command reports, in this order.
COUNTED = (Source, Citation, Jurisdiction, Membership, RiskAssessment, TransferChannel, Organisation,
           OrganisationName, Person, NameVariant, PoliticalRole, Relationship, Affiliation, Protection, Case,
           Charge, ExtraditionRequest, Assurance, Decision, Event, Claim)


class DemoDataError(Exception):
    """Bad demo data: the message names the file and the record."""


def counts():
    return {model._meta.verbose_name_plural: model.objects.count() for model in COUNTED}


def load(directory=DEMO_DIR):
    """Load every demo file inside one transaction; returns {"created": n, "updated": n}."""
    loader = _Loader(Path(directory))
    with transaction.atomic():
        loader.run()
    return {"created": loader.created, "updated": loader.updated}


class _Loader:
    def __init__(self, directory):
        self.directory = directory
        self.file = None
        self.created = 0
        self.updated = 0
        self.sources, self.states, self.people, self.organisations = {}, {}, {}, {}

    # -- plumbing ---------------------------------------------------------------------------------

    def read(self, name):
        self.file = name
        path = self.directory / name
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DemoDataError(f"{path}: file missing") from None
        except json.JSONDecodeError as error:
            raise DemoDataError(f"{path}: not valid JSON ({error})") from None

    def fail(self, record, message):
        raise DemoDataError(f"{self.file}: {record}: {message}")

    def lookup(self, table, key, what, record):
        if key is None:
            return None
        try:
            return table[key]
        except KeyError:
            self.fail(record, f"unknown {what} “{key}”")

    def state(self, code, record):
        return self.lookup(self.states, code, "jurisdiction code", record)

    def person(self, key, record):
        return self.lookup(self.people, key, "person key", record)

    def organisation(self, key, record):
        return self.lookup(self.organisations, key, "organisation key", record)

    def upsert(self, model, find, values=None, m2m=None, label=None, known=None):
        """Find ``model`` by ``find`` (in ``known``, when the caller fetched the candidates in one
        query); create it, or update the fields in ``values`` that differ. Saves (and so writes
        history) only when something changed."""
        values = values or {}
        label = label or f"{model.__name__} {_describe(find)}"
        if known is not None:
            obj = known.get(tuple(_raw(model, name, value) for name, value in find.items()))
        else:
            # No ordering: the natural key finds at most one row, and ORDER BY would cost a join.
            obj = next(iter(model.all_objects.filter(**find).order_by()[:1]), None)
        changed = created = obj is None
        if obj is None:
            obj = model(**find, **values)
        else:
            for name, value in values.items():
                if _value(obj, name) != _raw(model, name, value):
                    setattr(obj, name, value)
                    changed = True
        if changed:
            self.validate(obj, label)
            if obj.pk is None:
                self.created += 1
            else:
                self.updated += 1
            obj.save()
            if known is not None:
                known[tuple(_raw(model, name, value) for name, value in find.items())] = obj
        for name, targets in (m2m or {}).items():
            manager = getattr(obj, name)
            wanted = {target.pk for target in targets}
            if set(manager.values_list("pk", flat=True)) != wanted:
                manager.set(targets)
                self.updated += 0 if created else 1
        return obj

    def validate(self, obj, label):
        # Non-editable fields (stamps, the search key and script of a name) are filled in by save().
        exclude = [field.name for field in obj._meta.fields if not field.editable]
        try:
            obj.full_clean(exclude=exclude)
        except ValidationError as error:
            self.fail(label, "; ".join(f"{field}: {' '.join(messages)}"
                                       for field, messages in error.message_dict.items()))

    def cite(self, obj, record, label):
        """Citations: [[source key, quote, position?, page?], ...]."""
        content_type = ContentType.objects.get_for_model(type(obj))
        for entry in record.get("cite", []):
            if not isinstance(entry, list) or not 2 <= len(entry) <= 4:
                self.fail(label, f"a citation is [source, quote, position?, page?], not {entry!r}")
            source = self.lookup(self.sources, entry[0], "source key", label)
            quote = clean(entry[1])
            position = entry[2] if len(entry) > 2 else "supports"
            page = entry[3] if len(entry) > 3 else ""
            self.upsert(Citation, {"source": source, "content_type": content_type, "object_id": obj.pk,
                                   "quote": quote},
                        {"position": position, "page": page}, label=f"{label}, citation of {entry[0]}",
                        known=self.citations)

    def fact_values(self, record, dated=True):
        """The FactModel fields (and DatedFact date fields) a record may carry."""
        values = {"claim_status": record.get("claim_status", "asserted"), "notes": record.get("notes", ""),
                  "confidential": record.get("confidential", False)}
        if dated:
            values.update(self.date_values(record))
        return values

    def date_values(self, record):
        text = record.get("date")
        if not text:
            return {"date": None, "date_precision": Precision.UNKNOWN, "date_qualifier": Qualifier.ON,
                    "date_end": None, "date_end_precision": "", "date_text": record.get("date_text", "")}
        try:
            parsed = parse_date(text)
        except ValueError as error:
            self.fail(_describe(record), str(error))
        return {"date": parsed.start, "date_precision": parsed.precision, "date_qualifier": parsed.qualifier,
                "date_end": parsed.end,
                "date_end_precision": parsed.end_precision if parsed.end else "",
                "date_text": record.get("date_text", text)}

    # -- the files ---------------------------------------------------------------------------------

    def run(self):
        # Every citation in one query: they are most of the records, one lookup each would dominate.
        self.citations = {(c.source_id, c.content_type_id, c.object_id, c.quote): c
                          for c in Citation.all_objects.order_by()}
        # States first: sources name the government their stance is towards.
        jurisdictions = self.read("jurisdictions.json")
        self.load_states(jurisdictions)
        self.load_sources(self.read("sources.json"))
        self.file = "jurisdictions.json"
        self.load_state_facts(jurisdictions)
        self.load_people(self.read("people.json"))
        self.load_cases(self.read("cases.json"))

    def load_states(self, data):
        for record in data["jurisdictions"]:
            self.states[record["code"]] = self.upsert(
                Jurisdiction, {"code": record["code"]},
                {"name": record["name"], "name_native": record.get("name_native", ""),
                 "notes": record.get("notes", "")})

    def load_sources(self, data):
        for record in data["sources"]:
            label = f"source {record['key']}"
            values = {field: record.get(field, "") for field in ("title", "author", "publisher", "url", "kind",
                                                                   "stance", "summary")}
            date = self.date_values(record)
            values.update(date=date["date"], date_precision=date["date_precision"],
                          stance_towards=self.state(record.get("stance_towards"), label))
            self.sources[record["key"]] = self.upsert(Source, {"key": record["key"]}, values, label=label)

    def load_state_facts(self, data):
        for record in data["memberships"]:
            state = self.state(record["state"], record)
            label = f"membership {record['state']} {record['body']}"
            obj = self.upsert(Membership, {"jurisdiction": state, "body": record["body"]},
                              {"status": record.get("status", "member"), "since": record.get("since"),
                               "until": record.get("until"), **self.fact_values(record, dated=False)}, label=label)
            self.cite(obj, record, label)
        for record in data["risk_assessments"]:
            state = self.state(record["state"], record)
            label = f"risk assessment {record['state']}"
            obj = self.upsert(RiskAssessment, {"jurisdiction": state, "summary": record["summary"]},
                              {"torture_risk": record["torture_risk"], "fair_trial_risk": record["fair_trial_risk"],
                               "ignores_echr_judgments": record.get("ignores_echr_judgments", False),
                               "assessed_on": record.get("assessed_on"), **self.fact_values(record, dated=False)},
                              label=label)
            self.cite(obj, record, label)
        for record in data["channels"]:
            for other in record["to"]:
                label = f"channel {record['from']}→{other} {record.get('instrument') or record['kind']}"
                obj = self.upsert(
                    TransferChannel,
                    {"from_jurisdiction": self.state(record["from"], label),
                     "to_jurisdiction": self.state(other, label), "kind": record["kind"],
                     "instrument": record.get("instrument", ""), "name": record.get("name", "")},
                    {"status": record.get("status", "in_force"), "bidirectional": record.get("bidirectional", True),
                     "valid_from": record.get("valid_from"), "valid_to": record.get("valid_to"),
                     **self.fact_values(record, dated=False)}, label=label)
                self.cite(obj, record, label)

    def load_people(self, data):
        for record in data["organisations"]:
            label = f"organisation {record['key']}"
            obj = self.upsert(Organisation, {"key": record["key"]},
                              {"name": record["name"], "kind": record["kind"],
                               "jurisdiction": self.state(record.get("state"), label),
                               "description": record.get("description", ""),
                               **self.fact_values(record, dated=False)}, label=label)
            self.organisations[record["key"]] = obj
            for name in record.get("names", []):
                name, source = (name, None) if isinstance(name, str) else name
                self.upsert(OrganisationName, {"organisation": obj, "name": clean(name)},
                            {"source": self.lookup(self.sources, source, "source key", label)},
                            label=f"{label}, name “{name}”")
            self.cite(obj, record, label)
        for record in data["persons"]:
            label = f"person {record['key']}"
            obj = self.upsert(
                Person, {"key": record["key"]},
                {"primary_name": record["name"], "description": record.get("description", ""),
                 "residence": self.state(record.get("residence"), label), **self.fact_values(record, dated=False)},
                m2m={"citizenships": [self.state(code, label) for code in record.get("citizenships", [])]},
                label=label)
            self.people[record["key"]] = obj
            variants = [{"name": record["name"], "kind": "primary", "source": record.get("name_source")}]
            variants += record.get("names", [])
            for variant in variants:
                self.upsert(NameVariant, {"person": obj, "name": clean(variant["name"])},
                            {"kind": variant.get("kind", "transliteration"), "system": variant.get("system", ""),
                             "source": self.lookup(self.sources, variant.get("source"), "source key", label)},
                            label=f"{label}, name “{variant['name']}”")
            self.cite(obj, record, label)
        # A person's roles and affiliations may sit inside the person's record or in the lists.
        roles = data.get("roles", []) + [dict(role, person=record["key"]) for record in data["persons"]
                                         for role in record.get("roles", [])]
        affiliations = data.get("affiliations", []) + [dict(item, person=record["key"]) for record in data["persons"]
                                                       for item in record.get("affiliations", [])]
        for record in roles:
            person = self.person(record["person"], record)
            label = f"role of {record['person']}: {record.get('title') or record['role']}"
            obj = self.upsert(PoliticalRole, {"person": person, "role": record["role"], "title": record.get("title", "")},
                              {"jurisdiction": self.state(record.get("state"), label), **self.fact_values(record)},
                              label=label)
            self.cite(obj, record, label)
        for record in data.get("relationships", []):
            label = f"relationship {record['person']} {record['kind']} {record['other']}"
            obj = self.upsert(Relationship, {"person": self.person(record["person"], label),
                                             "other": self.person(record["other"], label), "kind": record["kind"]},
                              {"description": record.get("description", ""), **self.fact_values(record)}, label=label)
            self.cite(obj, record, label)
        for record in affiliations:
            label = f"affiliation {record['person']} {record['kind']} {record['organisation']}"
            obj = self.upsert(Affiliation, {"person": self.person(record["person"], label),
                                            "organisation": self.organisation(record["organisation"], label),
                                            "kind": record["kind"], "title": record.get("title", "")},
                              self.fact_values(record), label=label)
            self.cite(obj, record, label)
        for record in data.get("protections", []):
            label = f"protection of {record['person']} by {record['granted_by']}"
            obj = self.upsert(Protection, {"person": self.person(record["person"], label), "kind": record["kind"],
                                           "granted_by": self.state(record["granted_by"], label)},
                              {"outcome": record.get("outcome", "granted"),
                               "against_state": self.state(record.get("against"), label),
                               "valid_until": record.get("valid_until"), **self.fact_values(record)}, label=label)
            self.cite(obj, record, label)
        # Claims about a person with no case of their own (deaths "under mysterious circumstances").
        for record in data.get("claims", []):
            label = f"claim about {record['person']}: “{record['statement'][:60]}”"
            obj = self.upsert(Claim, {"case": None, "person": self.person(record["person"], label),
                                      "statement": record["statement"]},
                              {"holder": record.get("holder", ""), **self.fact_values(record)}, label=label)
            self.cite(obj, record, label)

    def load_cases(self, data):
        for record in data["cases"]:
            label = f"case {record['key']}"
            case = self.upsert(
                Case, {"key": record["key"]},
                {"person": self.person(record["person"], label), "title": record["title"],
                 "status": record["status"], "persecuting_state": self.state(record["persecuting_state"], label),
                 "host_state": self.state(record.get("host_state"), label), "summary": record.get("summary", ""),
                 **self.fact_values(record, dated=False)}, label=label)
            self.cite(case, record, label)
            self.load_case_facts(case, record, label)

    def load_case_facts(self, case, record, case_label):
        charges, requests, decisions = {}, {}, {}
        for item in record.get("charges", []):
            label = f"{case_label}, charge {item['id']}"
            obj = self.upsert(Charge, {"case": case, "charging_state": self.state(item["state"], label),
                                       "offence": item["offence"]},
                              {"article": item.get("article", ""), "category": item["category"],
                               "status": item.get("status", "charged"), "sentence": item.get("sentence", ""),
                               "brought_by": self.organisation(item.get("brought_by"), label),
                               "instigated_by": self.state(item.get("instigated_by"), label),
                               "victim": item.get("victim", ""), **self.fact_values(item)}, label=label)
            charges[item["id"]] = obj
            self.cite(obj, item, label)
        for item in record.get("requests", []):
            label = f"{case_label}, request {item['id']}"
            obj = self.upsert(
                ExtraditionRequest,
                {"case": case, "requesting_state": self.state(item["requesting"], label),
                 "requested_state": self.state(item["requested"], label)},
                {"on_behalf_of": self.state(item.get("on_behalf_of"), label), "status": item["status"],
                 "interpol_notice": item.get("interpol_notice", "none"), "description": item.get("description", ""),
                 **self.fact_values(item)},
                m2m={"charges": [self.lookup(charges, key, "charge id", label) for key in item.get("charges", [])]},
                label=label)
            requests[item["id"]] = obj
            self.cite(obj, item, label)
            for assurance in item.get("assurances", []):
                alabel = f"{label}, assurance {assurance['kind']}"
                aobj = self.upsert(Assurance, {"request": obj, "kind": assurance["kind"]},
                                   {field: assurance.get(field, default) for field, default in
                                    (("given_by", ""), ("text", ""), ("disclosed", False), ("specific", False),
                                     ("binding", False), ("monitored", False))}
                                   | self.fact_values(assurance, dated=False), label=alabel)
                self.cite(aobj, assurance, alabel)
        for item in record.get("decisions", []):
            label = f"{case_label}, decision {item['id']}"
            values = self.fact_values(item)
            obj = self.upsert(
                Decision,
                {"case": case, "body_name": item["body_name"], "outcome": item["outcome"], "date": values.pop("date")},
                {"request": self.lookup(requests, item.get("request"), "request id", label),
                 "body": self.organisation(item.get("body"), label),
                 "jurisdiction": self.state(item.get("state"), label), "level": item["level"],
                 "reviews": self.lookup(decisions, item.get("reviews"), "decision id (listed earlier)", label),
                 "in_absentia": item.get("in_absentia", False), "summary": item.get("summary", ""),
                 "reference": item.get("reference", ""),
                 **{f"ground_{ground}": ground in item.get("grounds", []) for ground in
                    ("political", "torture", "fair_trial", "procedural", "humanitarian")},
                 **values}, label=label)
            decisions[item["id"]] = obj
            self.cite(obj, item, label)
        for item in record.get("events", []):
            label = f"{case_label}, event “{item['title']}”"
            obj = self.upsert(
                Event, {"case": case, "kind": item["kind"], "title": item["title"]},
                {"description": item.get("description", ""), "place": item.get("place", ""),
                 "jurisdiction": self.state(item.get("state"), label),
                 "perpetrator_state": self.state(item.get("perpetrator_state"), label), **self.fact_values(item)},
                m2m={"people": [self.person(key, label) for key in item.get("people", [])]}, label=label)
            self.cite(obj, item, label)
        for item in record.get("claims", []):
            label = f"{case_label}, claim “{item['statement'][:60]}”"
            obj = self.upsert(Claim, {"case": case, "statement": item["statement"]},
                              {"person": self.person(item.get("person", record["person"]), label),
                               "holder": item.get("holder", ""), **self.fact_values(item)}, label=label)
            self.cite(obj, item, label)


def _describe(record):
    if isinstance(record, dict):
        for key in ("key", "id", "code", "title", "name", "statement"):
            if key in record:
                return f"{key}={str(record[key])[:60]!r}"
        return ", ".join(f"{k}={v}" for k, v in list(record.items())[:3])
    return str(record)


def _raw(model, name, value):
    """What ``value`` looks like stored, for comparing: a foreign key compares by id."""
    field = model._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        return value.pk if value is not None else None
    if isinstance(field, models.DateField) and isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value


def _value(obj, name):
    field = obj._meta.get_field(name)
    return getattr(obj, field.attname)

