"""The risk engine with a real Celery worker on the real Redis: facts change, the score and the flag
follow; a worker killed mid-evaluation loses nothing."""

import datetime
import time

import pytest
from django.db import transaction

from cases import risk
from cases.models import Event
from cases.risk_models import EvaluationRequest, RiskFlag
from config.celery import app
from core.editing import save_fact
from tests import factories
from tests.cases import risk_scenarios as scenarios
from tests.worker import Worker

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker"), pytest.mark.django_db(transaction=True)]


def wait_for(check, timeout=40):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError("timed out waiting for the worker")


def test_a_changed_fact_moves_the_score_and_the_flag(broker, researcher):
    case = scenarios.paraskevich()
    worker = Worker().start()
    try:
        with transaction.atomic():
            risk.schedule_reevaluation([case.pk])
        first = wait_for(lambda: risk.latest_evaluation(case))
        assert (first.level, first.score) == ("high", 60)
        assert RiskFlag.objects.get(case=case).level == "high"

        save_fact(Event(case=case, kind="warrant", title="Kazakh arrest warrant", date=datetime.date(2012, 1, 1),
                        jurisdiction=factories.state("KZ")), researcher)
        second = wait_for(lambda: (ev := risk.latest_evaluation(case)) and ev.pk != first.pk and ev)
        assert (second.level, second.score) == ("critical", 80)
        assert "B1" in [r["code"] for r in second.fired_rules]
        assert wait_for(lambda: RiskFlag.objects.get(case=case).level == "critical")
        assert EvaluationRequest.objects.get(case=case).state == "done"
    finally:
        worker.stop()


def test_a_worker_killed_mid_evaluation_loses_nothing(broker, monkeypatch):
    case = scenarios.paraskevich()
    monkeypatch.setenv("RISK_TEST_DELAY_SECONDS", "30")  # long enough to be killed inside the task
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", "3")  # Redis hands the unacknowledged task on after 3 s
    monkeypatch.setenv("RISK_CLAIM_LEASE_SECONDS", "2")  # and the ledger lets the next worker claim it
    doomed = Worker().start()
    try:
        with transaction.atomic():
            risk.schedule_reevaluation([case.pk])
        wait_for(lambda: EvaluationRequest.objects.get(case=case).state == "running")
        doomed.kill()  # SIGKILL mid-task: nothing acknowledged, nothing stored
    finally:
        doomed.stop()
    assert risk.latest_evaluation(case) is None

    monkeypatch.setenv("RISK_TEST_DELAY_SECONDS", "0.5")
    survivor = Worker().start()
    try:
        try:  # Redis hands the unacknowledged message on (kombu restores it on a ~10 s cycle) ...
            evaluation = wait_for(lambda: risk.latest_evaluation(case), timeout=30)
        except AssertionError:
            # ... and if the message itself is gone, the ledger still holds the work: the beat sweep
            # (every 5 minutes in production) re-queues the stale claim. Ring it now.
            app.send_task("cases.tasks.evaluate_pending")
            evaluation = wait_for(lambda: risk.latest_evaluation(case), timeout=40)
        assert evaluation.level == "high"
        request = wait_for(lambda: (r := EvaluationRequest.objects.get(case=case)).state == "done" and r)
        assert request.attempts == 2  # the killed run and the redelivered one
    finally:
        survivor.stop()
