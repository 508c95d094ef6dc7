"""The risk engine's Celery tasks (run in-process here; tests/cases/test_risk_worker.py uses a real worker)."""

import datetime

import pytest
from django.utils import timezone

from cases import risk, tasks
from cases.risk_models import EvaluationRequest, RiskEvaluation
from tests import factories
from tests.cases import risk_scenarios as scenarios

pytestmark = pytest.mark.django_db


def test_the_periodic_task_evaluates_every_case_in_chunks(settings):
    cases = [scenarios.ordinary_request() for _ in range(5)]
    assert tasks.reevaluate_all.delay(chunk_size=2).get() == 5
    assert RiskEvaluation.objects.filter(case__in=cases, current=True).count() == 5
    tasks.reevaluate_all.delay(chunk_size=2)  # idempotent: nothing new
    assert RiskEvaluation.objects.filter(case__in=cases).count() == 5


def test_the_daily_deadline_check_adds_urgency_for_a_hearing_within_the_window():
    case = scenarios.paraskevich()
    risk.evaluate_case(case.pk)
    factories.event(case, "hearing", "Extradition hearing in Prague",
                    date=timezone.localdate() + datetime.timedelta(days=10))
    assert tasks.check_deadlines.delay().get() == 1
    evaluation = risk.latest_evaluation(case)
    assert evaluation.urgency == 2 and "U4" in [u["code"] for u in evaluation.explanation["urgency"]]
    assert EvaluationRequest.objects.get(case=case).state == "done"


def test_a_task_for_a_case_already_done_does_nothing():
    case = scenarios.ordinary_request()
    risk.mark_pending([case.pk])
    tasks.evaluate_case.delay(case.pk)
    assert tasks.evaluate_case.delay(case.pk).get() == "already done or running elsewhere"
    assert RiskEvaluation.objects.filter(case=case).count() == 1


def test_an_abandoned_claim_is_taken_over_after_the_lease(settings):
    settings.RISK_CLAIM_LEASE_SECONDS = 60
    case = scenarios.ordinary_request()
    risk.mark_pending([case.pk])
    token, claimed = risk.claim([case.pk])
    assert claimed == [case.pk] and risk.claim([case.pk])[1] == []  # another worker holds it
    EvaluationRequest.objects.filter(case=case).update(claimed_at=timezone.now() - datetime.timedelta(minutes=5))
    assert risk.claim([case.pk])[1] == [case.pk]  # its worker died: the lease ran out
    risk.finish(token)  # the dead worker's late finish changes nothing
    assert EvaluationRequest.objects.get(case=case).state == "running"
