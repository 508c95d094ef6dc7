"""Small factories: just enough data for the behaviour under test."""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from cases.models import Case, Charge, Decision, Event, ExtraditionRequest
from jurisdictions.models import Jurisdiction
from people.models import NameVariant, Person
from sources.models import Citation, Source

_counter = itertools.count(1)

STATES = {
    "FR": "France", "ES": "Spain", "CZ": "Czech Republic", "RU": "Russia", "UA": "Ukraine",
    "KZ": "Kazakhstan", "GB": "United Kingdom", "CH": "Switzerland", "AT": "Austria",
    "KG": "Kyrgyzstan", "BY": "Belarus", "UZ": "Uzbekistan", "US": "United States",
    "PL": "Poland", "DE": "Germany", "IT": "Italy",
}


def state(code):
    jurisdiction, _ = Jurisdiction.objects.get_or_create(code=code, defaults={"name": STATES.get(code, code)})
    return jurisdiction


def user(role=None, username=None, second_factor=None, **extra):
    """An account with ``role``. Admins and lawyers must have a second factor to use Onward
    (core/middleware.py), so they get a TOTP authenticator unless ``second_factor=False``;
    tests/browser/conftest.py's log_in answers its code."""
    username = username or f"{role or 'user'}{next(_counter)}"
    account = get_user_model().objects.create_user(username=username, password="correct horse battery staple",
                                                   **extra)
    if role:
        account.groups.add(Group.objects.get_or_create(name=role)[0])
    if second_factor if second_factor is not None else role in {"admin", "lawyer"}:
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        TOTP.activate(account, generate_totp_secret())
    return account


def person(name="Test Person", variants=(), **fields):
    record = Person.objects.create(primary_name=name, **fields)
    NameVariant.objects.create(person=record, name=name, kind="primary")
    for variant in variants:
        NameVariant.objects.create(person=record, name=variant)
    return record


def case(title=None, who=None, persecuting="KZ", host=None, **fields):
    who = who or person(f"Person {next(_counter)}")
    return Case.objects.create(
        person=who, title=title or f"{who} case", persecuting_state=state(persecuting),
        host_state=state(host) if host else None, **fields,
    )


def source(title="A report", stance="critical", **fields):
    return Source.objects.create(title=title, stance=stance, **fields)


def cite(fact, src=None, quote="", position="supports"):
    return Citation.objects.create(fact=fact, source=src or source(), quote=quote, position=position)


def charge(the_case, state_code="KZ", category="economic", **fields):
    fields.setdefault("offence", "Embezzlement")
    fields.setdefault("date", datetime.date(2009, 1, 1))
    fields.setdefault("date_precision", "year")
    return Charge.objects.create(case=the_case, charging_state=state(state_code), category=category, **fields)


def request(the_case, requesting="KZ", requested="ES", **fields):
    fields.setdefault("date", datetime.date(2012, 6, 1))
    fields.setdefault("date_precision", "month")
    return ExtraditionRequest.objects.create(
        case=the_case, requesting_state=state(requesting), requested_state=state(requested), **fields
    )


def decision(the_case, **fields):
    fields.setdefault("date", datetime.date(2013, 4, 17))
    fields.setdefault("level", "first_instance")
    fields.setdefault("outcome", "refused")
    fields.setdefault("body_name", "A court")
    return Decision.objects.create(case=the_case, **fields)


def event(the_case, kind="arrest", title="Arrested", **fields):
    fields.setdefault("date", datetime.date(2013, 7, 31))
    return Event.objects.create(case=the_case, kind=kind, title=title, **fields)
