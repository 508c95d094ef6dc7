"""The steps of an import as the pages take them: upload → map columns → preview → confirm → (undo)."""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from . import importers
from .models import ImportMapping, ImportRun, RunStatus
from .reading import UnreadableFile, read_table

MAX_BYTES = 20 * 1024 * 1024


def start(user, kind, uploaded, mapping=None):
    """Store the file (never served) and read its headings. Raises UnreadableFile."""
    content = uploaded.read()
    if len(content) > MAX_BYTES:
        raise UnreadableFile("The spreadsheet is larger than 20 MB: split it into several files.")
    headings, rows = read_table(content, uploaded.name)
    if not rows:
        raise UnreadableFile("The file has headings but no rows.")
    sha256 = hashlib.sha256(content).hexdigest()
    name = default_storage.save(f"imports/{sha256}", ContentFile(content))
    columns = {f: h for f, h in (mapping.columns if mapping else {}).items() if h in headings} \
        or importers.guess_columns(kind, headings)
    return ImportRun.objects.create(kind=kind, created_by=user, file_name=uploaded.name[:255], file_sha256=sha256,
                                    stored_file=name, headers=headings, columns=columns, rows_total=len(rows))


def rows_of(run):
    with default_storage.open(run.stored_file, "rb") as handle:
        return read_table(handle.read(), run.file_name)[1]


def map_columns(run, user, columns, *, save_as=""):
    """Keep the mapping and prepare the preview: at once for a small file, in the Celery task for a
    large one (the page shows the run until the preview is ready). Returns True if queued."""
    _keep_mapping(run, user, columns, save_as)
    if run.rows_total > settings.IMPORT_TASK_THRESHOLD:
        from .tasks import plan_import

        run.status, run.preview, run.errors = RunStatus.PLANNING, [], []
        run.save()
        transaction.on_commit(lambda: plan_import.apply_async(args=[run.pk], task_id=preview_task_id(run)))
        return True
    preview(run, user)
    return False


def _keep_mapping(run, user, columns, save_as):
    run.columns = {field: heading for field, heading in columns.items() if heading}
    if save_as:
        ImportMapping.objects.update_or_create(kind=run.kind, name=save_as[:120],
                                               defaults={"columns": run.columns, "created_by": user})


def preview(run, user):
    """Plan the import with the run's columns and keep what it would do on the run."""
    the_plan = importers.plan(run.kind, rows_of(run), run.columns, user)
    run.preview, run.errors = the_plan.preview(), the_plan.errors
    run.status = RunStatus.PREVIEWED
    run.save()
    return the_plan


def confirm(run, user, *, skip_bad_rows=False):
    """Import now (small files) or queue the Celery task (large ones). Returns True if queued."""
    if run.status != RunStatus.PREVIEWED:
        raise ValueError("This import was already confirmed.")
    if run.errors and not skip_bad_rows:
        raise ValueError("Fix the rows listed, or tick “skip the rows with errors”.")
    run.skip_bad_rows = skip_bad_rows
    if run.rows_total > settings.IMPORT_TASK_THRESHOLD:
        from .tasks import run_import

        run.status = RunStatus.QUEUED
        run.save()
        transaction.on_commit(lambda: run_import.apply_async(args=[run.pk], task_id=task_id(run)))
        return True
    execute(run, user)
    return False


def execute(run, user, progress=None):
    the_plan = importers.plan(run.kind, rows_of(run), run.columns, user)
    run.preview, run.errors = the_plan.preview(), the_plan.errors
    return importers.apply(run, the_plan, user, progress=progress)


def task_id(run):
    return f"onward-import-{run.pk}"


def preview_task_id(run):
    return f"onward-import-preview-{run.pk}"


def progress_of(run):
    """Rows done so far by a background import, from the task's reported state."""
    if run.status != RunStatus.RUNNING:
        return run.progress
    from celery.result import AsyncResult

    info = AsyncResult(task_id(run)).info
    return info.get("done", 0) if isinstance(info, dict) else 0
