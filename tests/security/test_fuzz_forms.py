"""Every form class of Onward, fuzzed at the form level with FUZZ_FORM_EXAMPLES (1,000) generated
submissions each: overlong text, control characters, mixed scripts, impossible dates, HTML and SQL
fragments, wrong types, unknown ids, hostile files, fields left out and parameters no form has.

Each submission goes through what the form's view does with it (tests/security/form_targets.py),
inside a savepoint that is rolled back afterwards. For every one: no exception but a validation
refusal, a refused submission changes no row of Onward's tables, every refusal carries a message,
and what an accepted one saved reads back and passes the model's validation (no half record).
The full middleware stack is fuzzed with fewer examples in test_fuzz.py."""

import datetime
import os
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests import factories
from tests.security import fuzzing
from tests.security.form_targets import ABSTRACT, TARGETS, project_form_classes
from tests.security.world import restricted_world

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_FORM_EXAMPLES", "1000"))
CASES_CSV = b"person,title,persecuting state,host state,status\nIvan Petrov,Petrov case,RU,CZ,watch\n"


def test_every_form_class_is_fuzzed():
    """A form class added anywhere in Onward's apps must get a driver in form_targets.TARGETS."""
    defined = project_form_classes()
    missing = defined - set(TARGETS) - ABSTRACT
    assert not missing, f"Form classes with no fuzz driver in tests/security/form_targets.py: {sorted(missing)}"
    assert not set(TARGETS) - defined, f"Drivers for form classes that no longer exist: {set(TARGETS) - defined}"
    assert len(TARGETS) >= 20


@pytest.fixture
def ctx(settings, tmp_path):
    from cases.editables import EDITABLES
    from cases.imports import service
    from cases.models import Charge
    from cases.source_access import documents_visible_to
    from people.models import Organisation
    from sources.models import Citation, Document

    settings.MEDIA_ROOT = tmp_path
    world = restricted_world()
    users = world.users
    case = world.case
    factories.decision(case)
    Organisation.objects.create(name="Committee of National Security")  # an affiliation needs one
    other = factories.person("Mukhtar Ablyazov", variants=["Мухтар Аблязов"])
    known_names = ["Mukhtar Ablyazov", "Мухтар Аблязов", "Ablyazov", other.primary_name, case.person.primary_name]
    cache = {}

    def strategies(key, build):
        from tests.security.form_targets import strategies_for

        if key not in cache:
            cache[key] = strategies_for(build())
            if "other_name" in cache[key]:  # a relationship names a recorded person, in any spelling
                cache[key]["other_name"] = (lambda rng: rng.choice(known_names), cache[key]["other_name"][1])
        return cache[key]

    mapping_run = service.start(users["researcher"], "cases", SimpleUploadedFile("cases.csv", CASES_CSV))
    previewed = service.start(users["researcher"], "cases", SimpleUploadedFile("more.csv", CASES_CSV + b"\n"))
    service.map_columns(previewed, users["researcher"], previewed.columns)
    charge_pk = world.arguments["obj_pk"]
    return SimpleNamespace(
        world=world, case=case, user=users["researcher"], lawyer=users["lawyer"], admin=users["admin"],
        request=SimpleNamespace(user=users["researcher"]), now=timezone.now(),
        existing=lambda kind: EDITABLES[kind].queryset(case).values_list("pk", flat=True).first(),
        citation_pk=Citation.objects.filter(object_id=charge_pk).first().pk,
        charge_fresh=lambda: Charge.objects.get(pk=charge_pk),
        source=Document.objects.get(pk=world.arguments["document"]).source,
        document=Document.objects.get(pk=world.arguments["document"]),
        # Built once: the query takes ~40 ms of Python to build, the same for every example.
        visible_documents=documents_visible_to(users["researcher"]),
        mapping_run_pk=mapping_run.pk, previewed_run_pk=previewed.pk, strategies=strategies,
    )


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_form_refuses_hostile_input_cleanly(target, ctx):
    driver = TARGETS[target]
    examples = 0

    before = fuzzing.fingerprint()  # every example is rolled back, so every example starts from this

    @fuzzing.hypothesis_settings(EXAMPLES)
    @given(st.data())
    def fuzz(data):
        nonlocal examples
        examples += 1
        with transaction.atomic():  # a savepoint, rolled back: every example starts from the same world
            result = driver(ctx, data.draw)
            after = fuzzing.fingerprint() if result is not None and result.outcome == "refused" else before
            transaction.set_rollback(True)
        if result is None:  # a NUL character: RejectNullCharactersMiddleware answers before any form
            fuzzing.count(target, "form", "refused")
            return
        if result.outcome == "refused":
            assert after == before, f"{target}: a refused submission changed rows"
            assert result.messages and all(str(m).strip() for m in result.messages), \
                f"{target}: refused without a message: {result.messages!r}"
        fuzzing.count(target, "form", result.outcome)

    fuzz()
    assert examples >= EXAMPLES, f"{target}: hypothesis ran only {examples} examples"


def test_dates_of_every_shape_are_kept_or_refused_with_a_message(ctx):
    """A sanity check of the drivers themselves: a plausible submission is accepted, an impossible
    date is refused with the date parser's message and writes nothing."""
    from django.http import QueryDict

    from cases import views
    from cases.editables import EDITABLES

    spec = EDITABLES["event"]
    good = QueryDict(mutable=True)
    good.update({"kind": "arrest", "title": "Detained at the border", "date_input": "c. 2009", "claim_status": "asserted"})
    form = views._form_for(spec, ctx.case, good, spec.new(ctx.case), ctx.request)
    assert form.is_valid(), form.errors
    saved = views._save(form, spec, ctx.user)
    assert saved.date == datetime.date(2009, 1, 1) and saved.date_text == "c. 2009"
    bad = good.copy()
    bad["date_input"] = "31 February 2011"
    before = fuzzing.fingerprint()
    form = views._form_for(spec, ctx.case, bad, spec.new(ctx.case), ctx.request)
    assert not form.is_valid() and form.errors["date_input"]
    assert fuzzing.fingerprint() == before


def test_an_upload_named_only_by_control_characters_is_stored_as_file(ctx):
    """Regression (found by the fuzz on PostgreSQL): a file named "\x1b" left an empty name and the
    upload failed with a server error instead of storing it."""
    from sources import documents
    from tests.security.form_targets import PDF

    upload = SimpleUploadedFile("\x1b", PDF + b"% control-named\n")
    document = documents.store(ctx.source, upload, ctx.user, visible_documents=ctx.visible_documents)
    assert document.original_name == "file"


def test_an_id_beyond_the_database_s_range_is_an_invalid_choice_not_a_server_error(ctx):
    """Regression (found by the fuzz on SQLite): a request's charges ["99999999999999999999999"] made
    Django's ``pk__in`` check overflow."""
    from django.http import QueryDict

    from cases import views
    from cases.editables import EDITABLES

    spec = EDITABLES["request"]
    data = QueryDict(mutable=True)
    data.setlist("charges", ["99999999999999999999999"])
    form = views._form_for(spec, ctx.case, data, spec.new(ctx.case), ctx.request)
    assert not form.is_valid()
    assert "99999999999999999999999" in str(form.errors["charges"])


def test_a_spelling_of_only_invisible_characters_is_refused_with_a_message(ctx):
    """Regression (found by the fuzz): the name passed validation, save() cleaned it to "" and the
    database's CHECK constraint answered with a server error."""
    from django.http import QueryDict

    from cases import views
    from cases.editables import EDITABLES

    spec = EDITABLES["name"]
    data = QueryDict(mutable=True)
    data.update({"name": "\u200b\ufeff", "kind": "alias"})
    before = fuzzing.fingerprint()
    form = views._form_for(spec, ctx.case, data, spec.new(ctx.case), ctx.request)
    assert not form.is_valid()
    assert "A name cannot be empty." in str(form.errors)
    assert fuzzing.fingerprint() == before
