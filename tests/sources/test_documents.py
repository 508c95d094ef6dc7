import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AccessEvent
from cases import timeline
from sources import documents
from sources.models import Citation, Document
from tests import factories

from .pdfs import make_pdf

RULING = make_pdf(["Cour d'appel d'Aix-en-Provence, 9 janvier 2014.",
                   "The court refuses extradition: the request pursues a political aim."])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(client, source, content=RULING, name="court-ruling.pdf", **data):
    return client.post(reverse("sources:documents", args=[source.pk]),
                       {"file": SimpleUploadedFile(name, content), **data})


@pytest.fixture
def ruling_source(db):
    return factories.source("Aix appeal court ruling", kind="court_document")


def test_uploaded_ruling_is_stored_with_hash_size_type_uploader_and_text_per_page(client, researcher, ruling_source,
                                                                                   media):
    client.force_login(researcher)
    response = upload(client, ruling_source)
    document = Document.objects.get()
    assert response.status_code == 302
    assert document.sha256 == hashlib.sha256(RULING).hexdigest()
    assert document.size == len(RULING)
    assert document.media_type == "application/pdf"
    assert document.created_by == researcher
    assert document.original_name == "court-ruling.pdf"
    assert (media / documents.storage_name(document.sha256)).read_bytes() == RULING
    assert [page.number for page in document.pages.all()] == [1, 2]
    assert "political aim" in document.pages.get(number=2).text
    listing = client.get(reverse("sources:documents", args=[ruling_source.pk])).content.decode()
    assert "court-ruling.pdf" in listing and document.sha256[:12] in listing


def test_a_web_page_named_pdf_is_refused_with_a_reason_and_nothing_is_stored(client, researcher, ruling_source):
    client.force_login(researcher)
    response = upload(client, ruling_source, b"<!DOCTYPE html><html><script>alert(1)</script>", "ruling.pdf")
    page = response.content.decode()
    assert response.status_code == 200
    assert "looks like a web page (HTML), which Onward does not keep" in page
    assert "Allowed are PDF" in page
    assert not Document.all_objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, researcher, ruling_source, settings):
    settings.DOCUMENT_MAX_BYTES = 200
    client.force_login(researcher)
    response = upload(client, ruling_source)
    assert "files may be at most 0.0 MB" in response.content.decode()
    assert not Document.all_objects.exists()


def test_the_same_file_twice_is_offered_as_the_stored_document(client, researcher, ruling_source):
    client.force_login(researcher)
    upload(client, ruling_source)
    response = upload(client, ruling_source, name="copy-of-ruling.pdf")
    page = response.content.decode()
    existing = Document.objects.get()
    assert "This file is already stored as “court-ruling.pdf” in this source." in page
    assert reverse("sources:document", args=[existing.pk]) in page
    assert Document.objects.count() == 1


def test_the_same_file_under_another_source_is_offered_and_can_be_attached_on_purpose(client, researcher,
                                                                                       ruling_source, media):
    client.force_login(researcher)
    upload(client, ruling_source)
    press = factories.source("Press report quoting the ruling")
    offered = upload(client, press)
    assert "already stored as “court-ruling.pdf” in the source “Aix appeal court ruling”" in offered.content.decode()
    assert Document.objects.count() == 1
    upload(client, press, accept_duplicate="on")
    assert Document.objects.filter(source=press).count() == 1
    assert len(list((media / "documents").rglob("*"))) == 2  # one folder, one stored copy


def test_download_is_an_audited_attachment_that_browsers_may_not_sniff(client, viewer, ruling_source, researcher):
    client.force_login(researcher)
    upload(client, ruling_source)
    document = Document.objects.get()
    factories.cite(factories.case(), ruling_source)  # cited by a case the viewer may see
    client.force_login(viewer)
    response = client.get(reverse("sources:download", args=[document.pk]))
    assert b"".join(response.streaming_content) == RULING
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="court-ruling.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    event = AccessEvent.objects.get(action="download")
    assert event.user == viewer and event.details["sha256"] == document.sha256


def test_an_outsider_cannot_reach_a_restricted_cases_file_by_guessing_urls(client, make_user, ruling_source):
    team_member, outsider = make_user("researcher"), make_user("researcher")
    secret = factories.case("Restricted client", restricted=True)
    secret.team.add(team_member)
    factories.cite(factories.decision(secret), ruling_source)
    client.force_login(team_member)
    upload(client, ruling_source)
    document = Document.objects.get()

    client.force_login(outsider)
    for name, pk in [("sources:documents", ruling_source.pk), ("sources:document", document.pk),
                     ("sources:download", document.pk), ("sources:cite", document.pk)]:
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert upload(client, ruling_source, make_pdf(["other"])).status_code == 404
    search = client.get(reverse("sources:document_search"), {"q": "political aim"}).content.decode()
    assert "0 pages found" in search and "court-ruling.pdf, p." not in search
    assert not AccessEvent.objects.filter(action="download").exists()

    client.force_login(team_member)
    assert client.get(reverse("sources:download", args=[document.pk])).status_code == 200


def test_a_viewer_can_read_but_not_upload(client, viewer, ruling_source):
    client.force_login(viewer)
    page = client.get(reverse("sources:documents", args=[ruling_source.pk])).content.decode()
    assert "Add a file" not in page
    assert upload(client, ruling_source).status_code == 403
    assert not Document.objects.exists()


def test_search_finds_the_page_a_phrase_is_on(client, researcher, ruling_source):
    client.force_login(researcher)
    upload(client, ruling_source)
    page = client.get(reverse("sources:document_search"), {"q": "POLITICAL aim"}).content.decode()
    assert "1 page found" in page
    assert "court-ruling.pdf, p. 2" in page


def test_citing_page_two_from_a_decision_shows_page_and_hash_on_the_timeline(client, researcher, ruling_source):
    the_case = factories.case("Ablyazov")
    decision = factories.decision(the_case, body_name="Aix-en-Provence Court of Appeal")
    client.force_login(researcher)
    upload(client, ruling_source)
    document = Document.objects.get()
    url = reverse("sources:cite", args=[document.pk]) + f"?case={the_case.pk}"
    form = client.get(url).content.decode()
    assert f"decision-{decision.pk}" in form

    response = client.post(url, {"fact": f"decision-{decision.pk}", "page": 2, "quote": "", "position": "supports"})
    assert response.status_code == 302
    citation = Citation.objects.get()
    assert (citation.fact, citation.document, citation.document_page, citation.page) == (decision, document, 2, "p. 2")
    assert citation.document_label == f"court-ruling.pdf p. 2, sha256 {document.sha256[:12]}…"
    entry = next(e for e in timeline.build(the_case) if e.kind == "decision")
    assert [c.document_label for c in entry.citations] == [citation.document_label]


def test_a_page_the_file_does_not_have_is_refused(client, researcher, ruling_source):
    decision = factories.decision(factories.case())
    client.force_login(researcher)
    upload(client, ruling_source)
    document = Document.objects.get()
    url = reverse("sources:cite", args=[document.pk]) + f"?case={decision.case_id}"
    response = client.post(url, {"fact": f"decision-{decision.pk}", "page": 7, "position": "supports"})
    assert "The file has only 2 pages." in response.content.decode()
    assert not Citation.objects.exists()


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize(("head", "members", "expected"), [
    (b"\x89PNG\r\n\x1a\n0000", None, "image/png"),
    (b"\xff\xd8\xff\xe0JFIF", None, "image/jpeg"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", None, "image/webp"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", None, "application/msword"),
    (None, {"[Content_Types].xml": "<x/>", "word/document.xml": "<w/>"},
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (None, {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"},
     "application/vnd.oasis.opendocument.text"),
    (b"MZ\x90\x00", None, None),
    (None, {"evil.exe": "MZ"}, None),
])
def test_the_type_is_read_from_the_content(head, members, expected):
    fileobj = _zip(members) if members else None
    head = fileobj.getvalue()[:4096] if fileobj else head
    assert documents.sniff(head, fileobj)[0] == expected


def test_files_of_a_source_no_case_cites_yet_are_readable_only_by_their_uploader(client, researcher, viewer):
    uncited = factories.source("Papers for a restricted client", stance="neutral")
    client.force_login(researcher)
    upload(client, uncited)
    document = Document.objects.get(source=uncited)
    assert client.get(reverse("sources:download", args=[document.pk])).status_code == 200
    client.force_login(viewer)
    assert client.get(reverse("sources:download", args=[document.pk])).status_code == 404
