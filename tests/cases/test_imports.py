import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from cases.imports.models import ImportMapping, ImportRun
from cases.models import Case, Event
from people.models import NameVariant, Person
from tests import factories


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows):
    return "\n".join(",".join(cell for cell in row) for row in rows).encode()


def snapshot():
    """What a researcher would see of persons and their names (live rows only)."""
    return (
        sorted(Person.objects.values_list("pk", "primary_name", "description", "birth_year")),
        sorted(NameVariant.objects.values_list("person_id", "name", "kind")),
        sorted(Person.citizenships.through.objects.filter(person__deleted_at__isnull=True)
               .values_list("person_id", "jurisdiction_id")),
        sorted(Case.objects.values_list("pk", "title")),
        sorted(Event.objects.values_list("pk", "title", "date", "date_precision")),
    )


def start(client, content, name, kind, **extra):
    response = client.post(reverse("imports:start"), {"kind": kind, "file": SimpleUploadedFile(name, content), **extra})
    assert response.status_code == 302, response.content.decode()
    return ImportRun.objects.latest("pk")


def test_a_file_with_nul_characters_is_refused_in_words(client, researcher):
    """A UTF-16 or binary file read as text holds NULs, which PostgreSQL cannot store (found by the
    form fuzz): the upload is refused with a message and no import run is created."""
    client.force_login(researcher)
    content = "Full name\nMukhtar Ablyazov\n".encode("utf-16")
    response = client.post(reverse("imports:start"), {"kind": "persons",
                                                      "file": SimpleUploadedFile("persons.csv", content)})
    assert response.status_code == 200 and "NUL characters" in response.content.decode()
    assert not ImportRun.objects.exists()


PERSONS = [
    ["Full name", "Other spellings", "Born", "Citizenship", "Notes"],
    ["Mukhtar Abliazov", "Мухтар Аблязов", "1963", "KZ", "former chairman of BTA Bank"],
    ["Аман Кетебаев", "Aman Ketebayev", "", "KZ; DE", ""],
    ["Tatiana Paraskevich", "Татьяна Параскевич", "19x5", "UA", ""],
    ["Aman Ketebaev", "", "", "", ""],
    ["Aleksandr Pavlov", "", "", "Atlantis", ""],
]


@pytest.fixture
def ablyazov(db):
    factories.state("KZ"), factories.state("DE"), factories.state("UA")
    return factories.person("Mukhtar Ablyazov", variants=["Mukhtar Ablyazov"[:0] or "Ablyazov"])


def test_spreadsheet_imports_exactly_as_previewed_and_undo_restores_everything(client, researcher, ablyazov):
    client.force_login(researcher)
    before = snapshot()
    run = start(client, xlsx(PERSONS), "persons.xlsx", "persons")
    columns = client.get(reverse("imports:columns", args=[run.pk])).content.decode()
    assert "Other spellings" in columns
    client.post(reverse("imports:columns", args=[run.pk]), {
        "col_name": "Full name", "col_variants": "Other spellings", "col_birth_year": "Born",
        "col_citizenship": "Citizenship", "col_description": "Notes", "save_as": "Field team persons",
    })
    page = client.get(reverse("imports:preview", args=[run.pk])).content.decode()
    run.refresh_from_db()
    assert [(e["row"], e["column"]) for e in run.errors] == [(4, "Born"), (6, "Citizenship")]
    assert "“19x5” is not a year." in page and "“Atlantis” is not a country Onward knows" in page
    assert [(i["row"], i["action"]) for i in run.preview] == [(2, "update"), (3, "create"), (5, "match")]
    assert "Existing person: Mukhtar Ablyazov (matched by spelling)" in page
    assert "Same person as row 3" in page
    assert "1 to create · 1 to update · 1 already recorded · 2 errors" in page

    refused = client.post(reverse("imports:preview", args=[run.pk]), {})
    assert "Fix the rows listed" in refused.content.decode()
    assert snapshot() == before

    client.post(reverse("imports:preview", args=[run.pk]), {"skip_bad_rows": "on"})
    run.refresh_from_db()
    assert (run.status, run.rows_created, run.rows_updated, run.rows_matched, run.rows_skipped) == ("done", 1, 1, 1, 2)
    ablyazov.refresh_from_db()
    assert set(ablyazov.names.values_list("name", flat=True)) == {
        "Mukhtar Ablyazov", "Ablyazov", "Mukhtar Abliazov", "Мухтар Аблязов"}
    assert ablyazov.names.get(name="Мухтар Аблязов").kind == "native"
    assert (ablyazov.birth_year, ablyazov.description) == (1963, "former chairman of BTA Bank")
    ketebaev = Person.objects.get(primary_name="Аман Кетебаев")
    assert set(ketebaev.names.values_list("name", flat=True)) == {"Аман Кетебаев", "Aman Ketebayev", "Aman Ketebaev"}
    assert sorted(ketebaev.citizenships.values_list("code", flat=True)) == ["DE", "KZ"]
    assert not Person.objects.filter(primary_name__in=["Tatiana Paraskevich", "Aleksandr Pavlov"]).exists()
    assert run.file_sha256 and run.created_by == researcher
    assert ImportMapping.objects.get(name="Field team persons").columns["birth_year"] == "Born"

    response = client.post(reverse("imports:run", args=[run.pk]))
    assert "The import was undone" in client.get(response.url).content.decode()
    assert snapshot() == before


def test_vague_dates_are_read_with_their_precision_and_a_bad_one_is_reported(client, researcher):
    the_case = factories.case("Ketebayev", key="ketebayev")
    client.force_login(researcher)
    run = start(client, csv_bytes([
        ["case", "date", "kind", "title", "place"],
        ["ketebayev", "2009", "emigration", "Left Kazakhstan", ""],
        ["Ketebayev", "Dec 2016", "arrest", "Arrested in Spain", "Madrid"],
        ["ketebayev", "c. 2011", "surveillance", "Followed in Kyiv", ""],
        ["ketebayev", "sometime", "attack", "Attacked", ""],
    ]), "events.csv", "events")
    client.post(reverse("imports:columns", args=[run.pk]),
                {"col_case": "case", "col_date": "date", "col_kind": "kind", "col_title": "title", "col_place": "place"})
    run.refresh_from_db()
    assert run.errors == [{"row": 5, "column": "date", "reason": "“sometime” is not a date we can read: "
                           + run.errors[0]["reason"].split("read: ", 1)[1]}]
    from cases.risk_models import EvaluationRequest

    EvaluationRequest.objects.all().delete()
    client.post(reverse("imports:preview", args=[run.pk]), {"skip_bad_rows": "on"})
    # Three events of one case: the risk engine is told once (its ledger row is created at generation 1
    # and bumped once), and the case waits for re-evaluation.
    request = EvaluationRequest.objects.get(case=the_case)
    assert (request.state, request.generation) == ("pending", 2)
    stored = {e.title: (e.date_display, e.date_precision) for e in the_case.events.all()}
    assert stored == {"Left Kazakhstan": ("2009", "year"), "Arrested in Spain": ("December 2016", "month"),
                      "Followed in Kyiv": ("c. 2011", "approx")}


def test_rows_for_a_restricted_case_the_importer_cannot_see_are_errors(client, researcher):
    factories.case("Secret", key="secret", restricted=True)
    client.force_login(researcher)
    run = start(client, csv_bytes([["case", "date", "kind", "title"], ["secret", "2010", "arrest", "x"]]),
                "e.csv", "events")
    client.post(reverse("imports:columns", args=[run.pk]),
                {"col_case": "case", "col_date": "date", "col_kind": "kind", "col_title": "title"})
    run.refresh_from_db()
    assert run.errors == [{"row": 2, "column": "case", "reason": "“secret” is not a case you can see."}]


def test_a_large_file_imports_in_the_background(client, researcher, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_TASK_THRESHOLD = 3
    factories.state("KZ")
    client.force_login(researcher)
    rows = [["name", "citizenship"]] + [[f"Person number {n}", "KZ"] for n in range(6)]
    run = start(client, csv_bytes(rows), "many.csv", "persons")
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("imports:columns", args=[run.pk]),
                               {"col_name": "name", "col_citizenship": "citizenship"})
    assert response.url == reverse("imports:run", args=[run.pk])  # the preview is prepared by the task
    run.refresh_from_db()
    assert run.status == "planning"
    waiting = client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert "Preparing the preview" in waiting and 'http-equiv="refresh"' in waiting
    assert client.post(reverse("imports:preview", args=[run.pk]), {}).url == reverse("imports:run", args=[run.pk])
    assert Person.objects.count() == 0  # nothing confirmed while the preview is prepared
    for callback in queued:
        callback()
    run.refresh_from_db()
    assert run.status == "previewed" and len(run.preview) == 6
    assert client.get(reverse("imports:run", args=[run.pk])).url == reverse("imports:preview", args=[run.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:preview", args=[run.pk]), {})
    run.refresh_from_db()
    assert (run.status, run.rows_created) == ("done", 6)
    page = client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert "6 created" in page


def test_a_saved_mapping_is_reused_for_the_next_file(client, researcher):
    ImportMapping.objects.create(name="Ours", kind="persons", columns={"name": "ФИО"})
    client.force_login(researcher)
    run = start(client, csv_bytes([["ФИО"], ["Иван Петров"]]), "p.csv", "persons",
                mapping=ImportMapping.objects.get().pk)
    assert run.columns == {"name": "ФИО"}


def test_viewers_cannot_import_and_others_runs_are_hidden(client, researcher, viewer, make_user):
    client.force_login(researcher)
    run = start(client, csv_bytes([["name"], ["Иван Петров"]]), "p.csv", "persons")
    client.force_login(viewer)
    assert client.get(reverse("imports:start")).status_code == 403
    client.force_login(make_user("researcher"))
    assert client.get(reverse("imports:run", args=[run.pk])).status_code == 404


def test_rows_break_the_same_rules_as_the_pages_and_say_so(client, researcher):
    factories.case("Ketebayev", key="ketebayev")
    client.force_login(researcher)
    run = start(client, csv_bytes([
        ["name", "born", "key"],
        ["Ivan Petrov", "1700", ""],  # the database's check: a plausible birth year
        ["Bolat Abilov", "1958", "abilov"],
        ["Болат Абилов", "", "abilov"],  # the same key again: the same person, not a second one
        ["x" * 201, "", ""],
    ]), "p.csv", "persons")
    client.post(reverse("imports:columns", args=[run.pk]), {"col_name": "name", "col_birth_year": "born",
                                                            "col_key": "key"})
    run.refresh_from_db()
    assert [(e["row"], e["column"], e["reason"]) for e in run.errors] == [
        (2, "", "The birth year must be between 1880 and 2100."),
        (5, "name", "Ensure this value has at most 200 characters (it has 201)."),
    ]
    assert [(i["row"], i["action"], i["label"]) for i in run.preview] == [
        (3, "create", "New person: Bolat Abilov"), (4, "match", "Same person as row 3: Bolat Abilov")]
    client.post(reverse("imports:preview", args=[run.pk]), {"skip_bad_rows": "on"})
    abilov = Person.objects.get(key="abilov")
    assert set(abilov.names.values_list("name", "kind")) == {("Bolat Abilov", "primary"), ("Болат Абилов", "native")}
    assert abilov.history.count() == 1 and abilov.names.get(name="Болат Абилов").history.get().history_user == researcher

    cases = start(client, csv_bytes([
        ["person", "title", "state", "key"],
        ["Bolat Abilov", "Abilov v. Kazakhstan", "KZ", "abilov-kz"],
        ["Bolat Abilov", "Abilov again", "KZ", "abilov-kz"],
    ]), "c.csv", "cases")
    client.post(reverse("imports:columns", args=[cases.pk]), {"col_person": "person", "col_title": "title",
                                                              "col_persecuting_state": "state", "col_key": "key"})
    cases.refresh_from_db()
    assert cases.errors == [{"row": 3, "column": "key", "reason": "Row 2 already creates a case with the key “abilov-kz”."}]


def test_python_validation_agrees_with_full_clean(db):
    """cases/imports/validation.py evaluates check constraints in Python (SQL's three-valued logic)
    instead of asking the database; it must refuse exactly what full_clean refuses."""
    import datetime

    from django.core.exceptions import ValidationError

    from cases.imports.validation import validate

    the_case = factories.case("Ketebayev")
    day = datetime.date(2011, 3, 25)
    candidates = [
        Event(case=the_case, kind="arrest", title="ok", date=day, date_precision="day"),
        Event(case=the_case, kind="arrest", title="no date", date=None, date_precision="day"),
        Event(case=the_case, kind="arrest", title="unknown", date=None, date_precision="unknown"),
        Event(case=the_case, kind="arrest", title="between", date=day, date_qualifier="between", date_end=None),
        Event(case=the_case, kind="arrest", title="backwards", date=day, date_qualifier="between",
              date_end=datetime.date(2010, 1, 1)),
        Event(case=the_case, kind="arrest", title="end alone", date=day, date_end=day),
        Event(case=the_case, kind="arrest", title="too old", date=datetime.date(1700, 1, 1)),
        Event(case=the_case, kind="nonsense", title="bad kind", date=day),
        Person(primary_name="", birth_year=1990),
        Person(primary_name="Old", birth_year=1850),
        Person(primary_name="Fine", birth_year=None),
    ]
    for obj in candidates:
        def messages(check):
            try:
                check()
            except ValidationError as error:
                return sorted(m for ms in error.message_dict.values() for m in ms)
            return []
        expected = messages(lambda: obj.full_clean(validate_unique=False))  # noqa: B023
        assert messages(lambda: validate(obj)) == expected, obj.title if hasattr(obj, "title") else obj  # noqa: B023
