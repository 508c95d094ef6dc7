"""A large export prepared by a real Celery worker on the real Redis, downloaded by its owner."""

import io
import time

import pytest
from celery import Celery
from django.urls import reverse
from pypdf import PdfReader

from cases.exports.models import ExportJob
from tests import factories
from tests.worker import Worker

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker"), pytest.mark.django_db(transaction=True)]


def test_a_real_worker_prepares_the_pdf_and_its_owner_downloads_it(client, settings, tmp_path):
    settings.ONWARD_MFA_REQUIRED_ROLES = []
    settings.EXPORT_ROOT = tmp_path / "exports"
    worker = Worker()
    worker.env["MEDIA_ROOT"] = str(tmp_path)  # the worker writes where the web process reads
    worker.start()
    try:
        lara = factories.user("lawyer", username="lara")
        the_case = factories.case("Ketebayev extradition", who=factories.person("Muratbek Ketebayev",
                                                                                 variants=["Муратбек Кетебаев"]))
        for n in range(5):
            factories.cite(factories.event(the_case, title=f"Hearing {n}"), quote=f"quote {n}")
        job = ExportJob.objects.create(owner=lara, case=the_case, options={"include_contested": True})
        Celery("onward-test", broker=worker.redis_url).send_task("cases.exports.tasks.prepare_export",
                                                                args=[job.pk])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status in ("done", "failed"):
                break
            time.sleep(0.3)
    finally:
        worker.stop()
    assert (job.status, job.progress, job.entry_count) == ("done", 100, 5)
    client.force_login(lara)
    content = client.get(reverse("cases:timeline_job_file", args=[job.pk])).content
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())
    assert "Муратбек Кетебаев" in text and "Hearing 4" in text and "quote 4" in text
