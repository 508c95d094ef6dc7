"""Every form class Onward defines, and how its page validates and saves it.

``TARGETS`` maps each Django Form, ModelForm and django-filter FilterSet class to a driver that does
what the view does with a submission — the same form construction, ``is_valid()``, and the same save
path (cases/views._form_for and _save → core/editing.save_fact, selectors.create_case,
sources/documents.store, the import service, the export service) — and reports whether the input was
accepted or refused and with which messages. test_fuzz_forms.py fails when a form class exists that is
neither here nor in ABSTRACT, so a new form cannot be left out of the fuzz."""

import datetime
import importlib
import inspect
import pkgutil
import random
from dataclasses import dataclass, field

import django_filters
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from hypothesis import strategies as st

from tests.security.fuzzing import NASTY, ROOT, texts

# Base classes no page instantiates on its own (each is fuzzed through its subclasses).
ABSTRACT = {"core.forms.VersionedForm", "core.forms.DatedForm", "cases.forms.CitingForm"}


def project_form_classes():
    """Every Form/ModelForm/FilterSet subclass defined in Onward's own apps (all their modules
    imported, so a form defined anywhere in an app is found)."""
    found = set()
    for config in apps.get_app_configs():
        if not config.path.startswith(str(ROOT)) or "site-packages" in config.path:
            continue
        for module in _modules(config.module):
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == module.__name__ and issubclass(cls, forms.BaseForm | django_filters.FilterSet):
                    found.add(f"{cls.__module__}.{cls.__qualname__}")
    return found


def _modules(package):
    yield package
    if not hasattr(package, "__path__"):
        return
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if ".migrations" in info.name or ".management" in info.name:
            continue
        yield importlib.import_module(info.name)


# --- values for a field ----------------------------------------------------------------------------

@dataclass
class Result:
    outcome: str  # "accepted" or "refused"
    messages: list = field(default_factory=list)
    saved: object = None


def refused(form):
    return Result("refused", [str(m) for errors in form.errors.values() for m in errors])


DATE_PHRASES = ["2009", "Dec 2016", "25 March 2011", "c. 2009", "since 2009", "between 2008 and 2009",
                "25.03.2011", "2011-03-25", "early 2010", "31 February 2011", "2011-02-29", "between 2012 and 2010"]
URLS = ["https://example.org/report", "example.org/a?b=c", "http://курс.рф/путь", "javascript:alert(1)",
        "https://" + "a" * 990 + ".org", "ftp://x", "https://[::1]:99999/"]
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _csv(rows):
    return "\n".join(",".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in rows).encode()


FILE_CONTENTS = st.one_of(
    st.binary(max_size=3000),
    st.sampled_from([PDF, b"", b"%PDF-1.7\n%broken", b"PK\x03\x04" + b"\x00" * 40, b"\xff\xd8\xff\xe0garbage",
                     b"GIF89a", b"<html><script>alert(1)</script>", b"\xef\xbb\xbftitle,person\nA,B\n"]),
    st.lists(st.lists(st.text(max_size=30) | st.sampled_from(NASTY[:30]), min_size=1, max_size=6),
             min_size=1, max_size=6).map(_csv),
    st.builds(lambda rows, enc: _csv(rows).decode().encode(enc, "replace"),
              st.lists(st.lists(st.text(max_size=20), min_size=2, max_size=4), min_size=2, max_size=4),
              st.sampled_from(["utf-16", "cp1251", "latin-1"])),
)
FILE_NAMES = st.one_of(st.sampled_from(["ruling.pdf", "cases.csv", "cases.xlsx", "x.exe", "../../etc/passwd",
                                        ".htaccess", "a" * 300 + ".pdf", "имя.csv", "<script>.csv", "noext"]),
                       st.text(st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00/"),
                               min_size=1, max_size=80))
files = st.builds(lambda name, content: SimpleUploadedFile(name, content), FILE_NAMES, FILE_CONTENTS)


def _choice_keys(field_):
    keys = []
    for key, label in field_.choices:
        if isinstance(label, list | tuple):
            keys.extend(str(k) for k, _ in label)
        else:
            keys.append(str(getattr(key, "value", key)))
    return keys


def _model_keys(field_):
    return [str(pk) for pk in field_.queryset.values_list("pk", flat=True)[:50]]


# Plausible values come from a seeded random.Random (one hypothesis draw per submission); hostile
# ones are drawn by hypothesis value by value. Hypothesis spends ~80 µs on every draw, so drawing the
# twenty plausible fields of a charge one by one would cost more than saving it.
LETTERS = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:-'\"()/&<>%#"
           "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗ ӘҒҚҢӨҰҮҺІ ąęłńśżźčřšžüöäßéèç "
           "穆赫塔尔阿布利亚佐夫 مختار ابليازوف ΑΒΓΔΕαβγδε \u200b\u202e\u0301\t\n🙂")


def _plausible_text(limit):
    readable = [text[:limit] for text in NASTY if text.strip()]

    def pick(rng):
        roll = rng.random()
        if roll < 0.25:
            return rng.choice(readable)
        if roll < 0.3:
            return "".join(rng.choice(LETTERS) for _ in range(limit))  # exactly at the limit
        return "".join(rng.choice(LETTERS) for _ in range(rng.randint(1, min(limit, 80))))
    return pick


def _seeded_file(rng):
    name = rng.choice(["ruling.pdf", "cases.csv", "scan.pdf", "list.csv", "Решение суда.pdf", "notes.txt"])
    rows = [["person", "title", "persecuting state"]] + [
        [rng.choice(NASTY[:20]), "".join(rng.choice(LETTERS) for _ in range(rng.randint(1, 30))), rng.choice(["RU", "KZ", "??"])]
        for _ in range(rng.randint(0, 4))]
    content = rng.choice([PDF, PDF.replace(b"%%EOF", b"% " + str(rng.random()).encode() + b"\n%%EOF"), _csv(rows)])
    return SimpleUploadedFile(name, content)


def valid_and_hostile(name, field_):
    """(rng → a value a person could well type or pick, hypothesis strategy of hostile values). Values
    are a str or a list (several values under one name)."""
    hostile = texts
    if isinstance(field_, forms.FileField):
        return _seeded_file, st.one_of(files, hostile)
    if isinstance(field_, forms.ModelMultipleChoiceField):
        keys = _model_keys(field_)
        return (lambda rng: rng.sample(keys, rng.randint(0, min(3, len(keys))))), \
            st.lists(hostile | st.sampled_from(["999999", "-1", "0"]), max_size=3)
    if isinstance(field_, forms.ModelChoiceField):
        keys = _model_keys(field_)
        return (lambda rng: "" if not keys or (not field_.required and rng.random() < 0.5) else rng.choice(keys)), \
            hostile | st.sampled_from(["999999", "9223372036854775808", "-1", "0", "1.5"])
    if isinstance(field_, forms.MultipleChoiceField):
        keys = _choice_keys(field_)
        return (lambda rng: rng.sample(keys, rng.randint(0, min(3, len(keys))))), st.lists(hostile, max_size=3)
    if isinstance(field_, forms.ChoiceField):
        keys = [k for k in _choice_keys(field_) if k or not field_.required] or [""]
        return (lambda rng: rng.choice(keys)), hostile
    if isinstance(field_, forms.BooleanField | forms.NullBooleanField):
        return (lambda rng: rng.choice(["on", "", "true", "false"])), hostile
    if isinstance(field_, forms.IntegerField | forms.DecimalField | forms.FloatField):
        low, high = (1870, 2110) if name.endswith("year") else _limits(field_)  # a year, a bit either side
        return (lambda rng: str(rng.randint(low, high))), \
            hostile | st.integers(-(2**80), 2**80).map(str) | st.sampled_from(["1e309", "NaN", "inf", "1,5"])
    if isinstance(field_, forms.DateField):
        return (lambda rng: datetime.date.fromordinal(rng.randint(1, 3_652_059)).isoformat()), hostile
    if isinstance(field_, forms.URLField):
        return (lambda rng: rng.choice(URLS[:3] + [""])), hostile | st.sampled_from(URLS)
    if name in ("date_input", "start", "end"):  # dates typed as the sources write them
        return (lambda rng: rng.choice(DATE_PHRASES + [""])), hostile | st.sampled_from(DATE_PHRASES)
    if isinstance(field_, forms.CharField):
        pick = _plausible_text(min(field_.max_length or 300, 300))
        if field_.required:
            return pick, hostile
        return (lambda rng: "" if rng.random() < 0.5 else pick(rng)), hostile
    return _plausible_text(100), hostile


def _limits(field_):
    """The range a number field takes, from its own bounds or its model field's validators."""
    from django.core.validators import MaxValueValidator, MinValueValidator

    low = int(field_.min_value) if field_.min_value is not None else -10_000
    high = int(field_.max_value) if field_.max_value is not None else 1_000_000
    model_field = getattr(field_, "model_field", None)
    for validator in field_.validators + list(getattr(model_field, "validators", [])):
        if isinstance(validator, MinValueValidator):
            low = max(low, int(validator.limit_value))
        elif isinstance(validator, MaxValueValidator):
            high = min(high, int(validator.limit_value))
    return low, high


def data_names(name, field_):
    """The names a widget reads: a date range filter reads ``<name>_after`` and ``<name>_before``."""
    suffixes = getattr(field_.widget, "suffixes", None)
    if suffixes:
        return [f"{name}_{suffix}" if suffix else name for suffix in suffixes]
    if isinstance(field_.widget, forms.MultiWidget):
        return [f"{name}{suffix}" for suffix in field_.widget.widgets_names]
    return [name]


def strategies_for(form):
    """{data name: (valid strategy, hostile strategy)} for the form's fields."""
    found = {}
    for name, field_ in form.fields.items():
        if isinstance(field_, forms.MultiValueField):
            for data_name, sub in zip(data_names(name, field_), field_.fields, strict=False):
                found[data_name] = valid_and_hostile(data_name, sub)
        else:
            found[name] = valid_and_hostile(name, field_)
    return found


def draw_submission(draw, strategies, overrides=None):
    """A submission: all fields plausible, a few hostile, or all hostile; in the hostile modes some
    fields are left out and parameters no form has are added. Returns (QueryDict, MultiValueDict of files)."""
    names = sorted(strategies)
    mode = draw(st.sampled_from(["plausible", "plausible", "some hostile", "some hostile", "hostile"]))
    rng = random.Random(draw(st.integers(0, 2**64)))  # noqa: S311 - test data, not a secret
    bad = set()
    if mode == "some hostile" and names:
        bad = set(rng.sample(names, rng.randint(1, min(3, len(names)))))
    elif mode == "hostile":
        bad = set(names)
    data, uploads = QueryDict(mutable=True), MultiValueDict()
    for name in names:
        valid, hostile = strategies[name]
        if overrides and name in overrides:
            value = overrides[name](rng) if name not in bad else draw(hostile)
        elif bad and rng.random() < 0.1:
            continue  # left out, as a hand-made request would
        else:
            value = draw(hostile) if name in bad else valid(rng)
            if name in bad and isinstance(value, str) and rng.random() < 0.02:
                value += "\x00"  # now and then a NUL, which RejectNullCharactersMiddleware refuses at the door
        if isinstance(value, SimpleUploadedFile):
            uploads.setlist(name, [value])
        elif value is not None:
            data.setlist(name, value if isinstance(value, list) else [value])
    if bad:
        extra = draw(st.dictionaries(st.text(st.characters(codec="ascii", min_codepoint=0x21), min_size=1, max_size=12),
                                     texts, max_size=2))
        for name, value in extra.items():
            data.setdefault(name, value)
    return data, uploads


def has_nul(data):
    return any("\x00" in value for _, values in data.lists() for value in values)


# --- drivers: what each view does with a submission ----------------------------------------------

def _stored_intact(obj):
    """What was saved reads back and passes the model's own validation: no half record."""
    fresh = type(obj)._base_manager.get(pk=obj.pk)
    # JSON bookkeeping fields (an import run's preview) may rightly hold an empty list or mapping.
    bookkeeping = [f.name for f in fresh._meta.concrete_fields if isinstance(f, models.JSONField)]
    fresh.full_clean(exclude=bookkeeping, validate_unique=False, validate_constraints=False)
    return fresh


def editable(kind):
    def run(ctx, draw):
        from cases import views
        from cases.editables import CITATION, EDITABLES
        from core.editing import EditConflict

        spec = CITATION if kind == "citation" else EDITABLES[kind]
        existing = ctx.citation_pk if kind == "citation" else ctx.existing(kind)
        adding = spec.can_add and (existing is None or draw(st.booleans()))
        if kind == "citation":
            obj = spec.model(fact=ctx.charge_fresh()) if adding else spec.model.objects.get(pk=ctx.citation_pk)
        elif adding:
            obj = spec.new(ctx.case)
        else:
            obj = spec.get(ctx.case, existing)
        strategies = ctx.strategies(f"{kind}:{adding}", lambda: views._form_for(spec, ctx.case, None, obj, ctx.request))
        current = str(obj.version or "")
        version = {"version": lambda rng: current if rng.random() < 0.8 else str(rng.randint(-5, 99))}
        data, uploads = draw_submission(draw, strategies, version if "version" in strategies else None)
        if has_nul(data):
            return None
        form = views._form_for(spec, ctx.case, data, obj, ctx.request)
        if not form.is_valid():
            return refused(form)
        try:
            saved = views._save(form, spec, ctx.user)
        except EditConflict as conflict:
            return Result("refused", [str(conflict)])
        except ValidationError as error:
            views._add_model_errors(form, error)
            return refused(form)
        return Result("accepted", saved=_stored_intact(saved))
    return run


def new_case(ctx, draw):
    from cases import selectors, views
    from cases.forms import NewCaseForm

    def build(data):
        return NewCaseForm(data, find_similar=lambda name: selectors.similar_people(ctx.user, name))

    data, _ = draw_submission(draw, ctx.strategies("new_case", lambda: build(None)))
    if has_nul(data):
        return None
    form = build(data)
    if not form.is_valid():
        return refused(form)
    try:
        case = selectors.create_case(form, ctx.user)
    except ValidationError as error:
        views._add_model_errors(form, error)
        return refused(form)
    return Result("accepted", saved=_stored_intact(case))


def export(ctx, draw):
    from cases.exports import service
    from cases.exports.forms import ExportForm

    data, _ = draw_submission(draw, ctx.strategies("export", lambda: ExportForm()))
    if has_nul(data):
        return None
    form = ExportForm(data)
    if not form.is_valid():
        return refused(form)
    options = form.options()
    try:
        service.check_may_export(ctx.lawyer, ctx.case, options)
    except service.ConfidentialRefused as refusal:
        form.add_error("confidential", str(refusal))
        return refused(form)
    entries = service.entries_for(ctx.case, options)
    fmt = form.cleaned_data["format"]
    if fmt != "pdf":  # the PDF's layout is fuzzed over HTTP; here the chronology and the tabular files
        service.render(ctx.case, fmt, options, entries, user=ctx.lawyer, when=ctx.now)
    return Result("accepted")


def document_upload(ctx, draw):
    from sources import documents
    from sources.forms import DocumentUploadForm

    data, uploads = draw_submission(draw, ctx.strategies("upload", lambda: DocumentUploadForm()))
    if has_nul(data):
        return None
    form = DocumentUploadForm(data, uploads)
    if not form.is_valid():
        return refused(form)
    try:
        document = documents.store(ctx.source, form.cleaned_data["file"], ctx.user, title=form.cleaned_data["title"],
                                   accept_duplicate=form.cleaned_data["accept_duplicate"],
                                   visible_documents=ctx.visible_documents)
    except (documents.DocumentRefused, documents.DuplicateDocument) as refusal:
        form.add_error("file", str(refusal))
        return refused(form)
    return Result("accepted", saved=_stored_intact(document))


def document_search(ctx, draw):
    from sources import documents
    from sources.forms import DocumentSearchForm

    data, _ = draw_submission(draw, ctx.strategies("search", lambda: DocumentSearchForm()))
    if has_nul(data):
        return None
    form = DocumentSearchForm(data or None)
    if form.is_bound and not form.is_valid():
        return refused(form)
    if form.is_bound and form.cleaned_data["q"]:
        documents.search_pages(ctx.visible_documents, form.cleaned_data["q"])
    return Result("accepted")


def choose_case(ctx, draw):
    from cases.models import Case
    from sources.forms import ChooseCaseForm

    def build(data):
        return ChooseCaseForm(data, cases=Case.objects.visible_to(ctx.user).order_by("title"))

    data, _ = draw_submission(draw, ctx.strategies("choose", lambda: build(None)))
    if has_nul(data):
        return None
    form = build(data or None)
    if form.is_bound and form.is_valid():
        return Result("accepted")
    return refused(form) if form.is_bound else Result("accepted")


def cite_document(ctx, draw):
    from cases.document_citations import cite_document as cite
    from cases.document_citations import fact_for, facts_of
    from sources.forms import CiteDocumentForm

    document = ctx.document

    def build(data):
        return CiteDocumentForm(data, facts=facts_of(ctx.case), page_count=document.page_count)

    data, _ = draw_submission(draw, ctx.strategies("cite", lambda: build(None)))
    if has_nul(data):
        return None
    form = build(data)
    if not form.is_valid():
        return refused(form)
    fact = fact_for(form.cleaned_data["fact"], ctx.user)
    if fact is None or fact.case_id != ctx.case.pk:
        return Result("refused", ["Not found"])  # the view answers 404
    try:
        citation = cite(document, fact, ctx.user, page=form.cleaned_data["page"], quote=form.cleaned_data["quote"],
                        position=form.cleaned_data["position"])
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return refused(form)
    return Result("accepted", saved=_stored_intact(citation))


def import_upload(ctx, draw):
    from cases.imports import service
    from cases.imports.forms import UploadForm
    from cases.imports.reading import UnreadableFile

    data, uploads = draw_submission(draw, ctx.strategies("import", lambda: UploadForm()))
    if has_nul(data):
        return None
    form = UploadForm(data, uploads)
    if not form.is_valid():
        return refused(form)
    try:
        run = service.start(ctx.user, form.cleaned_data["kind"], form.cleaned_data["file"], form.cleaned_data["mapping"])
    except UnreadableFile as error:
        form.add_error("file", str(error))
        return refused(form)
    return Result("accepted", saved=_stored_intact(run))


def import_mapping(ctx, draw):
    from cases.imports import service
    from cases.imports.forms import MappingForm
    from cases.imports.models import ImportRun

    run = ImportRun.objects.get(pk=ctx.mapping_run_pk)
    data, _ = draw_submission(draw, ctx.strategies("mapping", lambda: MappingForm(run=run)))
    if has_nul(data):
        return None
    form = MappingForm(data, run=run)
    if not form.is_valid():
        return refused(form)
    service.map_columns(run, ctx.user, form.columns(), save_as=form.cleaned_data["save_as"])
    return Result("accepted", saved=_stored_intact(run))


def import_confirm(ctx, draw):
    from cases.imports import service
    from cases.imports.forms import ConfirmForm
    from cases.imports.models import ImportRun

    run = ImportRun.objects.get(pk=ctx.previewed_run_pk)
    data, _ = draw_submission(draw, ctx.strategies("confirm", lambda: ConfirmForm()))
    if has_nul(data):
        return None
    form = ConfirmForm(data)
    if not form.is_valid():
        return refused(form)
    try:
        service.confirm(run, ctx.user, skip_bad_rows=form.cleaned_data["skip_bad_rows"])
    except ValueError as error:
        form.add_error(None, str(error))
        return refused(form)
    return Result("accepted", saved=_stored_intact(run))


def filterset(build_class, queryset, user_attr="user"):
    """A list page's filters: the view evaluates the filtered page whatever was typed."""
    def run(ctx, draw):
        filter_class = build_class()
        user = getattr(ctx, user_attr)
        data, _ = draw_submission(draw, ctx.strategies(filter_class.__name__,
                                                       lambda: filter_class(None, queryset=queryset(user)).form))
        if has_nul(data):
            return None
        filters = filter_class(data, queryset=queryset(user))
        valid = filters.is_valid()
        list(filters.qs[:50])
        return Result("accepted") if valid else refused(filters.form)
    return run


def _case_filter():
    from cases.filters import CaseFilter
    return CaseFilter


def _flag_filter():
    from cases.risk_review import FlagFilter
    return FlagFilter


def _access_filter():
    from audit.filters import AccessEventFilter
    return AccessEventFilter


def _cases(user):
    from cases.models import Case
    return Case.objects.visible_to(user).select_related("person", "person__residence", "persecuting_state",
                                                        "host_state")


def _flags(user):
    from cases import risk_review
    return risk_review.flags_for(user).order_by("-opened_at")


def _access_events(user):
    from audit.models import AccessEvent
    return AccessEvent.objects.select_related("user")


def _editables():
    """Every form of the case page's records (cases/editables.EDITABLES, and citations): a kind added
    there is fuzzed with no change here."""
    from cases.editables import CITATION, EDITABLES

    return {f"{spec.form.__module__}.{spec.form.__qualname__}": editable(kind)
            for kind, spec in [*EDITABLES.items(), ("citation", CITATION)]}


TARGETS = {
    **_editables(),
    "cases.forms.NewCaseForm": new_case,
    "cases.exports.forms.ExportForm": export,
    "sources.forms.DocumentUploadForm": document_upload,
    "sources.forms.DocumentSearchForm": document_search,
    "sources.forms.ChooseCaseForm": choose_case,
    "sources.forms.CiteDocumentForm": cite_document,
    "cases.imports.forms.UploadForm": import_upload,
    "cases.imports.forms.MappingForm": import_mapping,
    "cases.imports.forms.ConfirmForm": import_confirm,
    "cases.filters.CaseFilter": filterset(_case_filter, _cases),
    "cases.risk_review.FlagFilter": filterset(_flag_filter, _flags, "admin"),
    "audit.filters.AccessEventFilter": filterset(_access_filter, _access_events, "admin"),
}
