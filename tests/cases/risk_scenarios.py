"""The calibration scenarios of the domain brief (§4), built from the seeds' facts with factories."""

import datetime

from cases.models import Assurance
from jurisdictions.models import Membership, RiskAssessment, TransferChannel
from people.models import PoliticalRole, Protection, Relationship
from tests import factories
from tests.factories import state

D = datetime.date


def world():
    """States' records and channels as the seeds describe them."""
    for code in ("KZ", "RU"):
        RiskAssessment.objects.get_or_create(
            jurisdiction=state(code), defaults={"torture_risk": "high", "ignores_echr_judgments": True,
                                                "summary": "Torture in custody documented", "assessed_on": D(2010, 1, 1)})
    RiskAssessment.objects.get_or_create(jurisdiction=state("UA"), defaults={
        "torture_risk": "medium", "summary": "Ill-treatment reported", "assessed_on": D(2010, 1, 1)})
    for code in ("KZ", "RU", "BY"):
        Membership.objects.get_or_create(jurisdiction=state(code), body="minsk", defaults={"since": D(1994, 1, 1)})
    Membership.objects.get_or_create(jurisdiction=state("UA"), body="minsk",
                                     defaults={"since": D(1994, 1, 1), "status": "unclear"})
    Membership.objects.get_or_create(jurisdiction=state("RU"), body="echr",
                                     defaults={"since": D(1998, 5, 5), "until": D(2022, 9, 16), "status": "withdrawn"})
    TransferChannel.objects.get_or_create(from_jurisdiction=state("FR"), to_jurisdiction=state("KZ"),
                                          kind="bilateral_treaty", defaults={"status": "absent"})
    for code in ("FR", "ES", "CZ", "PL", "DE", "IT", "AT"):
        Membership.objects.get_or_create(jurisdiction=state(code), body="eu", defaults={"since": D(2004, 5, 1)})


def opposition_figure(name="Mukhtar Ablyazov"):
    figure = factories.person(name)
    PoliticalRole.objects.create(person=figure, role="opposition_politician", title="Co-founder of Democratic Choice",
                                 date=D(2001, 1, 1), date_precision="year")
    return figure


def paraskevich():
    """S2: in the Czech Republic, sought by Ukraine; Kazakhstan's prosecutor 'directly involved'."""
    world()
    figure = opposition_figure()
    who = factories.person("Tatiana Paraskevich", variants=["Tatyana Paraskevich"])
    Relationship.objects.create(person=who, other=figure, kind="political_associate", date=D(2009, 1, 1),
                                date_precision="year")
    case = factories.case("Paraskevich", who=who, persecuting="KZ", host="CZ")
    factories.charge(figure_case(figure), "KZ", victim="BTA Bank", offence="Embezzlement from BTA Bank")
    charge = factories.charge(case, "UA", victim="BTA Bank", offence="Embezzlement", instigated_by=state("KZ"))
    request = factories.request(case, "UA", "CZ", date=D(2011, 2, 1))
    request.charges.add(charge)
    return case


_figure_cases = {}


def figure_case(figure):
    if figure.pk not in _figure_cases or not type(_figure_cases[figure.pk]).objects.filter(
            pk=_figure_cases[figure.pk].pk).exists():
        _figure_cases[figure.pk] = factories.case(f"{figure} case", who=figure, persecuting="KZ", host="GB")
    return _figure_cases[figure.pk]


def ablyazov():
    """S1: in France at the decree (17 Sep 2015); R Russia, P Kazakhstan; UK asylum 2011."""
    world()
    who = opposition_figure()
    case = factories.case("Ablyazov", who=who, persecuting="KZ", host="FR")
    factories.charge(case, "KZ", victim="BTA Bank", offence="Embezzlement from BTA Bank")
    ru_charge = factories.charge(case, "RU", victim="BTA Bank", offence="Fraud", instigated_by=state("KZ"))
    request = factories.request(case, "RU", "FR", date=D(2013, 8, 1), status="annulled")
    request.charges.add(ru_charge)
    Assurance.objects.create(request=request, kind="no_torture", given_by="Russian Prosecutor General")
    Protection.objects.create(person=who, kind="asylum", granted_by=state("GB"), against_state=state("KZ"),
                              date=D(2011, 7, 1), date_precision="month")
    factories.event(case, "arrest", "Arrested near Cannes", date=D(2013, 7, 31), jurisdiction=state("FR"))
    factories.event(case, "coercion", "BTA managers' confessions coerced", date=D(2012, 1, 1),
                    date_precision="year", perpetrator_state=state("KZ"))
    other = factories.case("Another exile", persecuting="KZ", host="RU")
    factories.event(other, "abduction_attempt", "Abduction in Moscow", date=D(2012, 6, 1), date_precision="month",
                    jurisdiction=state("RU"), perpetrator_state=state("KZ"))
    factories.decision(case, request=request, level="executive", outcome="granted", body_name="French Prime Minister",
                       date=D(2015, 9, 17), jurisdiction=state("FR"))
    factories.decision(case, request=request, level="admin_supreme", outcome="annulled", body_name="Conseil d'État",
                       date=D(2016, 12, 9), jurisdiction=state("FR"), ground_political=True,
                       reference="no. 394399")
    return case


def pavlov():
    """S3: Aleksandr Pavlov, Ketebayev's bodyguard, in Spain; R = P = Kazakhstan."""
    world()
    ketebayev = opposition_figure("Muratbek Ketebayev")
    who = factories.person("Aleksandr Pavlov")
    Relationship.objects.create(person=who, other=ketebayev, kind="bodyguard", date=D(2011, 1, 1),
                                date_precision="year")
    case = factories.case("Pavlov", who=who, persecuting="KZ", host="ES")
    factories.charge(case, "KZ", category="terrorism", offence="Preparation of a terrorist act")
    request = factories.request(case, "KZ", "ES", date=D(2013, 1, 1), date_precision="month", status="refused")
    factories.event(case, "arrest", "Arrested in Madrid", date=D(2012, 12, 1), jurisdiction=state("ES"))
    factories.decision(case, request=request, level="first_instance", outcome="refused",
                       body_name="Audiencia Nacional (plenary)", date=D(2013, 4, 17), jurisdiction=state("ES"))
    factories.event(case, "release", "Released", date=D(2013, 4, 18), jurisdiction=state("ES"))
    return case


def mamai():
    """S6: a journalist in Kazakhstan with a suspended sentence; no request."""
    world()
    who = factories.person("Zhanbolat Mamai")
    PoliticalRole.objects.create(person=who, role="journalist", title="Editor", date=D(2017, 1, 1),
                                 date_precision="year")
    case = factories.case("Mamai", who=who, persecuting="KZ", host="KZ", status="watch")
    factories.charge(case, "KZ", status="convicted", offence="Money laundering", sentence="Suspended")
    return case


def bta_employee():
    """S7: a BTA employee sought by Kazakhstan from Russia: general risk only."""
    world()
    who = factories.person("Tatiana Yefimova")
    PoliticalRole.objects.create(person=who, role="employee", title="BTA Bank manager", date=D(2008, 1, 1),
                                 date_precision="year")
    case = factories.case("Yefimova", who=who, persecuting="KZ", host="RU")
    factories.charge(case, "KZ", victim="BTA Bank", offence="Embezzlement")
    factories.request(case, "KZ", "RU", date=D(2010, 1, 1))
    return case


def ordinary_request():
    """No channel to a torture-risk state, no political profile: Austria asks Italy for a fraud suspect."""
    case = factories.case("Ordinary fraud", persecuting="AT", host="IT")
    factories.charge(case, "AT", offence="Fraud")
    factories.request(case, "AT", "IT", date=D(2020, 1, 1))
    return case
