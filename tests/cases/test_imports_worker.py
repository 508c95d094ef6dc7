"""A large spreadsheet is previewed and imported in a real Celery worker (Redis, PostgreSQL), not in the request."""

import time

import pytest
from django.urls import reverse

from cases.imports.models import ImportRun
from people.models import Person
from tests import factories
from tests.worker import Worker

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker"), pytest.mark.django_db(transaction=True)]


def wait_for(run, statuses, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in statuses:
            return
        time.sleep(0.5)


def test_a_large_file_is_imported_by_the_worker(client, broker, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path))  # the worker reads the stored file from the same place
    settings.IMPORT_TASK_THRESHOLD = 5
    factories.state("KZ")
    researcher = factories.user("researcher")
    client.force_login(researcher)
    content = ("name,citizenship\n" + "".join(f"{first} {last},KZ\n" for first, last in [
        ("Aman", "Ketebayev"), ("Mukhtar", "Ablyazov"), ("Tatiana", "Paraskevich"), ("Alexandr", "Pavlov"),
        ("Muratbek", "Ketebayev"), ("Bolat", "Abilov"), ("Serik", "Medetbekov")])).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(reverse("imports:start"), {"kind": "persons", "file": SimpleUploadedFile("p.csv", content)})
    run = ImportRun.objects.get()
    client.post(reverse("imports:columns", args=[run.pk]), {"col_name": "name", "col_citizenship": "citizenship"})
    worker = Worker().start()
    try:
        wait_for(run, {"previewed", "failed"})  # the worker prepares the preview first
        assert len(run.preview) == 7, run.failure
        client.post(reverse("imports:preview", args=[run.pk]), {})
        wait_for(run, {"done", "failed"})
    finally:
        worker.stop()
    assert (run.status, run.rows_created) == ("done", 7), run.failure
    assert Person.objects.count() == 7
    assert "7 created" in client.get(reverse("imports:run", args=[run.pk])).content.decode()
