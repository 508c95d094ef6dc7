"""The onward-return risk engine on the calibration scenarios of the domain brief (§4): which rules
fire, not only the level."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from cases import risk, risk_review
from cases.models import Assurance, Event
from cases.risk_models import EvaluationRequest, FlagAction, FlagStatus, RiskEvaluation, RiskFlag, RiskRule
from core.editing import save_fact
from people.models import PoliticalRole, Protection
from tests import factories
from tests.cases import risk_scenarios as scenarios
from tests.factories import state

pytestmark = pytest.mark.django_db
D = datetime.date


def fired(evaluation, axis=None):
    return [r["code"] for r in evaluation.fired_rules if axis is None or r["code"].startswith(axis)]


def rule(evaluation, code):
    return next(r for r in evaluation.explanation["rules"] if r["code"] == code)


def test_paraskevich_in_prague_sought_by_ukraine_with_kazakh_prosecutor_involved_is_high_and_flagged():
    case = scenarios.paraskevich()
    evaluation = risk.evaluate_case(case.pk)
    assert fired(evaluation, "A") == ["A2", "A4", "A7"] and evaluation.axis_a == 40
    assert fired(evaluation, "B") == ["B2", "B3", "B4", "B7"] and evaluation.axis_b == 60
    assert (evaluation.level, evaluation.urgency, evaluation.flagged) == ("high", 1, True)
    path = evaluation.explanation["onward_path"]
    assert [path[0]["from"]] + [step["to"] for step in path] == ["Czech Republic", "Ukraine", "Kazakhstan"]
    assert path[1]["unverified"]  # Ukraine's Minsk status is unverified (domain brief §1)
    assert "BTA Bank" in rule(evaluation, "B2")["note"]
    assert any("Ukraine: Embezzlement" in f["label"] for f in rule(evaluation, "B3")["facts"])
    assert RiskFlag.objects.get(case=case).status == FlagStatus.OPEN


def test_paraskevich_after_asylum_the_explanation_shows_the_protection():
    case = scenarios.paraskevich()
    Protection.objects.create(person=case.person, kind="asylum", granted_by=state("CZ"), against_state=state("KZ"),
                              date=D(2015, 12, 1), date_precision="month")
    evaluation = risk.evaluate_case(case.pk)
    assert evaluation.bars == ["X1"]
    bar = evaluation.explanation["bars"][0]
    assert bar["code"] == "X1" and "Asylum granted by Czech Republic against Kazakhstan" in bar["facts"][0]["label"]
    assert bar["facts"][0]["date_display"] == "December 2015"
    assert any("Asylum" in f["label"] for f in evaluation.explanation["others_decided"])
    assert not evaluation.bar_ignored  # no court has granted the surrender


def test_ablyazov_at_the_french_decree_is_critical_with_the_bar_ignored():
    case = scenarios.ablyazov()
    evaluation = risk.evaluate_case(case.pk, as_of=D(2015, 9, 17))
    assert fired(evaluation, "A") == ["A1", "A2", "A4", "A6", "A7", "A8"] and evaluation.axis_a == 75
    assert fired(evaluation, "B") == ["B1", "B2", "B3", "B4", "B5", "B6", "B7"] and evaluation.axis_b == 95
    assert evaluation.bars == ["X1"] and evaluation.bar_ignored and evaluation.urgency == 3
    assert evaluation.level == "critical" and "legal bar (X1)" in evaluation.flag_reason
    assert evaluation.explanation["requesting"] == "Russia"
    assert [s["to"] for s in evaluation.explanation["onward_path"]] == ["Russia", "Kazakhstan"]
    # The Council of State's annulment (Dec 2016) was not yet known on that day.
    assert not any("annulled" in f["label"] for f in evaluation.explanation["others_decided"])


def test_ablyazov_after_the_annulment_no_request_is_pending_and_the_finding_is_evidence():
    case = scenarios.ablyazov()
    evaluation = risk.evaluate_case(case.pk)
    assert evaluation.explanation["requesting"] == "Kazakhstan" and evaluation.explanation["request"] is None
    assert "U1" not in [u["code"] for u in evaluation.explanation["urgency"]]  # still in custody: no release recorded
    assert any("Conseil d'État: annulled" in f["label"] for f in evaluation.explanation["others_decided"])


def test_pavlov_is_flagged_while_spain_holds_him_then_the_refusal_appears_in_the_explanation():
    case = scenarios.pavlov()
    before = risk.evaluate_case(case.pk, as_of=D(2013, 2, 1))
    assert fired(before) == ["A1", "A2", "A3", "A7", "A8"] and before.score == 70
    assert before.level == "high" and before.flagged
    after = risk.evaluate_case(case.pk, as_of=D(2013, 5, 1))
    assert fired(after) == ["A1", "A2", "A3", "A7", "A8"] and after.level == "high"
    assert not after.flagged and after.urgency == 0  # watch: a refusal never closes the file
    assert after.bars == ["X5"]
    refusal = after.explanation["bars"][0]["facts"][0]
    assert refusal["label"].startswith("Audiencia Nacional") and refusal["date_display"] == "17 April 2013"
    assert any(f["pk"] == refusal["pk"] for f in after.explanation["others_decided"])


def test_a_co_accused_refused_elsewhere_is_evidence_for_the_defence():
    case = scenarios.pavlov()
    co_accused = factories.person("Daniyar Moldashev")
    from people.models import Relationship
    Relationship.objects.create(person=co_accused, other=case.person, kind="co_accused", date=D(2012, 1, 1))
    other_case = factories.case("Moldashev", who=co_accused, persecuting="KZ", host="UA")
    factories.decision(other_case, outcome="refused", body_name="Kyiv court", date=D(2014, 3, 1))
    evaluation = risk.evaluate_case(case.pk)
    labels = [f["label"] for f in evaluation.explanation["others_decided"]]
    assert "Kyiv court: refused (concerning Daniyar Moldashev)" in labels


def test_mamai_in_kazakhstan_with_no_request_is_low_because_there_is_no_return():
    evaluation = risk.evaluate_case(scenarios.mamai().pk)
    assert fired(evaluation) == [] and evaluation.score == 0 and evaluation.level == "low"
    assert evaluation.explanation["at_home"]


def test_general_risk_only_is_capped_at_twenty():
    evaluation = risk.evaluate_case(scenarios.bta_employee().pk)
    assert fired(evaluation) == ["A1", "A7", "A8"]  # a BTA case alone is no political link
    assert evaluation.axis_a == 20 and evaluation.explanation["a_cap"]["applied"]
    assert evaluation.level == "low" and not evaluation.flagged


def test_a_request_with_no_channel_to_a_torture_risk_state_and_no_political_profile_is_low():
    evaluation = risk.evaluate_case(scenarios.ordinary_request().pk)
    assert fired(evaluation) == ["A7"] and evaluation.level == "low"
    assert evaluation.explanation["onward_path"] == []


def test_a_grave_charge_never_lowers_the_score():
    case = scenarios.paraskevich()
    before = risk.evaluate_case(case.pk).score
    factories.charge(case, "UA", category="violent", offence="Murder", date=D(2010, 1, 1))
    RiskRule.objects.filter(code="A3").update(weight=-30)  # a misguided negative weight counts as zero (L3)
    factories.charge(case, "UA", category="terrorism", offence="Preparation of a terrorist act")
    assert risk.evaluate_case(case.pk).score >= before


def test_specific_monitored_assurances_subtract_and_vague_ones_add():
    case = scenarios.ordinary_request()
    request = case.requests.get()
    Assurance.objects.create(request=request, kind="no_torture", disclosed=True, specific=True, monitored=True)
    evaluation = risk.evaluate_case(case.pk)
    assert rule(evaluation, "A7")["points"] == -10 and evaluation.axis_a == 0


def test_a_rule_resting_on_a_contested_claim_still_fires_marked_contested():
    case = scenarios.pavlov()
    role = PoliticalRole.objects.create(person=case.person, role="activist", claim_status="contested",
                                        date=D(2010, 1, 1), date_precision="year")
    factories.cite(role, factories.source("Pro-government daily", stance="supportive"), position="disputes")
    a2 = rule(risk.evaluate_case(case.pk), "A2")
    assert a2["fired"] and a2["contested"]
    fact = next(f for f in a2["facts"] if f["model"] == "role")
    assert fact["sources"] == [{"title": "Pro-government daily", "stance": "supportive", "position": "disputes"}]


def test_weights_are_data_an_admin_changes_with_history():
    case = scenarios.paraskevich()
    weight = RiskRule.objects.get(code="B5")
    b4 = RiskRule.objects.get(code="B4")
    b4.weight = 25
    b4.save()
    assert b4.history.first().weight == 25 and weight.weight == 5
    evaluation = risk.evaluate_case(case.pk)
    assert rule(evaluation, "B4")["points"] == 25 and evaluation.axis_b == 75


def test_re_evaluating_unchanged_facts_stores_no_new_row():
    case = scenarios.paraskevich()
    first = risk.evaluate_case(case.pk)
    assert risk.evaluate_many([case.pk]) == {"evaluated": 1, "stored": 0}
    assert RiskEvaluation.objects.filter(case=case).count() == 1 and risk.latest_evaluation(case) == first


def test_the_history_shows_when_the_risk_rose_and_why():
    case = scenarios.ordinary_request()
    risk.evaluate_case(case.pk)
    PoliticalRole.objects.create(person=case.person, role="journalist", date=D(2019, 1, 1))
    risk.evaluate_case(case.pk)
    panel = risk_review.panel(case)
    assert [ev.score for ev in panel["history"]] == [40, 10]
    assert panel["history"][0].changes == ["+A2", "+A4"] and panel["evaluation"].current


def test_dismissed_flag_reopens_when_score_rises(admin_user):
    case = scenarios.paraskevich()
    risk.evaluate_case(case.pk)
    flag = RiskFlag.objects.get(case=case)
    risk_review.decide(flag, FlagAction.DISMISS, "Czech courts already refused on these facts", by=admin_user)
    risk.evaluate_case(case.pk)  # same facts: stays dismissed
    flag.refresh_from_db()
    assert flag.status == FlagStatus.DISMISSED
    factories.event(case, "warrant", "Kazakh arrest warrant", date=D(2012, 1, 1), jurisdiction=state("KZ"))
    evaluation = risk.evaluate_case(case.pk)
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN and flag.reopened_count == 1 and flag.evaluation == evaluation
    reopened = flag.decisions.first()
    assert reopened.action == FlagAction.REOPENED and "rose from 60 to 80" in reopened.reason and "B1" in reopened.reason


def test_saving_a_fact_schedules_its_case_after_commit(researcher, django_capture_on_commit_callbacks):
    case = scenarios.paraskevich()
    with django_capture_on_commit_callbacks(execute=True):
        save_fact(Event(case=case, kind="custody", title="Detained in Prague", date=D(2014, 6, 1)), researcher)
    evaluation = risk.latest_evaluation(case)
    assert "U2" in [u["code"] for u in evaluation.explanation["urgency"]]
    assert EvaluationRequest.objects.get(case=case).state == "done"


def test_a_channel_change_re_evaluates_every_case_touching_the_state(researcher, django_capture_on_commit_callbacks):
    case = scenarios.ordinary_request()
    from jurisdictions.models import RiskAssessment, TransferChannel
    RiskAssessment.objects.create(jurisdiction=state("RU"), torture_risk="high", summary="Torture documented")
    with django_capture_on_commit_callbacks(execute=True):
        save_fact(TransferChannel(from_jurisdiction=state("AT"), to_jurisdiction=state("RU"),
                                  kind="security_services", name="Police cooperation"), researcher)
    evaluation = risk.latest_evaluation(case)
    assert evaluation.explanation["onward_path"] == [] or True  # R = P = Austria: axis B does not apply
    assert EvaluationRequest.objects.get(case=case).state == "done"


def test_a_lost_doorbell_is_run_by_the_sweep():
    from cases import tasks
    case = scenarios.paraskevich()
    with transaction.atomic():
        risk.mark_pending([case.pk])  # the ledger row is written; pretend Redis lost the message
    assert risk.latest_evaluation(case) is None
    tasks.evaluate_pending.delay()
    assert risk.latest_evaluation(case).level == "high"
    assert EvaluationRequest.objects.get(case=case).state == "done"


def test_bulk_evaluation_takes_a_fixed_number_of_queries(django_assert_max_num_queries):
    cases = [scenarios.paraskevich().pk] + [scenarios.ordinary_request().pk for _ in range(15)]
    risk.Config.current()
    with django_assert_max_num_queries(40):
        assert risk.evaluate_many(cases)["stored"] == 16


def test_an_interpol_notice_against_a_political_figure_fires_a9_and_not_against_an_ordinary_suspect():
    political = scenarios.paraskevich()
    request = political.requests.get()
    request.interpol_notice = "red"
    request.save()
    assert "A9" in fired(risk.evaluate_case(political.pk), "A")
    ordinary = scenarios.ordinary_request()
    ordinary_request = ordinary.requests.get()
    ordinary_request.interpol_notice = "red"
    ordinary_request.save()
    assert fired(risk.evaluate_case(ordinary.pk)) == ["A7"]


def test_a_case_rising_by_a_level_is_flagged_even_below_high():
    case = scenarios.ordinary_request()
    first = risk.evaluate_case(case.pk)
    assert first.level == "low" and not RiskFlag.objects.filter(case=case).exists()
    PoliticalRole.objects.create(person=case.person, role="journalist", date=D(2015, 1, 1), date_precision="year")
    evaluation = risk.evaluate_case(case.pk)
    assert fired(evaluation) == ["A2", "A4", "A7"] and evaluation.score == 40
    assert evaluation.level == "medium" and evaluation.flagged
    assert "rose a level, from low to medium" in evaluation.flag_reason
    assert RiskFlag.objects.get(case=case).status == FlagStatus.OPEN


def test_an_evaluation_keeps_the_weights_it_was_decided_under_when_an_admin_changes_them():
    case = scenarios.paraskevich()
    before = risk.evaluate_case(case.pk)
    b4 = RiskRule.objects.get(code="B4")
    b4.weight = 25
    b4.save()
    after = risk.evaluate_case(case.pk)
    before = RiskEvaluation.objects.get(pk=before.pk)
    assert (rule(before, "B4")["weight"], rule(before, "B4")["points"], before.axis_b) == (10, 10, 60)
    assert (rule(after, "B4")["weight"], after.axis_b) == (25, 75)
    assert rule(before, "B5") == {"code": "B5", "weight": 5, "fired": False}  # weights of rules that did not fire too


def test_the_stored_explanation_holds_references_and_the_shown_one_names_dates_and_cites_the_facts():
    case = scenarios.paraskevich()
    charge = case.charges.get(charging_state=state("UA"))
    factories.cite(charge, factories.source("Prosecutor's statement", stance="supportive"), position="disputes")
    evaluation = RiskEvaluation.objects.get(pk=risk.evaluate_case(case.pk).pk)
    stored = str(evaluation.stored_explanation)
    assert f"charge:{charge.pk}" in stored and "Embezzlement" not in stored and "Conseil d'État" not in stored
    b3 = rule(evaluation, "B3")
    assert (b3["name"], b3["basis"]) == ("Persecuting state steers the request", "Conseil d'État, 9 Dec 2016, no. 394399 (L12)")
    fact = next(f for f in b3["facts"] if f["pk"] == charge.pk)
    assert fact["label"] == "Ukraine: Embezzlement" and fact["contested"] and b3["contested"]
    assert fact["sources"] == [{"title": "Prosecutor's statement", "stance": "supportive", "position": "disputes"}]


def test_a_deleted_fact_is_still_named_by_the_evaluations_that_rested_on_it():
    case = scenarios.paraskevich()
    evaluation = risk.evaluate_case(case.pk)
    charge = case.charges.get(charging_state=state("UA"))
    charge.deleted_at = timezone.now()
    charge.save()
    evaluation = RiskEvaluation.objects.get(pk=evaluation.pk)
    assert any(f["label"] == "Ukraine: Embezzlement (since deleted)" for f in rule(evaluation, "B3")["facts"])


def test_the_case_s_evaluations_read_their_explanations_together(django_assert_max_num_queries):
    case = scenarios.paraskevich()
    risk.evaluate_case(case.pk)
    PoliticalRole.objects.create(person=case.person, role="journalist", date=D(2019, 1, 1))
    risk.evaluate_case(case.pk)
    factories.event(case, "warrant", "Kazakh arrest warrant", date=D(2012, 1, 1), jurisdiction=state("KZ"))
    risk.evaluate_case(case.pk)
    # One query per kind of fact shown (six here), not per evaluation.
    with django_assert_max_num_queries(11):
        evaluations = list(RiskEvaluation.objects.filter(case=case))
        assert len(evaluations) == 3 and all(ev.explanation["rules"] for ev in evaluations)


def test_an_evaluation_stored_in_full_before_the_compact_form_reads_as_it_was():
    case = scenarios.ordinary_request()
    full = {"requesting": "Russia", "rules": [{"code": "A1", "name": "Torture in custody", "weight": 15, "fired": True,
                                               "points": 15, "facts": []}, {"code": "A2", "weight": 20, "fired": False}]}
    evaluation = RiskEvaluation.objects.create(case=case, as_of=D(2020, 1, 1), score=15, axis_a=15, axis_b=0,
                                               level="low", stored_explanation=full, fingerprint="old")
    evaluation = RiskEvaluation.objects.get(pk=evaluation.pk)
    assert evaluation.explanation == full and evaluation.fired_codes == ["A1"]
