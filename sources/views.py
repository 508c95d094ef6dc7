"""Pages for a source's files: list and upload, read, search, cite a page, download.

Every lookup starts from the user's visible sources or documents (``cases.source_access``): a file
of a restricted case's source answers 404 to an outsider, whatever URL they guess."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from audit.log import record
from cases.document_citations import cite_document, fact_for, facts_of
from cases.models import Case
from cases.source_access import documents_visible_to, sources_visible_to
from core.roles import can_edit

from . import documents as service
from .forms import ChooseCaseForm, CiteDocumentForm, DocumentSearchForm, DocumentUploadForm


def source_documents(request, pk):
    source = get_object_or_404(sources_visible_to(request.user), pk=pk)
    form = DocumentUploadForm()
    duplicate = None
    if request.method == "POST":
        if not can_edit(request.user):
            raise PermissionDenied
        form = DocumentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                document = service.store(
                    source, form.cleaned_data["file"], request.user, title=form.cleaned_data["title"],
                    accept_duplicate=form.cleaned_data["accept_duplicate"],
                    visible_documents=documents_visible_to(request.user),
                )
            except service.DocumentRefused as refusal:
                form.add_error("file", str(refusal))
            except service.DuplicateDocument as found:
                duplicate = found
                form.add_error("file", str(found))
            else:
                messages.success(request, f"Stored “{document}” ({document.media_label}).")
                return redirect("sources:document", pk=document.pk)
    documents = source.documents.select_related("created_by").order_by("original_name")
    return render(request, "sources/source_documents.html", {
        "source": source, "documents": documents, "form": form, "duplicate": duplicate,
        "may_upload": can_edit(request.user),
    })


def document_detail(request, pk):
    document = get_object_or_404(documents_visible_to(request.user).select_related("source", "created_by"), pk=pk)
    return render(request, "sources/document_detail.html", {
        "document": document, "pages": document.pages.all(),
        "citations": document.citations.select_related("content_type").order_by("document_page", "pk"),
        "may_cite": can_edit(request.user),
    })


def document_download(request, pk):
    document = get_object_or_404(documents_visible_to(request.user), pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    record(request, "download", obj=document, document=document.pk, source=document.source_id,
           sha256=document.sha256)
    response = FileResponse(handle, as_attachment=True, filename=document.original_name,
                            content_type=document.media_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def document_search(request):
    form = DocumentSearchForm(request.GET or None)
    results = []
    if form.is_valid() and form.cleaned_data["q"]:
        query = form.cleaned_data["q"]
        results = service.search_pages(documents_visible_to(request.user), query)
        record(request, "search", query=query, scope="documents", results=len(results))
    return render(request, "sources/document_search.html", {"form": form, "results": results})


def document_cite(request, pk):
    if not can_edit(request.user):
        raise PermissionDenied
    document = get_object_or_404(documents_visible_to(request.user).select_related("source"), pk=pk)
    cases = Case.objects.visible_to(request.user).order_by("title")
    choose = ChooseCaseForm(request.GET or None, cases=cases)
    case = choose.cleaned_data["case"] if choose.is_valid() else None
    form = None
    if case is not None:
        initial = {"page": request.GET.get("page")} if request.GET.get("page", "").isdigit() else {}
        form = CiteDocumentForm(request.POST or None, facts=facts_of(case), page_count=document.page_count,
                                initial=initial)
        if request.method == "POST" and form.is_valid():
            fact = fact_for(form.cleaned_data["fact"], request.user)
            if fact is None or fact.case_id != case.pk:
                raise Http404
            try:
                cite_document(document, fact, request.user, page=form.cleaned_data["page"],
                              quote=form.cleaned_data["quote"], position=form.cleaned_data["position"])
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, f"“{fact}” now cites {document.original_name}"
                                          + (f", p. {form.cleaned_data['page']}." if form.cleaned_data["page"] else "."))
                return redirect(reverse("cases:detail", args=[case.pk]))
    return render(request, "sources/document_cite.html", {
        "document": document, "choose": choose, "case": case, "form": form,
    })
