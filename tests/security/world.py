"""A restricted case with one of every object other pages point at, and a user per role."""

import datetime
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@dataclass
class World:
    case: object
    users: dict
    arguments: dict = field(default_factory=dict)


def restricted_world():
    from cases.exports.models import CalendarFeedToken, ExportJob
    from cases.imports.models import ImportRun

    users = {
        "viewer": factories.user("viewer", username="team-viewer"),
        "researcher": factories.user("researcher", username="team-researcher"),
        "lawyer": factories.user("lawyer", username="team-lawyer"),
        "admin": factories.user("admin", username="the-admin"),
        "outsider": factories.user("researcher", username="outsider"),
    }
    from tests.cases import risk_scenarios

    case = risk_scenarios.paraskevich()  # flagged by the risk rules, so the review pages have a real flag
    case.restricted = True
    case.save()
    person = case.person
    person.whereabouts_city, person.phone = "Secret City", "+420 600 000 000"
    person.save()
    case.team.add(users["viewer"], users["researcher"], users["lawyer"])
    charge = factories.charge(case)
    factories.request(case)
    factories.event(case, date=datetime.date(2013, 7, 31))
    source = factories.source("A court ruling")
    factories.cite(charge, source)
    try:
        from sources import documents

        document = documents.store(source, SimpleUploadedFile("ruling.pdf", PDF), users["researcher"])
        document_id = document.pk
    except Exception:  # noqa: BLE001 - a document failing to store leaves the id of nothing
        document_id = 999_999
    job = ExportJob.objects.create(owner=users["researcher"], case=case, format="pdf")
    _, token = CalendarFeedToken.issue(users["researcher"])
    run = ImportRun.objects.create(kind="cases", created_by=users["researcher"], file_name="cases.csv",
                                   file_sha256="0" * 64, stored_file="imports/none.csv")
    from cases import risk
    from cases.risk_models import RiskFlag

    risk.evaluate_case(case.pk)
    flag = RiskFlag.objects.filter(case=case).first()
    arguments = {
        "pk": case.pk, "kind": "charge", "obj_pk": charge.pk,
        "history_id": charge.history.latest().history_id, "fmt": "pdf", "job_id": job.pk, "token": token,
        "flag": flag.pk if flag else 999_999, "source": source.pk, "document": document_id, "run": run.pk,
        "key": "nokey", "uidb36": "1", "rest": "no/such/thing", "person": person.pk, "person_id": person.pk, "case_id": case.pk,
    }
    return World(case=case, users=users, arguments=arguments)
