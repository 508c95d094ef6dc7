"""From spreadsheet rows to a plan (what would be created, updated or matched, and what is wrong
with which cell), and from a confirmed plan to saved facts — all or nothing — and back (undo).

The preview and the import run the same ``plan`` function over the same file, so the import
does exactly what the preview said (unless someone changed the database in between, in which case
the new plan is what is shown and saved).
"""

import dataclasses

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.dates import Precision, parse_date
from core.editing import save_fact, soft_delete
from jurisdictions.models import Jurisdiction
from people.models import NameVariant, Person
from people.names import clean, script_of, search_key
from people.search import close_to

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
    variants: list = dataclasses.field(default_factory=list)  # [(name, kind)] to add to a person
    citizenships: list = dataclasses.field(default_factory=list)
    same_as_row: int | None = None  # a person matched to an earlier row of the same file

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
    written. ``columns`` maps field names to headings."""
    planner = _Planner(kind, columns, user)
    items, errors = [], []
    for number, values in rows:
        cells = {field.name: values.get(columns.get(field.name) or "", "").strip() for field in FIELDS[kind]}
        try:
            for field in FIELDS[kind]:
                if field.required and not cells[field.name]:
                    raise RowError(field.name, f"{field.label} is required.")
            item = planner.item(number, cells)
            if item.obj is not None and item.action != "match":
                _validate(item.obj)
        except RowError as error:
            errors.append({"row": number, "column": columns.get(error.field, ""), "reason": error.reason})
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                column = columns.get(field, "") if field != NON_FIELD_ERRORS else ""
                for message in messages:
                    errors.append({"row": number, "column": column, "reason": message})
        else:
            items.append(item)
    return Plan(items, errors)


def _validate(obj):
    obj.full_clean(exclude=["person"] if isinstance(obj, NameVariant) else None, validate_unique=False)


class _Planner:
    def __init__(self, kind, columns, user):
        self.kind, self.columns, self.user = kind, columns, user
        self.visible_cases = Case.objects.visible_to(user)
        self.states = {}
        self.file_people = {}  # search key → item of the row that creates that person

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
        found = list(self.visible_cases.filter(Q(key=text) | Q(title__iexact=text))[:2])
        if len(found) != 1:
            reason = "matches several cases: use the case's key" if found else "is not a case you can see"
            raise RowError("case", f"“{text}” {reason}.")
        return found[0]

    def persons_matching(self, names):
        """Ids of visible persons with a spelling close to any of ``names`` (the UI's duplicate check)."""
        hidden = Case.objects.exclude(pk__in=self.visible_cases.values("pk")).values("person_id")
        ids = []
        for name in names:
            ids.extend(pk for pk in close_to(name) if pk not in ids)
        if not ids:
            return []
        visible = Person.objects.filter(pk__in=ids).filter(
            Q(cases__in=self.visible_cases) | ~Q(pk__in=hidden)).distinct()
        return list(visible)

    # --- one row → one item ----------------------------------------------------------------
    def item(self, number, cells):
        return getattr(self, f"_{self.kind}")(number, cells)

    def _persons(self, number, cells):
        name = clean(cells["name"])
        spellings = [name] + [clean(v) for v in cells["variants"].replace("|", ";").split(";") if clean(v)]
        birth_year = None
        if cells["birth_year"]:
            if not cells["birth_year"].isdigit():
                raise RowError("birth_year", f"“{cells['birth_year']}” is not a year.")
            birth_year = int(cells["birth_year"])
        citizenships = [self.state("citizenship", code) for code in cells["citizenship"].split(";") if code.strip()]
        keys = {search_key(s) for s in spellings if search_key(s)}
        earlier = next((self.file_people[key] for key in keys if key in self.file_people), None)
        if earlier is not None:
            new = [s for s in spellings if s not in [v for v, _ in earlier.variants] and s != earlier.obj.primary_name]
            earlier.variants.extend((s, _variant_kind(s)) for s in new)
            for key in keys:
                self.file_people.setdefault(key, earlier)
            return Item(number, "match", f"Same person as row {earlier.row}: {earlier.obj.primary_name}",
                        f"adds {len(new)} spelling(s)" if new else "nothing new", same_as_row=earlier.row)

        existing = None
        if cells["key"]:
            existing = Person.objects.filter(key=cells["key"]).first()
        if existing is None:
            matches = self.persons_matching(spellings)
            if len(matches) > 1:
                names = ", ".join(f"“{p.primary_name}”" for p in matches[:5])
                raise RowError("name", f"matches several persons already recorded ({names}): add a key column "
                                       "to say which, or fix the spelling.")
            existing = matches[0] if matches else None
        if existing is None:
            person = Person(primary_name=name, description=cells["description"][:500], birth_year=birth_year,
                            key=cells["key"] or None)
            item = Item(number, "create", f"New person: {name}",
                        f"{len(spellings) - 1} other spelling(s)" if len(spellings) > 1 else "", obj=person,
                        variants=[(s, "primary" if i == 0 else _variant_kind(s)) for i, s in enumerate(spellings)],
                        citizenships=citizenships)
            for key in keys:
                self.file_people[key] = item
            return item

        known = set(existing.names.values_list("name", flat=True))
        new = [s for s in spellings if s not in known]
        changes = []
        if cells["description"] and cells["description"] != existing.description:
            existing.description = cells["description"][:500]
            changes.append("description")
        if birth_year and birth_year != existing.birth_year:
            existing.birth_year = birth_year
            changes.append("birth year")
        new_citizenships = [c for c in citizenships if not existing.citizenships.filter(pk=c.pk).exists()]
        if new_citizenships:
            changes.append("citizenship")
        if new:
            changes.append(f"{len(new)} spelling(s): {', '.join(new)}")
        matched_by = "key" if cells["key"] and existing.key == cells["key"] else "spelling"
        item = Item(number, "update" if changes else "match",
                    f"Existing person: {existing.primary_name} (matched by {matched_by})",
                    ("adds or changes " + "; ".join(changes)) if changes else "already recorded, nothing new",
                    obj=existing, version_before=existing.version,
                    variants=[(s, _variant_kind(s)) for s in new], citizenships=new_citizenships)
        for key in keys:
            self.file_people[key] = item
        return item

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
        existing = self.visible_cases.filter(key=cells["key"]).first() if cells["key"] else None
        if existing is not None:
            before = existing.version
            changed = [name for name, value in values.items() if getattr(existing, name) != value]
            for name in changed:
                setattr(existing, name, values[name])
            return Item(number, "update" if changed else "match", f"Existing case: {existing.title}",
                        ("changes " + ", ".join(changed)) if changed else "nothing new", obj=existing,
                        version_before=before)
        if cells["key"] and Case.all_objects.filter(key=cells["key"]).exists():
            raise RowError("key", f"The key “{cells['key']}” belongs to a case you cannot see or that was deleted.")
        return Item(number, "create", f"New case: {values['title']}", f"person {matches[0].primary_name}",
                    obj=Case(key=cells["key"] or None, **values))

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


def apply(run, the_plan, user, *, progress=None):
    """Save ``the_plan`` in one transaction and record on ``run`` what it did. Rows with errors
    stop everything unless ``run.skip_bad_rows``; then they are counted as skipped."""
    if the_plan.errors and not run.skip_bad_rows:
        raise ValueError("The file has rows with errors: fix them, or choose to skip them.")
    created, updated = {}, {}
    counts = {"create": 0, "update": 0, "match": 0}
    people_by_row = {}
    added = []  # [[person pk, [jurisdiction pk, ...]]] citizenships added to existing persons

    def remember_created(obj):
        created.setdefault(_label(type(obj)), []).append(obj.pk)

    with transaction.atomic():
        for done, item in enumerate(the_plan.items, start=1):
            counts[item.action] += 1
            obj = item.obj
            if item.same_as_row is not None:
                obj = people_by_row[item.same_as_row]
            elif item.action == "create":
                save_fact(obj, user)
                remember_created(obj)
            elif item.action == "update":
                updated.setdefault(_label(type(obj)), []).append([obj.pk, item.version_before])
                save_fact(obj, user)
            if isinstance(obj, Person):
                people_by_row[item.row] = obj
                known = set(obj.names.values_list("name", flat=True))
                for name, kind in item.variants:
                    if name not in known:
                        variant = save_fact(NameVariant(person=obj, name=name, kind=kind), user)
                        remember_created(variant)
                        known.add(name)
                if item.citizenships:
                    obj.citizenships.add(*item.citizenships)
                    if item.action != "create":  # m2m has no history: remember what to take back
                        added.append([obj.pk, [c.pk for c in item.citizenships]])
            if progress is not None and done % 100 == 0:
                progress(done)
        run.rows_created, run.rows_updated, run.rows_matched = counts["create"], counts["update"], counts["match"]
        run.rows_skipped = len(the_plan.bad_rows)
        if added:
            updated["people.person.citizenships"] = added
        run.created_ids, run.updated_ids = created, updated
        run.status = "done"
        run.finished_at = timezone.now()
        run.progress = len(the_plan.items)
        run.save()
    return run


class CannotUndo(Exception):
    pass


def undo(run, user):
    """Soft-delete what ``run`` created and put back what it updated, as it stood before."""
    from django.apps import apps

    if run.status != "done":
        raise CannotUndo("Only a finished import can be undone.")
    updated = {label: pairs for label, pairs in run.updated_ids.items() if label.count(".") == 1}
    with transaction.atomic():
        for person_pk, jurisdiction_pks in run.updated_ids.get("people.person.citizenships", []):
            Person.all_objects.get(pk=person_pk).citizenships.remove(*jurisdiction_pks)
        for label, pairs in updated.items():
            model = apps.get_model(label)
            for pk, version in pairs:
                current = model.all_objects.get(pk=pk)
                if current.version != version + 1:
                    raise CannotUndo(f"“{current}” was edited after the import; undo it by hand first.")
        for label, pairs in updated.items():
            model = apps.get_model(label)
            for pk, version in pairs:
                current = model.all_objects.get(pk=pk)
                before = current.history.filter(version=version).order_by("-history_date").first()
                for field in model._meta.concrete_fields:
                    if field.editable and not field.primary_key:
                        setattr(current, field.attname, getattr(before, field.attname))
                save_fact(current, user)
        for label in reversed(list(run.created_ids)):
            model = apps.get_model(label)
            for obj in model.all_objects.filter(pk__in=run.created_ids[label], deleted_at__isnull=True):
                soft_delete(obj, user)
        run.status = "undone"
        run.undone_at = timezone.now()
        run.undone_by = user
        run.save()
    return run
