"""Celery tasks for exports (autodiscovered through config/celery.py)."""

import datetime

from celery import shared_task
from django.db import transaction
from django.utils import timezone


@shared_task(acks_late=True, reject_on_worker_lost=True)
def prepare_export(job_id):
    from .service import run_job

    run_job(job_id)


@shared_task
def requeue_stale_exports(older_than_minutes=10):
    """The queue is a doorbell, the row the ledger: ring again for pending jobs whose task was lost."""
    from .service import claimable_jobs

    cutoff = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    for job_id in claimable_jobs().filter(created_at__lt=cutoff).values_list("pk", flat=True):
        transaction.on_commit(lambda job_id=job_id: prepare_export.delay(job_id))
