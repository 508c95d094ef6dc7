"""Import pages. Only editors import; a run is seen by whoever started it and by admins."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from core.roles import can_edit, is_admin

from . import service
from .forms import ConfirmForm, MappingForm, UploadForm
from .importers import CannotUndo, undo
from .models import ImportRun, RunStatus
from .reading import UnreadableFile


def _runs(user):
    if not can_edit(user):
        raise PermissionDenied
    runs = ImportRun.objects.select_related("created_by")
    return runs if is_admin(user) else runs.filter(created_by=user)


def start(request):
    runs = _runs(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = service.start(request.user, form.cleaned_data["kind"], form.cleaned_data["file"],
                                form.cleaned_data["mapping"])
        except UnreadableFile as error:
            form.add_error("file", str(error))
        else:
            return redirect("imports:columns", pk=run.pk)
    return render(request, "imports/start.html", {"form": form, "runs": runs[:20]})


def columns(request, pk):
    run = get_object_or_404(_runs(request.user), pk=pk, status__in=[RunStatus.MAPPING, RunStatus.PREVIEWED])
    form = MappingForm(request.POST if request.method == "POST" else None, run=run)
    if request.method == "POST" and form.is_valid():
        if service.map_columns(run, request.user, form.columns(), save_as=form.cleaned_data["save_as"]):
            return redirect("imports:run", pk=run.pk)
        return redirect("imports:preview", pk=run.pk)
    return render(request, "imports/columns.html", {"run": run, "form": form})


def preview(request, pk):
    run = get_object_or_404(_runs(request.user), pk=pk)
    if run.status == RunStatus.MAPPING:
        return redirect("imports:columns", pk=run.pk)
    if run.status != RunStatus.PREVIEWED:
        return redirect("imports:run", pk=run.pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            queued = service.confirm(run, request.user, skip_bad_rows=form.cleaned_data["skip_bad_rows"])
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            if not queued:
                messages.success(request, f"Imported {run.rows_created} new, {run.rows_updated} updated, "
                                          f"{run.rows_matched} already recorded, {run.rows_skipped} skipped.")
            return redirect("imports:run", pk=run.pk)
    counts = {action: sum(1 for item in run.preview if item["action"] == action)
              for action in ("create", "update", "match")}
    return render(request, "imports/preview.html", {"run": run, "form": form, "counts": counts})


def run_detail(request, pk):
    run = get_object_or_404(_runs(request.user), pk=pk)
    if request.method != "POST" and run.status == RunStatus.PREVIEWED:
        return redirect("imports:preview", pk=run.pk)  # a background preview is ready
    if request.method == "POST":
        try:
            undo(run, request.user)
        except CannotUndo as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "The import was undone: what it created is deleted, what it changed is back.")
        return redirect("imports:run", pk=run.pk)
    return render(request, "imports/run.html", {
        "run": run, "progress": service.progress_of(run),
        "working": run.status in (RunStatus.PLANNING, RunStatus.QUEUED, RunStatus.RUNNING),
    })
