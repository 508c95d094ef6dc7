"""The demo data: every seed fact loads, with its source, date precision and both sides of a
contested claim; a second load changes nothing; every spelling reaches the same person."""

import datetime
import io
import json
import shutil

import pytest
from django.core.management import call_command
from django.db import transaction

from cases import demo
from cases.models import Case, Charge, Claim, Decision, Event, EventKind, ExtraditionRequest
from core.dates import Precision, Qualifier
from jurisdictions.models import Membership, RiskAssessment, TransferChannel
from people import search
from people.models import NameVariant, Organisation, OrganisationName, Person, Protection, Relationship
from people.names import clean, search_key
from sources.models import Citation, Source

SEEDS = demo.DEMO_DIR / "seeds"
SEED_FILES = {path.name[:3]: path for path in SEEDS.glob("0*.txt")}

# What the demo data holds; docs/demo-data.md lists the same figures.
EXPECTED_COUNTS = {
    "sources": 28, "citations": 659, "jurisdictions": 15, "memberships": 94, "risk assessments": 4,
    "transfer channels": 30, "organisations": 55, "organisation names": 27, "persons": 72, "name variants": 98,
    "political roles": 78, "relationships": 18, "affiliations": 30, "protections": 3, "cases": 13, "charges": 19,
    "extradition requests": 4, "assurances": 1, "decisions": 16, "events": 43, "claims": 29,
}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """Load once for the module (the load takes seconds) and roll it back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo.load()
        yield
        transaction.set_rollback(True)


pytestmark = pytest.mark.usefixtures("loaded", "db")


def case(key):
    return Case.objects.get(key=key)


def history_rows():
    return {model.__name__: model.history.count() for model in demo.COUNTED}


def test_every_model_holds_the_expected_number_of_records():
    assert demo.counts() == EXPECTED_COUNTS


def test_the_five_seeds_are_sources_with_their_stance_towards_kazakhstan():
    stances = {s.key: (s.stance, s.stance_towards.code) for s in Source.objects.filter(key__in=SEED_FILES)}
    assert stances == {"000": ("critical", "KZ"), "001": ("supportive", "KZ"), "002": ("critical", "KZ"),
                       "003": ("critical", "KZ"), "004": ("supportive", "KZ")}
    assert Source.objects.get(key="001").date == datetime.date(2025, 3, 29)
    assert Source.objects.get(key="004").author == "Luc Rodehefer"
    # [002]'s title is stored as printed, with its Cyrillic "с".
    assert "\u0441alled" in Source.objects.get(key="002").title


def test_every_seed_citation_quotes_its_seed_verbatim():
    texts = {key: clean(path.read_text(encoding="utf-8")) for key, path in SEED_FILES.items()}
    citations = Citation.objects.filter(source__key__in=texts).select_related("source")
    assert citations.count() > 500
    missing = [(c.source.key, c.quote[:80]) for c in citations if not c.quote or clean(c.quote) not in texts[c.source.key]]
    assert missing == []


def test_context_from_outside_the_seeds_cites_its_own_source_with_an_address():
    outside = Source.objects.exclude(key__in=SEED_FILES).exclude(key="ft-information-wars")
    assert {s.kind for s in outside} == {"treaty_text", "case_law"}
    assert all(s.url.startswith("https://") for s in outside)
    # every membership and channel cites something
    for model in (Membership, TransferChannel, RiskAssessment):
        assert not model.objects.filter(citations__isnull=True).exists(), model


def test_the_council_of_state_annuls_the_decree_of_17_september_2015_in_december_2016():
    annulment = Decision.objects.get(case=case("ablyazov"), body__key="conseil-etat")
    assert (annulment.outcome, annulment.level) == ("annulled", "admin_supreme")
    assert annulment.date_precision == Precision.MONTH
    assert annulment.date == datetime.date(2016, 12, 1)
    assert annulment.date_display == "December 2016"
    assert annulment.date_text == "in December 2016"
    assert annulment.ground_political and not annulment.ground_torture
    decree = annulment.reviews
    assert decree.body_name == "French Prime Minister" and decree.outcome == "granted"
    assert (decree.date, decree.date_precision) == (datetime.date(2015, 9, 17), Precision.DAY)
    assert decree.reviews.body_name == "French courts"
    request = annulment.request
    assert (request.requesting_state.code, request.requested_state.code, request.on_behalf_of.code) == ("RU", "FR", "KZ")
    assert request.status == "annulled"
    assert {c.source.key for c in request.citations.all()} >= {"002"}
    assert "no extradition treaty with France" in " ".join(c.quote for c in request.citations.all())


def test_ukraine_also_requested_ablyazov_from_france():
    request = ExtraditionRequest.objects.get(case=case("ablyazov"), requesting_state__code="UA")
    assert (request.requested_state.code, request.on_behalf_of.code) == ("FR", "KZ")
    assert "000" in {c.source.key for c in request.citations.all()}


def test_the_ablyazov_history_in_kazakhstan_keeps_its_dates():
    decisions = {d.body_name: d for d in Decision.objects.filter(case=case("ablyazov"))}
    assert decisions["European Parliament"].date == datetime.date(2003, 2, 13)
    assert decisions["European Parliament"].reviews.date == datetime.date(2002, 7, 18)
    assert decisions["President Nursultan Nazarbayev (decree)"].outcome == "pardoned"
    assert decisions["President Nursultan Nazarbayev (decree)"].date == datetime.date(2003, 5, 13)
    emigration = Event.objects.get(case=case("ablyazov"), kind=EventKind.EMIGRATION)
    assert (emigration.date_display, emigration.date_precision) == ("2009", Precision.YEAR)
    protection = Protection.objects.get(person__key="ablyazov")
    assert (protection.granted_by.code, protection.against_state.code, protection.date_display) == ("GB", "KZ", "2011")


def test_the_spanish_court_refused_aleksandr_pavlov_on_17_april_2013():
    refusal = Decision.objects.get(case=case("aleksandr-pavlov"))
    assert (refusal.jurisdiction.code, refusal.outcome) == ("ES", "refused")
    assert (refusal.date, refusal.date_precision) == (datetime.date(2013, 4, 17), Precision.DAY)
    assert (refusal.request.requesting_state.code, refusal.request.status) == ("KZ", "refused")
    assert case("aleksandr-pavlov").charges.get().category == "terrorism"


def test_paraskevich_is_sought_by_ukraine_from_the_czech_republic_with_kazakh_prosecutors_involved():
    paraskevich = case("paraskevich")
    assert paraskevich.host_state.code == "CZ"
    request = paraskevich.requests.get()
    assert (request.requesting_state.code, request.requested_state.code, request.status) == ("UA", "CZ", "received")
    charge = request.charges.get()
    assert (charge.instigated_by.code, charge.victim, charge.brought_by.key) == ("KZ", "BTA Bank", "ua-prosecutor")
    assert paraskevich.charges.filter(charging_state__code="RU").exists()
    assert not paraskevich.requests.filter(requesting_state__code="RU").exists()  # Russian charges, no Russian request


def test_the_vienna_attack_has_both_victims_and_the_interpreter():
    attack = Event.objects.get(case=case("musayev"), kind=EventKind.ATTACK)
    assert (attack.date, attack.place, attack.perpetrator_state.code) == (datetime.date(2008, 9, 25), "Vienna", "KZ")
    assert {p.key for p in attack.people.all()} == {"aliyev", "aykmayer"}
    wounded = Claim.objects.get(case=case("aliyev"), statement__startswith="Aliyev suffered")
    assert wounded.claim_status == "contested"
    assert {c.position for c in wounded.citations.all()} == {"supports", "disputes"}


def test_attacks_abroad_keep_their_dates_places_and_hedges():
    svoik = Event.objects.get(case=case("svoik"), kind=EventKind.ATTACK)
    assert (svoik.date, svoik.jurisdiction.code, [p.key for p in svoik.people.all()]) == (
        datetime.date(1997, 12, 1), "KG", ["chumakova"])
    moldashev = {e.kind: e for e in Event.objects.filter(case=case("moldashev"))}
    assert moldashev[EventKind.SURVEILLANCE].date == datetime.date(2011, 3, 25)
    assert moldashev[EventKind.ATTACK].date == datetime.date(2011, 3, 26)
    disappearance = moldashev[EventKind.DISAPPEARANCE]
    assert disappearance.date_qualifier == Qualifier.BETWEEN
    assert disappearance.date_end == datetime.date(2011, 3, 30)
    assert "Presumably" in disappearance.description or "presumably" in disappearance.description.lower()
    kurmanov = Event.objects.get(case=case("kurmanov"), kind=EventKind.ABDUCTION_ATTEMPT)
    assert (kurmanov.date, kurmanov.perpetrator_state.code) == (datetime.date(2012, 12, 15), "KZ")
    leak = Event.objects.get(case=case("ablyazov"), kind=EventKind.LEAK)
    assert (leak.date_display, leak.date_precision) == ("2014", Precision.YEAR)


def test_the_contested_claim_on_ablyazovs_prosecution_cites_both_sides():
    claim = Claim.objects.get(case=case("ablyazov"), statement__startswith="Ablyazov's prosecution is political")
    assert claim.claim_status == "contested"
    sides = {}
    for citation in claim.citations.select_related("source"):
        sides.setdefault(citation.position, set()).add(citation.source.key)
    assert sides == {"supports": {"000", "002", "003"}, "disputes": {"001", "004"}}


def test_the_risk_rules_find_what_the_seeds_state():
    russian = Charge.objects.get(case=case("ablyazov"), charging_state__code="RU")
    assert (russian.instigated_by.code, russian.victim, russian.category) == ("KZ", "BTA Bank", "economic")
    assert Charge.objects.get(case=case("ablyazov"), charging_state__code="KZ", date__year=2009).victim == "BTA Bank"
    torture = Event.objects.get(case=case("ablyazov"), kind=EventKind.ILL_TREATMENT)
    assert torture.perpetrator_state.code == "KZ"
    coercion = Event.objects.get(case=case("ablyazov"), kind=EventKind.COERCION, perpetrator_state__code="RU")
    assert {p.key for p in coercion.people.all()} == {"volkov", "tischenko"}
    assert TransferChannel.objects.get(from_jurisdiction__code="KZ", to_jurisdiction__code="FR").status == "absent"
    assert TransferChannel.objects.filter(from_jurisdiction__code="KZ", to_jurisdiction__code="RU",
                                          instrument="minsk").exists()
    russia = RiskAssessment.objects.get(jurisdiction__code="RU")
    assert (russia.torture_risk, russia.ignores_echr_judgments) == ("high", True)
    assert "torture is practiced systematically" in " ".join(c.quote for c in russia.citations.all())
    echr = Membership.objects.get(jurisdiction__code="RU", body="echr")
    assert (echr.status, echr.until) == ("withdrawn", datetime.date(2022, 9, 16))
    assurance = ExtraditionRequest.objects.get(case=case("ablyazov"), requesting_state__code="RU").assurances.get()
    assert not (assurance.disclosed or assurance.specific or assurance.monitored)
    in_absentia = Decision.objects.filter(in_absentia=True).values_list("case__key", flat=True)
    assert set(in_absentia) == {"kazhegeldin", "musayev", "aliyev"}


def test_one_case_per_pursued_person_all_against_kazakhstan():
    keys = set(Case.objects.values_list("key", flat=True))
    assert keys == {"ablyazov", "paraskevich", "aleksandr-pavlov", "ketebayev", "khrapunov", "kazhegeldin", "musayev",
                    "aliyev", "moldashev", "kurmanov", "svoik", "mamai", "kozlov"}
    assert set(Case.objects.values_list("persecuting_state__code", flat=True)) == {"KZ"}
    assert set(Case.objects.values_list("status", flat=True)) <= {"open", "watch"}


@pytest.mark.parametrize(("spelling", "person"), [
    ("Muratbek Ketebaev", "ketebayev"), ("Ketebayev", "ketebayev"), ("Кетебаев", "ketebayev"),
    ("Tatyana Paraskevich", "paraskevich"), ("Tatiana Paraskevich", "paraskevich"), ("Параскевич", "paraskevich"),
    ("Alnar Musayev", "musayev"), ("Alnur Musaev", "musayev"),
    ("Daniar Moldashev", "moldashev"), ("Daniyar Moldashev", "moldashev"),
    ("Abliazov", "ablyazov"), ("Аблязов", "ablyazov"), ("Muižnieks", "muiznieks"),
])
def test_a_spelling_variant_reaches_the_same_person(spelling, person):
    key = search_key(spelling)
    found = {v.person.key for v in NameVariant.objects.select_related("person") if key in v.search_key}
    assert found == {person}
    # and the name search a researcher uses puts that person first
    assert search.rank(spelling)[0].person_id == Person.objects.get(key=person).pk


def test_searching_pavlov_finds_two_different_people():
    found = {match.person_id for match in search.rank("Pavlov") if match.exact}
    assert found == set(Person.objects.filter(key__in=["aleksandr-pavlov", "andrey-pavlov"]).values_list("pk", flat=True))


def test_the_seeds_spellings_are_stored_with_the_seed_that_prints_them():
    variant = NameVariant.objects.get(name="Muratbek Ketebaev")
    assert (variant.person.key, variant.kind, variant.source.key) == ("ketebayev", "transliteration", "003")
    cyrillic = NameVariant.objects.get(name="Муратбек Кетебаев")
    assert (cyrillic.script, cyrillic.kind, cyrillic.source) == ("cyrillic", "native", None)
    assert cyrillic.system == "Russian Cyrillic (editorial)"
    # "Moguls Jenses" is kept exactly as [002] prints it.
    assert Person.objects.get(key="jenses").primary_name == "Moguls Jenses"


def test_people_and_bodies_the_seeds_keep_apart_stay_apart():
    assert Person.objects.filter(primary_name__in=["Aleksandr Pavlov", "Andrey Pavlov"]).count() == 2
    bodyguard = Relationship.objects.get(kind="bodyguard")
    assert (bodyguard.person.key, bodyguard.other.key) == ("aleksandr-pavlov", "ketebayev")
    assert Person.objects.get(key="andrey-pavlov").affiliations.get().organisation.key == "bta-bank"
    assert Person.objects.get(key="lev-ponomarev") != Person.objects.get(key="ilya-ponomarev")
    assert {o.key for o in Organisation.objects.filter(name__in=["Respublika", "Golos Respubliki"])} == {
        "respublika", "golos-respubliki"}
    assert set(OrganisationName.objects.filter(organisation__key="nsc").values_list("name", flat=True)) >= {
        "NSC", "Committee of National Security of Kazakhstan"}
    assert not OrganisationName.objects.filter(organisation__key="nsc", name__icontains="intelligence").exists()
    assert OrganisationName.objects.filter(organisation__key="memorial").count() >= 3
    assert Organisation.objects.get(key="democratic-choice") != Organisation.objects.get(key="democratic-party-kz")


def test_loading_twice_changes_nothing():
    counts, history = demo.counts(), history_rows()
    result = demo.load()
    assert result == {"created": 0, "updated": 0}
    assert demo.counts() == counts
    assert history_rows() == history


def test_the_command_prints_counts_per_model():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert "0 records created, 0 updated" in text
    assert "cases: 13" in text and "citations: 659" in text


def test_bad_data_fails_loudly_naming_the_file_and_record_and_changes_nothing(tmp_path):
    shutil.copytree(demo.DEMO_DIR, tmp_path / "demo", ignore=shutil.ignore_patterns("seeds"))
    cases_file = tmp_path / "demo" / "cases.json"
    data = json.loads(cases_file.read_text(encoding="utf-8"))
    data["cases"][0]["title"] = "Changed before the bad record"
    data["cases"][-1]["events"][0]["state"] = "XX"
    cases_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    counts = demo.counts()
    with pytest.raises(demo.DemoDataError, match=r"cases\.json: case kozlov, event .*unknown jurisdiction code “XX”"):
        demo.load(tmp_path / "demo")
    assert demo.counts() == counts
    assert case("ablyazov").title != "Changed before the bad record"


def test_invalid_values_are_refused_by_full_clean(tmp_path):
    shutil.copytree(demo.DEMO_DIR, tmp_path / "demo", ignore=shutil.ignore_patterns("seeds"))
    cases_file = tmp_path / "demo" / "cases.json"
    data = json.loads(cases_file.read_text(encoding="utf-8"))
    data["cases"][0]["charges"][0]["category"] = "heresy"
    cases_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(demo.DemoDataError, match=r"cases\.json: case ablyazov, charge kz-2002: category"):
        demo.load(tmp_path / "demo")


@pytest.mark.parametrize(("key", "as_of", "expected"), [
    # domain brief §4: (axis A, axis B, level, flagged, urgency)
    ("ablyazov", datetime.date(2015, 9, 17), (75, 95, "critical", True, 3)),  # S1, at the decree
    ("paraskevich", None, (40, 60, "high", True, 1)),  # S2
    ("aleksandr-pavlov", datetime.date(2013, 4, 1), (70, 0, "high", True, 1)),  # S3, before the refusal
    ("aleksandr-pavlov", datetime.date(2013, 5, 1), (70, 0, "high", False, 0)),  # S3, after it: watch
    ("ketebayev", None, (70, 0, "high", False, 0)),  # S4
    ("khrapunov", None, (65, 0, "high", False, 0)),  # S5
    ("mamai", None, (0, 0, "low", False, 0)),  # S6
])
def test_the_demo_data_reproduces_the_risk_calibration(key, as_of, expected):
    from cases import risk

    risk.ensure_defaults()
    pk = case(key).pk
    result = risk.evaluate(risk.load([pk])[pk], risk.World(), risk.Config.current(), as_of=as_of)
    assert (result["axis_a"], result["axis_b"], result["level"], result["flagged"], result["urgency"]) == expected
    if key == "ablyazov":
        assert result["bar_ignored"] and "X1" in result["bars"]
