"""From spreadsheet rows to a plan (what would be created, updated or matched, and what is wrong
with which cell), and from a confirmed plan to saved facts — all or nothing — and back (undo).

The preview and the import run the same ``plan`` function over the same file, so the import
does exactly what the preview said (unless someone changed the database in between, in which case
the new plan is what is shown and saved).
"""

import copy
import dataclasses

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.dates import Precision, parse_date, truncate
from core.editing import facts_changed, stamp
from core.models import DatedFact
from jurisdictions.models import Jurisdiction
from people.models import NameVariant, Person, Relationship
from people.names import clean, script_of, search_key

from ..models import (
    Case,
    CaseStatus,
    Charge,
    ChargeCategory,
    ChargeStatus,
    Decision,
    DecisionLevel,
    DecisionOutcome,
    Event,
    EventKind,
    ExtraditionRequest,
    InterpolNotice,
    RequestStatus,
)
from . import matching
from .validation import validate


@dataclasses.dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool = False
    help: str = ""


CASE_FIELD = Field("case", "Case (its key or exact title)", True)
DATE_FIELD = Field("date", "Date", False, "As written: 2009, Dec 2016, c. 2011, 25.03.2011, since 2009")

FIELDS = {
    "persons": [
        Field("name", "Name", True, "The spelling shown first"),
        Field("variants", "Other spellings", False, "Separated by ; — any script"),
        Field("description", "Description"),
        Field("birth_year", "Birth year"),
        Field("citizenship", "Citizenship", False, "Country codes or names, separated by ;"),
        Field("key", "Key", False, "A stable id from your spreadsheet; a row with a known key updates that person"),
    ],
    "cases": [
        Field("person", "Person (any spelling)", True), Field("title", "Title", True),
        Field("persecuting_state", "Persecuting state", True), Field("host_state", "Host state"),
        Field("status", "Status"), Field("summary", "Summary"), Field("restricted", "Restricted (yes/no)"),
        Field("key", "Key", False, "A row with a known key updates that case"),
    ],
    "charges": [
        CASE_FIELD, DATE_FIELD, Field("charging_state", "Charging state", True), Field("offence", "Offence", True),
        Field("article", "Article"), Field("category", "Category", True), Field("status", "Status"),
        Field("sentence", "Sentence"), Field("victim", "Victim or subject matter"),
    ],
    "requests": [
        CASE_FIELD, DATE_FIELD, Field("requesting_state", "Requesting state", True),
        Field("requested_state", "Requested state", True), Field("status", "Status"),
        Field("interpol_notice", "Interpol notice"), Field("description", "Description"),
    ],
    "decisions": [
        CASE_FIELD, DATE_FIELD, Field("body_name", "Court or body", True), Field("jurisdiction", "Jurisdiction"),
        Field("level", "Level", True), Field("outcome", "Outcome", True), Field("reference", "Reference"),
        Field("summary", "Summary"),
    ],
    "events": [
        CASE_FIELD, DATE_FIELD, Field("kind", "Kind", True), Field("title", "Title", True), Field("place", "Place"),
        Field("description", "Description"),
    ],
}
CHOICES = {
    ("cases", "status"): CaseStatus, ("charges", "category"): ChargeCategory, ("charges", "status"): ChargeStatus,
    ("requests", "status"): RequestStatus, ("requests", "interpol_notice"): InterpolNotice,
    ("decisions", "level"): DecisionLevel, ("decisions", "outcome"): DecisionOutcome, ("events", "kind"): EventKind,
}
MODELS = {"charges": Charge, "requests": ExtraditionRequest, "decisions": Decision, "events": Event}
# A model field whose import field has another name, for saying which column an error is in.
MODEL_FIELDS = {"primary_name": "name"}
STATE_FIELDS = {"persecuting_state", "host_state", "charging_state", "requesting_state", "requested_state",
                "jurisdiction"}


def guess_columns(kind, headings):
    """{field: heading} for headings that name a field ("Birth year", "birth_year", "BIRTH YEAR")."""
    def norm(text):
        return "".join(char for char in text.lower() if char.isalnum())

    by_norm = {norm(heading): heading for heading in headings}
    guessed = {}
    for field in FIELDS[kind]:
        for candidate in (field.name, field.label, field.label.split(" (")[0]):
            if norm(candidate) in by_norm:
                guessed[field.name] = by_norm[norm(candidate)]
                break
    return guessed


@dataclasses.dataclass
class Item:
    row: int
    action: str  # "create", "update", "match"
    label: str
    detail: str = ""
    obj: object = None  # the instance to save (new or changed)
    version_before: int | None = None
    variants: list = dataclasses.field(default_factory=list)  # unsaved NameVariants to add to the person
    citizenships: list = dataclasses.field(default_factory=list)
    same_as_row: int | None = None  # a person matched to an earlier row of the same file
    fields: list = dataclasses.field(default_factory=list)  # the fields an update changes
    # Planning only: the search keys of the row's spellings, and (for the row that first names a
    # person) the names and citizenships that person has or will have after the import.
    keys: set = dataclasses.field(default_factory=set, repr=False)
    root: object = dataclasses.field(default=None, repr=False)
    known: set = dataclasses.field(default_factory=set, repr=False)
    citizenship_ids: set = dataclasses.field(default_factory=set, repr=False)

    def summary(self):
        return {"row": self.row, "action": self.action, "label": self.label, "detail": self.detail}


@dataclasses.dataclass
class Plan:
    items: list
    errors: list  # [{"row", "column", "reason"}]

    @property
    def bad_rows(self):
        return sorted({error["row"] for error in self.errors})

    def preview(self):
        return [item.summary() for item in self.items]


class RowError(Exception):
    def __init__(self, field, reason):
        self.field, self.reason = field, reason


def plan(kind, rows, columns, user):
    """What importing ``rows`` ([(row number, {heading: text})]) as ``kind`` would do. Nothing is
    written. ``columns`` maps field names to headings.

    The file's lookups (persons by every spelling, keys, cases) are made for all rows at once before
    the rows are read one by one (cases/imports/matching.py), and every object is validated once,
    here, in Python (cases/imports/validation.py): ``apply`` saves what this returns as it is."""
    planner = _Planner(kind, columns, user)
    table = [(number, {field.name: values.get(columns.get(field.name) or "", "").strip() for field in FIELDS[kind]})
             for number, values in rows]
    planner.prepare([cells for _, cells in table])
    items, errors = [], []
    for number, cells in table:
        try:
            for field in FIELDS[kind]:
                if field.required and not cells[field.name]:
                    raise RowError(field.name, f"{field.label} is required.")
            item = planner.item(number, cells)
            if item.obj is not None and item.action != "match":
                validate(item.obj)
            for variant in item.variants:
                try:
                    validate(variant, exclude=["person"])
                except ValidationError as error:  # a spelling's error is the row's name or variants column
                    field = "name" if variant.name == clean(cells.get("name", "")) else "variants"
                    raise ValidationError({field: [m for ms in error.message_dict.values() for m in ms]}) from None
        except RowError as error:
            errors.append({"row": number, "column": columns.get(error.field, ""), "reason": error.reason})
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                column = columns.get(MODEL_FIELDS.get(field, field), "") if field != NON_FIELD_ERRORS else ""
                for message in messages:
                    errors.append({"row": number, "column": column, "reason": message})
        else:
            planner.accept(item)
            items.append(item)
    return Plan(items, errors)


def _spellings(name, variants):
    spellings = []
    for spelling in [name] + variants.replace("|", ";").split(";"):
        spelling = clean(spelling)
        if spelling and spelling not in spellings:
            spellings.append(spelling)
    return spellings


def _variant(name, kind):
    """An unsaved NameVariant with what its ``save()`` would derive (it is bulk-created)."""
    name = clean(name)
    return NameVariant(name=name, kind=kind, script=script_of(name), search_key=search_key(name))


class _Planner:
    def __init__(self, kind, columns, user):
        self.kind, self.columns, self.user = kind, columns, user
        self.visible_cases = Case.objects.visible_to(user)
        self.states = {}
        self.file_people = {}  # search key, ("key", key) or ("pk", pk) → the item that first names that person
        self.person_ids_by_key = {}  # search key → {ids of recorded persons with that spelling or a close one}
        self.persons = {}  # id → Person, the recorded persons the importer may see among those matched
        self.persons_by_slug = {}  # a Person.key of the file → that Person, or None if the importer cannot see it
        self.cases_by_text = {}  # a case cell → [Case] (visible, by key or exact title)
        self.cases_by_key = {}  # a case key of the file → the visible Case
        self.taken_case_keys = set()  # case keys held by a case the importer cannot see, or deleted
        self.case_keys_in_file = {}  # case key → row that creates the case

    def prepare(self, table):
        """Look up, for the whole file at once, what the rows will ask for."""
        if self.kind == "persons":
            spellings = [s for cells in table for s in _spellings(cells["name"], cells["variants"])]
            slugs = sorted({cells["key"] for cells in table if cells["key"]})
        elif self.kind == "cases":
            spellings = [cells["person"] for cells in table if cells["person"]]
            slugs = []
            keys = sorted({cells["key"] for cells in table if cells["key"]})
            for chunk in matching._chunks(keys):
                self.cases_by_key.update((case.key, case) for case in self.visible_cases.filter(key__in=chunk)
                                         .select_related("person", "persecuting_state", "host_state"))
                self.taken_case_keys.update(Case.all_objects.filter(key__in=chunk).values_list("key", flat=True))
            self.taken_case_keys -= set(self.cases_by_key)
        else:
            return
        self.person_ids_by_key = matching.person_ids_by_key(search_key(s) for s in spellings)
        ids = set().union(*self.person_ids_by_key.values()) if self.person_ids_by_key else set()
        slug_ids = {}
        for chunk in matching._chunks(slugs):
            slug_ids.update(Person.all_objects.filter(key__in=chunk).values_list("key", "pk"))
        self.persons = matching.visible_persons(ids | set(slug_ids.values()), self.visible_cases)
        self.persons_by_slug = {slug: self.persons.get(pk) for slug, pk in slug_ids.items()}

    def accept(self, item):
        """Remember a row that planned without error, so later rows of the file meet it."""
        if self.kind == "cases" and item.action == "create" and item.obj.key:
            self.case_keys_in_file[item.obj.key] = item.row
        if self.kind != "persons":
            return
        root = item.root or item
        root.known.update(variant.name for variant in item.variants)
        root.citizenship_ids.update(c.pk for c in item.citizenships)
        for key in item.keys:
            self.file_people.setdefault(key, root)
        if root.obj.key:
            self.file_people.setdefault(("key", root.obj.key), root)
        if root.obj.pk:
            self.file_people.setdefault(("pk", root.obj.pk), root)

    # --- cell readers: raise RowError with words a researcher understands -----------------
    def state(self, field, text):
        if not text:
            return None
        if not self.states:
            for jurisdiction in Jurisdiction.objects.all():
                self.states[jurisdiction.code.lower()] = jurisdiction
                self.states[jurisdiction.name.lower()] = jurisdiction
                if jurisdiction.name_native:
                    self.states[jurisdiction.name_native.lower()] = jurisdiction
        found = self.states.get(text.strip().lower())
        if found is None:
            raise RowError(field, f"“{text}” is not a country Onward knows (use a code such as KZ or a name).")
        return found

    def choice(self, field, text, default=None):
        if not text:
            if default is None:
                raise RowError(field, "This column is required.")
            return default
        choices = CHOICES[(self.kind, field)]
        lowered = text.strip().lower()
        for value, label in choices.choices:
            if lowered in (value.lower(), str(label).lower(), str(label).split(" (")[0].lower()):
                return value
        allowed = ", ".join(str(label).split(" (")[0] for _, label in choices.choices)
        raise RowError(field, f"“{text}” is not one of: {allowed}.")

    def dated(self, values, text):
        if not text:
            values.update(date=None, date_precision=Precision.UNKNOWN)
            return
        try:
            parsed = parse_date(text)
        except ValueError as error:
            raise RowError("date", str(error)) from None
        values.update(date=parsed.start, date_precision=parsed.precision, date_qualifier=parsed.qualifier,
                      date_end=parsed.end, date_end_precision=parsed.end_precision if parsed.end else "",
                      date_text=text[:120])

    def case(self, text):
        if text not in self.cases_by_text:  # a file names few cases many times: one query per case
            self.cases_by_text[text] = list(self.visible_cases.filter(Q(key=text) | Q(title__iexact=text))[:2])
        found = self.cases_by_text[text]
        if len(found) != 1:
            reason = "matches several cases: use the case's key" if found else "is not a case you can see"
            raise RowError("case", f"“{text}” {reason}.")
        return found[0]

    def persons_matching(self, spellings):
        """Recorded persons the importer may see with a spelling close to any of ``spellings`` (the
        UI's duplicate check, people.search.close_to, matched for the whole file in ``prepare``)."""
        ids = set()
        for spelling in spellings:
            ids |= self.person_ids_by_key.get(search_key(spelling), set())
        return sorted((self.persons[pk] for pk in ids if pk in self.persons), key=lambda p: (p.primary_name, p.pk))

    # --- one row → one item ----------------------------------------------------------------
    def item(self, number, cells):
        return getattr(self, f"_{self.kind}")(number, cells)

    def _persons(self, number, cells):
        name = clean(cells["name"])
        spellings = _spellings(cells["name"], cells["variants"])
        birth_year = None
        if cells["birth_year"]:
            if not cells["birth_year"].isdigit():
                raise RowError("birth_year", f"“{cells['birth_year']}” is not a year.")
            birth_year = int(cells["birth_year"])
        citizenships = []
        for code in cells["citizenship"].split(";"):
            if code.strip() and (found := self.state("citizenship", code)) not in citizenships:
                citizenships.append(found)
        keys = {search_key(s) for s in spellings} - {""}

        existing = None
        earlier = self.file_people.get(("key", cells["key"])) if cells["key"] else None
        if earlier is None and cells["key"] and cells["key"] in self.persons_by_slug:
            existing = self.persons_by_slug[cells["key"]]
            if existing is None:
                raise RowError("key", f"The key “{cells['key']}” belongs to a person you cannot see or who was deleted.")
            earlier = self.file_people.get(("pk", existing.pk))
        if earlier is None and existing is None:
            earlier = next((self.file_people[key] for key in sorted(keys) if key in self.file_people), None)
        if earlier is None and existing is None:
            matches = self.persons_matching(spellings)
            if len(matches) > 1:
                names = ", ".join(f"“{p.primary_name}”" for p in matches[:5])
                raise RowError("name", f"matches several persons already recorded ({names}): add a key column "
                                       "to say which, or fix the spelling.")
            existing = matches[0] if matches else None
            if existing is not None:
                earlier = self.file_people.get(("pk", existing.pk))

        if earlier is not None:  # an earlier row of this file names the same person
            new = [s for s in spellings if s not in earlier.known]
            more = [c for c in citizenships if c.pk not in earlier.citizenship_ids]
            added = [f"{len(new)} spelling(s)"] if new else []
            added += ["citizenship"] if more else []
            return Item(number, "match", f"Same person as row {earlier.row}: {earlier.obj.primary_name}",
                        ("adds " + ", ".join(added)) if added else "nothing new", same_as_row=earlier.row,
                        variants=[_variant(s, _variant_kind(s)) for s in new], citizenships=more, keys=keys,
                        root=earlier)

        if existing is None:
            person = Person(primary_name=name, description=cells["description"][:500], birth_year=birth_year,
                            key=cells["key"] or None)
            return Item(number, "create", f"New person: {name}",
                        f"{len(spellings) - 1} other spelling(s)" if len(spellings) > 1 else "", obj=person,
                        variants=[_variant(s, "primary" if i == 0 else _variant_kind(s))
                                  for i, s in enumerate(spellings)],
                        citizenships=citizenships, keys=keys)

        known = {variant.name for variant in existing.names.all()}
        current = {c.pk for c in existing.citizenships.all()}
        person = copy.copy(existing)  # a row that fails validation leaves the cached person as it is
        new = [s for s in spellings if s not in known]
        changes, fields = [], []
        if cells["description"] and cells["description"][:500] != person.description:
            person.description = cells["description"][:500]
            changes.append("description")
            fields.append("description")
        if birth_year and birth_year != person.birth_year:
            person.birth_year = birth_year
            changes.append("birth year")
            fields.append("birth_year")
        new_citizenships = [c for c in citizenships if c.pk not in current]
        if new_citizenships:
            changes.append("citizenship")
        if new:
            changes.append(f"{len(new)} spelling(s): {', '.join(new)}")
        matched_by = "key" if cells["key"] and person.key == cells["key"] else "spelling"
        return Item(number, "update" if changes else "match",
                    f"Existing person: {person.primary_name} (matched by {matched_by})",
                    ("adds or changes " + "; ".join(changes)) if changes else "already recorded, nothing new",
                    obj=person, version_before=person.version,
                    variants=[_variant(s, _variant_kind(s)) for s in new], citizenships=new_citizenships,
                    fields=fields, keys=keys, known=known, citizenship_ids=current)

    def _cases(self, number, cells):
        matches = self.persons_matching([cells["person"]])
        if len(matches) != 1:
            reason = ("matches several persons: use the exact spelling of one" if matches
                      else "is not a person recorded yet: import the persons first")
            raise RowError("person", f"“{cells['person']}” {reason}.")
        values = {
            "person": matches[0], "title": cells["title"][:300],
            "persecuting_state": self.state("persecuting_state", cells["persecuting_state"]),
            "host_state": self.state("host_state", cells["host_state"]),
            "status": self.choice("status", cells["status"], CaseStatus.OPEN), "summary": cells["summary"],
            "restricted": _yes(cells["restricted"]),
        }
        key = cells["key"]
        if key in self.case_keys_in_file:
            raise RowError("key", f"Row {self.case_keys_in_file[key]} already creates a case with the key “{key}”.")
        existing = self.cases_by_key.get(key) if key else None
        if existing is not None:
            case = copy.copy(existing)
            before = case.version
            changed = [name for name, value in values.items() if getattr(case, name) != value]
            for name in changed:
                setattr(case, name, values[name])
            return Item(number, "update" if changed else "match", f"Existing case: {case.title}",
                        ("changes " + ", ".join(changed)) if changed else "nothing new", obj=case,
                        version_before=before, fields=changed)
        if key and key in self.taken_case_keys:
            raise RowError("key", f"The key “{key}” belongs to a case you cannot see or that was deleted.")
        return Item(number, "create", f"New case: {values['title']}", f"person {matches[0].primary_name}",
                    obj=Case(key=key or None, **values))

    def _fact(self, number, cells, values, label):
        self.dated(values, cells["date"])
        obj = MODELS[self.kind](case=self.case(cells["case"]), **values)
        return Item(number, "create", label, f"{obj.case.title} · {obj.date_display}", obj=obj)

    def _charges(self, number, cells):
        return self._fact(number, cells, {
            "charging_state": self.state("charging_state", cells["charging_state"]), "offence": cells["offence"],
            "article": cells["article"], "category": self.choice("category", cells["category"]),
            "status": self.choice("status", cells["status"], ChargeStatus.CHARGED),
            "sentence": cells["sentence"], "victim": cells["victim"],
        }, f"New charge: {cells['offence']}")

    def _requests(self, number, cells):
        return self._fact(number, cells, {
            "requesting_state": self.state("requesting_state", cells["requesting_state"]),
            "requested_state": self.state("requested_state", cells["requested_state"]),
            "status": self.choice("status", cells["status"], RequestStatus.RECEIVED),
            "interpol_notice": self.choice("interpol_notice", cells["interpol_notice"], InterpolNotice.NONE),
            "description": cells["description"],
        }, f"New extradition request: {cells['requesting_state']} → {cells['requested_state']}")

    def _decisions(self, number, cells):
        return self._fact(number, cells, {
            "body_name": cells["body_name"], "jurisdiction": self.state("jurisdiction", cells["jurisdiction"]),
            "level": self.choice("level", cells["level"]), "outcome": self.choice("outcome", cells["outcome"]),
            "reference": cells["reference"], "summary": cells["summary"],
        }, f"New decision: {cells['body_name']} ({cells['outcome']})")

    def _events(self, number, cells):
        return self._fact(number, cells, {
            "kind": self.choice("kind", cells["kind"]), "title": cells["title"][:300], "place": cells["place"],
            "description": cells["description"],
        }, f"New event: {cells['title']}")


def _variant_kind(name):
    return "native" if script_of(name) == "cyrillic" else "transliteration"


def _yes(text):
    return text.strip().lower() in {"yes", "y", "true", "1", "x", "oui", "да"}


def _label(model):
    return f"{model._meta.app_label}.{model._meta.model_name}"


BATCH = 500


def apply(run, the_plan, user, *, progress=None):
    """Save ``the_plan`` in one transaction and record on ``run`` what it did. Rows with errors
    stop everything unless ``run.skip_bad_rows``; then they are counted as skipped.

    The plan's objects were validated when it was made; they are saved here in bulk with their
    history rows (simple_history's bulk helpers), by the importer, without a second ``full_clean``.
    The database checks the same constraints again on insert."""
    if the_plan.errors and not run.skip_bad_rows:
        raise ValueError("The file has rows with errors: fix them, or choose to skip them.")
    counts = {"create": 0, "update": 0, "match": 0}
    for item in the_plan.items:
        counts[item.action] += 1
    created, updated = {}, {}
    added = []  # [[person pk, [jurisdiction pk, ...]]] citizenships added to existing persons
    total = len(the_plan.items)

    with transaction.atomic():
        new = [item.obj for item in the_plan.items if item.action == "create"]
        for model, objs in _by_model(new):
            _create(objs, user)
            created.setdefault(_label(model), []).extend(obj.pk for obj in objs)
        if progress is not None:
            progress(len(new))
        changed = [item for item in the_plan.items if item.action == "update"]
        for model, items in _by_model(changed, key=lambda item: item.obj):
            _update(model, items, user)
            updated.setdefault(_label(model), []).extend([item.obj.pk, item.version_before] for item in items)

        # Persons: the spellings and citizenships each row adds, to the person the row names.
        people_by_row, variants, citizenships = {}, [], []
        for item in the_plan.items:
            if not isinstance(item.obj, Person) and item.same_as_row is None:
                continue
            person = people_by_row[item.same_as_row] if item.same_as_row is not None else item.obj
            people_by_row[item.row] = person
            for variant in item.variants:
                variant.person = person
                variants.append(variant)
            if item.citizenships:
                citizenships.extend((person.pk, c.pk) for c in item.citizenships)
        if variants:
            _create(variants, user)
            created.setdefault(_label(NameVariant), []).extend(variant.pk for variant in variants)
            if len(variants) >= BATCH:
                transaction.on_commit(matching.tidy_search_index)
        if citizenships:
            through = Person.citizenships.through
            through.objects.bulk_create([through(person_id=p, jurisdiction_id=j) for p, j in citizenships],
                                        batch_size=BATCH)
            fresh = set(created.get(_label(Person), []))
            by_person = {}
            for person_pk, jurisdiction_pk in citizenships:
                if person_pk not in fresh:  # m2m has no history: remember what to take back
                    by_person.setdefault(person_pk, []).append(jurisdiction_pk)
            added = [[pk, jurisdictions] for pk, jurisdictions in by_person.items()]
        _facts_changed([item.obj for item in changed] + new)

        run.rows_created, run.rows_updated, run.rows_matched = counts["create"], counts["update"], counts["match"]
        run.rows_skipped = len(the_plan.bad_rows)
        if added:
            updated["people.person.citizenships"] = added
        run.created_ids, run.updated_ids = created, updated
        run.status = "done"
        run.finished_at = timezone.now()
        run.progress = total
        run.save()
    if progress is not None:
        progress(total)
    return run


def _by_model(things, key=lambda obj: obj):
    """[(model, [thing, ...])] in the order the models first appear."""
    groups = {}
    for thing in things:
        groups.setdefault(type(key(thing)), []).append(thing)
    return list(groups.items())


def _create(objs, user):
    """INSERT ``objs`` (validated, unsaved, one model) and their history rows, as save_fact would:
    stamped by ``user``, version 1, dated facts' days truncated to their precision."""
    model = type(objs[0])
    for obj in objs:
        stamp(obj, user, creating=True)
        obj.version = 1
        if isinstance(obj, DatedFact):
            obj.date = truncate(obj.date, obj.date_precision)
            obj.date_end = truncate(obj.date_end, obj.date_end_precision or obj.date_precision)
    # PostgreSQL and SQLite ≥ 3.35 return the new ids from the INSERT; the variants need them.
    if not connection.features.can_return_rows_from_bulk_insert:
        raise RuntimeError("Importing needs a database that returns ids from INSERT (PostgreSQL, SQLite ≥ 3.35).")
    bulk_create_with_history(objs, model, batch_size=BATCH, default_user=_history_user(user))


def _update(model, items, user):
    """UPDATE changed records with their history rows. Each must still be at the version the plan
    read (the version check of save_fact, for all rows at once, under a row lock)."""
    for start in range(0, len(items), BATCH):
        chunk = items[start:start + BATCH]
        current = dict(model.all_objects.select_for_update().filter(pk__in=[i.obj.pk for i in chunk])
                       .values_list("pk", "version"))
        for item in chunk:
            if current.get(item.obj.pk) != item.version_before:
                raise ValueError(f"“{item.obj}” was changed by someone else meanwhile: preview the file again.")
            stamp(item.obj, user, creating=False)
            item.obj.version = item.version_before + 1
        # Only the columns some row changes: bulk_update writes a CASE per column over the whole batch.
        fields = sorted({name for item in chunk for name in item.fields})
        bulk_update_with_history([item.obj for item in chunk], model, fields + ["updated_at", "updated_by", "version"],
                                 batch_size=BATCH, default_user=_history_user(user))


def _history_user(user):
    return user if getattr(user, "is_authenticated", False) else None


def _facts_changed(objs, *, fresh=True):
    """Tell the apps that derive things from facts (core.editing.facts_changed: the risk engine) what
    the import changed — once per kind of fact and case, not once per row: the hooks re-evaluate
    cases, and a thousand imported events of one case are one re-evaluation. Persons and spellings
    the import has just created are left out (``fresh``), and so is any person no case and no
    relationship refers to: a person bears on an evaluation only through a case or a relationship
    (cases.risk.fact_changed finds nothing to schedule for the others), and asking costs two queries
    a person where this asks once per 500."""
    persons = [obj.pk for obj in objs if isinstance(obj, Person)]
    referred = set()
    for start in range(0, len(persons), BATCH):
        chunk = persons[start:start + BATCH]
        referred.update(Case.all_objects.filter(person_id__in=chunk).values_list("person_id", flat=True))
        for pair in Relationship.objects.filter(Q(person_id__in=chunk) | Q(other_id__in=chunk)).values_list(
                "person_id", "other_id"):
            referred.update(pair)
    seen = set()
    for obj in objs:
        if fresh and isinstance(obj, NameVariant) and obj.version == 1:
            continue
        if isinstance(obj, Person) and obj.pk not in referred:
            continue
        case_id = getattr(obj, "case_id", None)
        key = (type(obj), case_id, getattr(obj, "perpetrator_state_id", None)) if case_id else (type(obj), obj.pk)
        if key not in seen:
            seen.add(key)
            facts_changed(obj)


class CannotUndo(Exception):
    pass


def undo(run, user):
    """Soft-delete what ``run`` created and put back what it updated, as it stood before."""
    from django.apps import apps

    if run.status != "done":
        raise CannotUndo("Only a finished import can be undone.")
    updated = {label: pairs for label, pairs in run.updated_ids.items() if label.count(".") == 1}
    with transaction.atomic():
        added = run.updated_ids.get("people.person.citizenships", [])
        for start in range(0, len(added), BATCH):
            taken = Q()
            for person_pk, jurisdiction_pks in added[start:start + BATCH]:
                taken |= Q(person_id=person_pk, jurisdiction_id__in=jurisdiction_pks)
            Person.citizenships.through.objects.filter(taken).delete()
        for label, pairs in updated.items():
            _restore_all(apps.get_model(label), pairs, user)
        for label in reversed(list(run.created_ids)):
            _soft_delete_all(apps.get_model(label), run.created_ids[label], user)
        if len(run.created_ids.get(_label(NameVariant), [])) >= BATCH:
            transaction.on_commit(matching.tidy_search_index)
        run.status = "undone"
        run.undone_at = timezone.now()
        run.undone_by = user
        run.save()
    return run


def _restore_all(model, pairs, user):
    """Put records back as they stood at the version the import found ([[pk, version], ...]), from
    their history; refused if one was edited after the import. Saved one by one (their history row
    by simple_history's signal): each differs in its own fields, and Django's bulk_update builds a
    CASE per field and row in Python, slower than the saves it replaces."""
    pk_name = model._meta.pk.attname
    fields = [f for f in model._meta.concrete_fields if f.editable and not f.primary_key]
    for start in range(0, len(pairs), BATCH):
        versions = dict(pairs[start:start + BATCH])
        objs = list(model.all_objects.select_for_update().filter(pk__in=list(versions)))
        for obj in objs:
            if obj.version != versions[obj.pk] + 1:
                raise CannotUndo(f"“{obj}” was edited after the import; undo it by hand first.")
        before = {}
        for record in model.history.filter(**{f"{pk_name}__in": list(versions)}).order_by("history_date"):
            before[(getattr(record, pk_name), record.version)] = record  # the latest record of each version
        for obj in objs:
            record = before[(obj.pk, versions[obj.pk])]
            for field in fields:
                setattr(obj, field.attname, getattr(record, field.attname))
            stamp(obj, user, creating=False)
            obj.version += 1
            obj._history_user = _history_user(user)
            obj.save()
        _facts_changed(objs, fresh=False)


def _soft_delete_all(model, pks, user):
    """core.editing.soft_delete for many rows, with their history rows: one UPDATE and one INSERT of
    history rows per 500 (every row gets the same stamps; the version goes up by one)."""
    for start in range(0, len(pks), BATCH):
        objs = list(model.all_objects.select_for_update().filter(pk__in=pks[start:start + BATCH],
                                                                  deleted_at__isnull=True))
        if not objs:
            continue
        now, who = timezone.now(), _history_user(user)
        model.all_objects.filter(pk__in=[obj.pk for obj in objs]).update(
            deleted_at=now, deleted_by=who, updated_at=now, updated_by=who, version=F("version") + 1)
        for obj in objs:
            obj.deleted_at, obj.deleted_by, obj.updated_at, obj.updated_by = now, who, now, who
            obj.version += 1
        model.history.bulk_history_create(objs, batch_size=BATCH, update=True, default_user=who, default_date=now)
        _facts_changed(objs, fresh=False)  # an imported person may have been given a case since
