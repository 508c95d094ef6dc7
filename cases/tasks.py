"""Celery tasks of the risk engine. Each takes ids, is idempotent (an unchanged case stores no new
evaluation) and is acknowledged late: a worker killed mid-evaluation leaves the message to be
redelivered and the ledger row (EvaluationRequest) for the sweep. The queue is a doorbell."""

import datetime
import time

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from . import risk
from .models import UPCOMING_KINDS, Case, Event

RETRY = {
    "bind": True, "acks_late": True, "reject_on_worker_lost": True,
    "autoretry_for": (DatabaseError,), "retry_backoff": True, "retry_backoff_max": 300, "max_retries": 8,
}


def _test_delay():
    # Test-only knob (RISK_TEST_DELAY_SECONDS): makes a task slow enough to SIGKILL its worker mid-way.
    delay = getattr(settings, "RISK_TEST_DELAY_SECONDS", 0)
    if delay:
        time.sleep(delay)


@shared_task(**RETRY)
def evaluate_case(self, case_id):
    token, claimed = risk.claim([case_id])
    if not claimed and risk.EvaluationRequest.objects.filter(case_id=case_id).exists():
        return "already done or running elsewhere"
    _test_delay()
    outcome = risk.evaluate_many([case_id])
    if claimed:
        risk.finish(token)
    return outcome


@shared_task(**RETRY)
def evaluate_pending(self, limit=None):
    """The sweep: evaluate ledger rows still pending (or abandoned by a dead worker) in chunks;
    ring again while work remains."""
    limit = limit or settings.RISK_CHUNK_SIZE
    token, claimed = risk.claim(risk.claimable_case_ids(limit))
    if not claimed:
        return {"evaluated": 0}
    _test_delay()
    outcome = risk.evaluate_many(claimed)
    risk.finish(token)
    if len(claimed) == limit:
        evaluate_pending.delay(limit)
    return outcome


@shared_task(**RETRY)
def evaluate_range(self, first_pk, last_pk):
    ids = list(Case.objects.filter(pk__gte=first_pk, pk__lte=last_pk).values_list("pk", flat=True))
    return risk.evaluate_many(ids)


@shared_task(bind=True, acks_late=True)
def reevaluate_all(self, chunk_size=None):
    """Periodic: every case, in chunks of consecutive ids, one task each. Losing some to Redis only
    delays them to the next run; the evaluation itself is idempotent."""
    chunk_size = chunk_size or settings.RISK_CHUNK_SIZE
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start:start + chunk_size]
        evaluate_range.delay(chunk[0], chunk[-1])
    return len(ids)


@shared_task(**RETRY)
def check_deadlines(self):
    """Daily: urgency depends on today (a hearing within the window), so cases with a hearing,
    deadline or surrender around the window's edges are evaluated again."""
    today = timezone.localdate()
    window = risk.Config.current().urgency_window_days
    ids = set(Event.objects.filter(kind__in=UPCOMING_KINDS, date__gte=today - datetime.timedelta(days=2),
                                   date__lte=today + datetime.timedelta(days=window + 1))
              .values_list("case_id", flat=True))
    risk.mark_pending(ids)
    if ids:
        evaluate_pending.delay()
    return len(ids)
