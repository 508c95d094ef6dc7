"""Researcher pages: the case list, search, the case page and editing from it.

Thin views: every case is fetched through ``Case.objects.visible_to(user)`` (an outsider gets a
404 for a restricted case and for every record in it); records are reached through their case
(cases/editables.py); writes go through core/editing.save_fact in one transaction."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.log import record
from core.editing import EditConflict, save_fact, soft_delete, undelete
from core.forms import describe
from core.rendering import render_page
from core.roles import can_edit
from core.statements import Statement

from . import history as record_history
from . import risk_review, selectors
from .editables import CITATION, EDITABLES, FACT_KINDS, editable, fact_from_ref, get_citation
from .filters import SORTS, CaseFilter
from .models import Case

PAGE_SIZES = (25, 50, 100)
COUNT_CAP = 10_000  # beyond this the list says "10,000+" instead of counting every row


# Every page of a case starts here: compiled once (core/statements.py), run with the case's id.
CASE = Statement(lambda user, pk: selectors.with_team_flag(Case.objects.visible_to(user).select_related(
    "person", "person__residence", "persecuting_state", "host_state", "risk_flag"), user).filter(pk=pk))


def _case(request, pk):
    case = CASE.first(request.user, pk=pk)
    if case is None:
        raise Http404("No case with this number, or not one you may see.")
    return case


def _require_editor(request):
    if not can_edit(request.user):
        raise PermissionDenied("Only researchers and admins can edit case files.")


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def _back_to_case(request, case, anchor=""):
    # A query string, not only a #fragment: htmx's redirect to the same path with a new fragment
    # would just scroll the stale page instead of loading the saved state.
    url = reverse("cases:detail", args=[case.pk]) + (f"?saved={anchor}#{anchor}" if anchor else "?saved=1")
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


# --- list and search ----------------------------------------------------------------------

@require_GET
def case_list(request):
    cases = selectors.list_rows(request.user)
    filters = CaseFilter(request.GET or None, queryset=cases)
    rows = filters.qs if filters.is_bound and filters.is_valid() else cases
    if not request.GET.get("o"):
        rows = rows.order_by(*selectors.NEWEST_FIRST)
    filtered = any(value for key, value in request.GET.items() if key not in ("page", "o", "per_page"))
    try:
        per_page = int(request.GET.get("per_page", 25))
    except ValueError:
        per_page = 25
    per_page = per_page if per_page in PAGE_SIZES else 25
    try:
        number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        number = 1
    as_it_opens = not filtered and not request.GET.get("o")  # unfiltered, newest first: compiled statements
    page = selectors.case_list_page(rows, number, per_page, COUNT_CAP, newest_of=request.user if as_it_opens else None)
    query = request.GET.copy()
    query.pop("page", None)
    current = request.GET.get("o", "-changed")
    sorts = []
    for key, label in SORTS.items():
        active = current.lstrip("-") == key
        descending = current.startswith("-")
        params = query.copy()
        params["o"] = f"-{key}" if active and not descending else key
        sorts.append({"key": key, "label": label, "url": "?" + params.urlencode(),
                      "active": active, "descending": descending})
    return render_page(request, "cases/case_list.html", {
        "filter": filters, "page": page, "sorts": dict((s["key"], s) for s in sorts),
        "query": query.urlencode(), "per_page": per_page, "page_sizes": PAGE_SIZES,
        "can_edit": can_edit(request.user),
        "date_ranges": [{"name": name, "label": label, "after": request.GET.get(f"{name}_after", ""),
                         "before": request.GET.get(f"{name}_before", "")}
                        for name, label in (("request_date", "Request date"), ("changed", "Last change"))],
        "filtered": filtered,
    }, title="Cases")


@require_GET
def search(request):
    text = request.GET.get("q", "").strip()
    hits = selectors.search_people(request.user, text) if text else []
    if text:
        record(request, "search", query=text[:200], results=len(hits))
    destination = selectors.single_destination(hits)
    if destination is not None and request.GET.get("all") != "1":
        return redirect("cases:detail", destination.pk)
    return render_page(request, "cases/search.html", {"q": text, "hits": hits}, title=f"Search: {text}",
                       layout={"search_query": text})


# --- the case page ------------------------------------------------------------------------

@require_GET
def case_detail(request, pk):
    case = _case(request, pk)
    record(request, "view_case", case=case, obj=case)
    context = selectors.case_page(case, request.user)
    context.update(case=case, can_edit=can_edit(request.user), fact_kinds=FACT_KINDS,
                   deleted_notice=_deleted_notice(request, case), risk=risk_review.panel(case))
    return render_page(request, "cases/case_detail.html", context, title=case.title)


def _deleted_notice(request, case):
    """After a delete the page offers "Undo" (?deleted=charge-12)."""
    kind, _, pk = request.GET.get("deleted", "").partition("-")
    if not pk.isdigit():
        return None
    try:
        if kind == "citation":
            obj = get_citation(case, int(pk), deleted=True)
        elif kind in EDITABLES:
            obj = EDITABLES[kind].get(case, int(pk), deleted=True)
        else:
            return None
    except Exception:  # noqa: BLE001 - a stale or foreign id just shows no notice
        return None
    if not obj.is_deleted:
        return None
    return {"kind": kind, "obj": obj, "url": reverse("cases:undelete", args=[case.pk, kind, obj.pk])}


@require_GET
def deleted_items(request, pk):
    case = _case(request, pk)
    items = selectors.deleted_items(case, selectors.on_case_team(case, request.user))
    return render(request, "cases/deleted.html", {"case": case, "items": items, "can_edit": can_edit(request.user)})


# --- editing ------------------------------------------------------------------------------

def _get_record(request, case, kind, obj_pk, *, deleted=False):
    obj = get_citation(case, obj_pk, deleted=deleted) if kind == "citation" else editable(kind).get(
        case, obj_pk, deleted=deleted)
    if getattr(obj, "confidential", False) and not selectors.on_case_team(case, request.user):
        # Confidential facts exist only for the case team.
        from django.http import Http404

        raise Http404("No such record in this case.")
    return obj


def _form_for(spec, case, data, instance, request):
    kwargs = {"instance": instance}
    if spec.needs_case:
        kwargs["case"] = case
    if spec.kind == "person":
        kwargs["show_whereabouts"] = selectors.on_case_team(case, request.user)
    if spec.kind == "relationship":
        kwargs["find_people"] = lambda name: selectors.people_named(request.user, name)
    return spec.form(data, **kwargs)


def _save(form, spec, user):
    """One transaction: the record, its many-to-many links and any citation."""
    instance = form.instance
    m2m = {}
    for field in instance._meta.many_to_many:
        if field.name in form.cleaned_data:
            m2m[field.name] = form.cleaned_data[field.name]
    with transaction.atomic():
        if hasattr(form, "prepare"):
            form.prepare(user)
        save_fact(instance, user, expected_version=form.cleaned_data.get("version") if instance.pk else None,
                  m2m=m2m)
        if hasattr(form, "save_citation"):
            form.save_citation(instance, user)
    return instance


def _conflict_rows(error, form):
    rows = []
    for field, _before, theirs in error.changes:
        if field.name in ("updated_at",):
            continue
        yours = form.cleaned_data.get(field.name, getattr(form.instance, field.attname, None))
        if hasattr(yours, "pk"):
            yours = yours.pk
        rows.append({"field": str(field.verbose_name).capitalize(),
                     "theirs": describe(error.current, field, theirs),
                     "yours": describe(error.current, field, yours)})
    return rows


def _add_model_errors(form, error):
    date_fields = {"date", "date_precision", "date_qualifier", "date_end", "date_end_precision"}
    for field, messages_ in getattr(error, "message_dict", {None: error.messages}).items():
        target = "date_input" if field in date_fields and "date_input" in form.fields else field
        if target not in form.fields:
            target = None
        for message in messages_:
            form.add_error(target, message)


@require_http_methods(["GET", "POST"])
def edit(request, pk, kind, obj_pk=None):
    case = _case(request, pk)
    spec = CITATION if kind == "citation" else editable(kind)
    if obj_pk is None:
        if kind == "citation":
            fact = fact_from_ref(case, request.POST.get("fact") or request.GET.get("fact"))
            obj = CITATION.model(fact=fact)
        elif not spec.can_add:
            raise PermissionDenied("This record cannot be added here.")
        else:
            obj = spec.new(case)
    else:
        obj = _get_record(request, case, kind, obj_pk)
    _require_editor(request)
    form = _form_for(spec, case, request.POST if request.method == "POST" else None, obj, request)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save(form, spec, request.user)
        except EditConflict as error:
            conflict = {"rows": _conflict_rows(error, form), "who": error.current.updated_by,
                        "when": error.current.updated_at}
            data = request.POST.copy()
            data["version"] = error.current.version  # saving again is an explicit choice to overwrite
            form = _form_for(spec, case, data, _get_record(request, case, kind, obj_pk), request)
            form.is_valid()
        except ValidationError as error:
            _add_model_errors(form, error)
        else:
            verb = "Added" if obj_pk is None else "Saved"
            messages.success(request, f"{verb} the {spec.label}: {saved}.")
            anchor = f"{kind}-{saved.pk}" if kind in FACT_KINDS else ""
            return _back_to_case(request, case, anchor)
    context = {"case": case, "form": form, "spec": spec, "obj": obj, "conflict": conflict,
               "adding": obj_pk is None, "fact_ref": request.GET.get("fact") or request.POST.get("fact", "")}
    template = "cases/_edit_form.html" if _is_htmx(request) else "cases/edit.html"
    # htmx swaps only 2xx answers; a full page says "conflict" / "invalid" in its status too.
    status = 200 if _is_htmx(request) else 409 if conflict else 422 if form.is_bound and form.errors else 200
    return render(request, template, context, status=status)


@require_POST
def delete(request, pk, kind, obj_pk):
    case = _case(request, pk)
    spec = CITATION if kind == "citation" else editable(kind)
    obj = _get_record(request, case, kind, obj_pk)
    _require_editor(request)
    if not spec.can_delete:
        raise PermissionDenied("This record cannot be deleted here.")
    soft_delete(obj, request.user)
    messages.success(request, f"Deleted the {spec.label}: {obj}.")
    url = reverse("cases:detail", args=[case.pk]) + "?" + urlencode({"deleted": f"{kind}-{obj.pk}"})
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@require_POST
def restore_deleted(request, pk, kind, obj_pk):
    case = _case(request, pk)
    spec = CITATION if kind == "citation" else editable(kind)
    obj = _get_record(request, case, kind, obj_pk, deleted=True)
    _require_editor(request)
    if obj.is_deleted:
        try:
            undelete(obj, request.user)
        except Exception:  # noqa: BLE001 - e.g. a live duplicate now holds the unique name
            messages.error(request, f"The {spec.label} could not be restored: an identical live record exists.")
            return redirect("cases:deleted", case.pk)
        record(request, "restore", case=case, obj=obj, kind=kind, id=obj.pk, undelete=True)
        messages.success(request, f"Restored the {spec.label}: {obj}.")
    return _back_to_case(request, case, f"{kind}-{obj.pk}" if kind in FACT_KINDS else "")


# --- history ------------------------------------------------------------------------------

@require_GET
def history(request, pk, kind, obj_pk):
    case = _case(request, pk)
    spec = CITATION if kind == "citation" else editable(kind)
    obj = _get_record(request, case, kind, obj_pk, deleted=True)
    return render(request, "cases/history.html", {
        "case": case, "obj": obj, "spec": spec, "kind": kind,
        "versions": record_history.versions(obj), "can_edit": can_edit(request.user),
    })


@require_POST
def restore_version(request, pk, kind, obj_pk, history_id):
    case = _case(request, pk)
    spec = CITATION if kind == "citation" else editable(kind)
    obj = _get_record(request, case, kind, obj_pk, deleted=True)
    _require_editor(request)
    try:
        expected = int(request.POST.get("version", ""))
    except ValueError:
        expected = obj.version
    try:
        restored, old = record_history.restore(obj, history_id, request.user, expected_version=expected)
    except EditConflict:
        messages.error(request, f"The {spec.label} was changed by someone else meanwhile; look at the "
                                "latest version below before restoring.")
        return redirect("cases:history", case.pk, kind, obj.pk)
    except ValidationError as error:
        messages.error(request, "That version cannot be restored: " + " ".join(error.messages))
        return redirect("cases:history", case.pk, kind, obj.pk)
    record(request, "restore", case=case, obj=restored, kind=kind, id=restored.pk,
           from_version=old.version, history_id=old.history_id)
    messages.success(request, f"Restored the {spec.label} as it was on {old.history_date:%d %b %Y %H:%M}.")
    return redirect("cases:history", case.pk, kind, obj.pk)


# --- a new case, with duplicate detection for its person ------------------------------------

@require_http_methods(["GET", "POST"])
def new_case(request):
    _require_editor(request)
    from .forms import NewCaseForm

    form = NewCaseForm(request.POST or None, find_similar=lambda name: selectors.similar_people(request.user, name))
    if request.method == "POST" and form.is_valid():
        try:
            case = selectors.create_case(form, request.user)
        except ValidationError as error:
            _add_model_errors(form, error)
        else:
            messages.success(request, f"Created the case {case}.")
            return redirect("cases:detail", case.pk)
    return render(request, "cases/new_case.html", {"form": form})
