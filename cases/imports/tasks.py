from contextlib import contextmanager

from celery import shared_task
from django.utils import timezone

from .models import ImportRun, RunStatus
from .service import execute, preview


@contextmanager
def _failure_recorded(run_id):
    """A task that fails marks its run failed, with the reason the run's page shows, and re-raises."""
    try:
        yield
    except Exception as error:
        ImportRun.objects.filter(pk=run_id).update(status=RunStatus.FAILED, failure=str(error)[:2000],
                                                   finished_at=timezone.now())
        raise


@shared_task(bind=True, acks_late=True)
def run_import(self, run_id):
    """Import a confirmed run. Idempotent: only a QUEUED run is claimed (conditional update)."""
    if not ImportRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(status=RunStatus.RUNNING):
        return
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)

    def progress(done):
        # The rows are written in one transaction (all or nothing), so the count the page shows
        # travels through the result backend, not the database.
        self.update_state(state="PROGRESS", meta={"done": done, "total": run.rows_total})

    with _failure_recorded(run_id):
        execute(run, run.created_by, progress=progress)


@shared_task(acks_late=True)
def plan_import(run_id):
    """Prepare the preview of a large file. Idempotent: planning writes nothing but the run's
    preview, so a task run twice (a worker killed mid-plan) plans again; a run no longer waiting
    for its preview is left alone."""
    run = ImportRun.objects.select_related("created_by").filter(pk=run_id, status=RunStatus.PLANNING).first()
    if run is None:
        return
    with _failure_recorded(run_id):
        preview(run, run.created_by)
