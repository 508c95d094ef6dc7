"""Timeline exports: the PDF a lawyer takes to court, CSV/JSON for other tools, and who may export what."""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AccessEvent
from cases import timeline
from cases.exports.models import ExportJob
from people.models import Protection
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor_prompt(settings, tmp_path):
    # Two-factor enrolment (issue 7) is tested on its own; here lawyers go straight to the case.
    settings.ONWARD_MFA_REQUIRED_ROLES = []
    settings.EXPORT_ROOT = tmp_path / "exports"


def pdf_text(content):
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def squash(text):
    """pypdf breaks lines where the PDF wraps them; compare on words alone."""
    return " ".join(text.split())


@pytest.fixture
def ketebayev():
    who = factories.person("Muratbek Ketebayev", variants=["Муратбек Кетебаев", "Muratbek Ketebaev"],
                           description="Kazakh opposition figure", whereabouts_city="Kraków",
                           whereabouts_address="ul. Floriańska 3")
    who.citizenships.add(factories.state("KZ"))
    who.residence = factories.state("PL")
    who.save()
    the_case = factories.case("Ketebayev extradition from Poland", who=who, host="PL")
    Protection.objects.create(person=who, kind="refugee", granted_by=factories.state("PL"),
                              against_state=factories.state("KZ"), date=datetime.date(2012, 4, 1),
                              date_precision="month")
    hrw = factories.source("Poland: Don’t extradite Kazakh activist", publisher="Human Rights Watch",
                           url="https://www.hrw.org/news/ketebayev", date=datetime.date(2013, 6, 14))
    tass = factories.source("Генпрокуратура Казахстана о Кетебаеве", publisher="ТАСС", stance="supportive",
                            date=datetime.date(2013, 6, 20))
    charge = factories.charge(the_case, offence="Inciting social discord", article="Art. 164",
                              category="political", date=datetime.date(2012, 1, 1), date_precision="year")
    factories.cite(charge, hrw, quote="charged with inciting social discord", position="supports")
    arrest = factories.event(the_case, kind="arrest", title="Arrested in Spain on a Kazakh request",
                             place="Madrid", date=datetime.date(2013, 6, 13))
    factories.cite(arrest, hrw, quote="was arrested on June 13", position="supports")
    contested = factories.event(the_case, kind="ill_treatment", title="Beaten in pre-trial detention",
                                date=datetime.date(2009, 1, 1), date_precision="approx", claim_status="contested")
    factories.cite(contested, hrw, quote="reports of beatings", position="supports")
    factories.cite(contested, tass, quote="утверждения не подтвердились", position="disputes")
    factories.decision(the_case, body_name="Audiencia Nacional", outcome="refused",
                       date=datetime.date(2013, 12, 1), date_precision="month")
    secret = factories.event(the_case, kind="other", title="Moved to a safe house", confidential=True,
                             date=datetime.date(2014, 2, 3))
    factories.cite(secret, hrw, quote="safe house")
    return the_case


def export(client, the_case, fmt="pdf", **params):
    return client.get(reverse("cases:timeline_download", args=[the_case.pk, fmt]), params)


# --- the PDF -------------------------------------------------------------------------------------------------

def test_pdf_holds_every_fact_every_citation_and_the_cyrillic_names(client, lawyer, ketebayev):
    client.force_login(lawyer)
    response = export(client, ketebayev)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text, reader = pdf_text(response.content)
    flat = squash(text)
    for name in ["Muratbek Ketebayev", "Муратбек Кетебаев", "Muratbek Ketebaev"]:
        assert name in flat
    assert "Kazakhstan" in flat and "Poland" in flat  # citizenship, residence
    assert "Refugee status granted by Poland against Kazakhstan" in flat
    for entry in timeline.build(ketebayev, include_confidential=False):
        assert squash(entry.title) in flat, entry.title
        assert entry.date_display in flat, entry.date_display
        for citation in entry.citations:
            assert squash(citation.source.title) in flat
            assert squash(citation.quote) in flat
    assert "https://www.hrw.org/news/ketebayev" in flat
    assert "c. 2009" in flat and "December 2013" in flat and "13 June 2013" in flat
    # Embedded fonts, so the Cyrillic prints the same everywhere.
    fonts = {font.get_object()["/BaseFont"] for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert all("DejaVu" in str(font) for font in fonts), fonts


@pytest.fixture
def ruling_cited_at_page_2(ketebayev, lawyer, settings, tmp_path):
    """The Audiencia Nacional's ruling, uploaded to a source and cited at page 2 by the refusal."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sources.documents import store
    from sources.models import Citation
    from tests.sources.pdfs import make_pdf

    settings.MEDIA_ROOT = tmp_path / "media"
    source = factories.source("Audiencia Nacional, auto of 2 December 2013", publisher="Audiencia Nacional")
    content = make_pdf(["Antecedentes", "La Sala deniega la extradicion", "Fallo"])
    document = store(source, SimpleUploadedFile("auto-audiencia.pdf", content, "application/pdf"), lawyer)
    decision = ketebayev.decisions.get()
    Citation.objects.create(fact=decision, source=source, document=document, document_page=2,
                            quote="deniega la extradicion", position="supports")
    return document


def test_a_cited_file_is_printed_with_its_page_and_hash_in_every_format(client, lawyer, ketebayev,
                                                                        ruling_cited_at_page_2):
    document = ruling_cited_at_page_2
    client.force_login(lawyer)
    flat = squash(pdf_text(export(client, ketebayev).content)[0])
    assert f"File: auto-audiencia.pdf p. 2, SHA-256 {document.sha256}" in flat.replace("- ", "-")

    rows = list(csv.DictReader(io.StringIO(export(client, ketebayev, "csv").content.decode("utf-8-sig"))))
    refusal = next(row for row in rows if "Audiencia Nacional" in row["title"])
    assert f"file auto-audiencia.pdf p. 2, sha256 {document.sha256[:12]}…" in refusal["sources"]

    data = json.loads(export(client, ketebayev, "json").content)
    files = [c["file"] for entry in data["entries"] for c in entry["citations"] if c["file"]]
    assert files == [{"name": "auto-audiencia.pdf", "page": 2, "sha256": document.sha256,
                      "label": f"auto-audiencia.pdf p. 2, sha256 {document.sha256[:12]}…"}]


def test_every_page_carries_confidential_page_numbers_and_who_generated_it(client, lawyer, ketebayev):
    lawyer.first_name, lawyer.last_name = "Lara", "Novak"
    lawyer.save()
    client.force_login(lawyer)
    _, reader = pdf_text(export(client, ketebayev).content)
    total = len(reader.pages)
    assert total >= 2  # cover, then the chronology
    today = timezone.localdate().strftime("%d %B %Y")
    for number, page in enumerate(reader.pages, start=1):
        text = squash(page.extract_text())
        assert "CONFIDENTIAL" in text
        assert f"Page {number} of {total}" in text
        assert f"Generated by Lara Novak on {today}" in text


def test_contested_facts_are_marked_with_the_sources_on_each_side(client, lawyer, ketebayev):
    client.force_login(lawyer)
    flat = squash(pdf_text(export(client, ketebayev).content)[0])
    start = flat.index("Beaten in pre-trial detention")
    block = flat[start:start + 600]
    assert "CONTESTED" in block
    assert block.index("Sources supporting") < block.index("reports of beatings")
    assert block.index("Sources disputing") < block.index("утверждения не подтвердились")


def test_contested_claims_can_be_left_out(client, lawyer, ketebayev):
    client.force_login(lawyer)
    flat = squash(pdf_text(export(client, ketebayev, contested="leave_out").content)[0])
    assert "Beaten in pre-trial detention" not in flat
    assert "Arrested in Spain" in flat
    assert "Contested claims are left out." in flat


def test_date_range_and_sections_limit_the_chronology(client, lawyer, ketebayev):
    client.force_login(lawyer)
    flat = squash(pdf_text(export(client, ketebayev, start="2013", end="June 2013", sections="event").content)[0])
    assert "Arrested in Spain" in flat
    assert "Inciting social discord" not in flat  # a charge: section left out
    assert "Beaten in pre-trial detention" not in flat  # c. 2009: before the range
    assert "Audiencia Nacional" not in flat  # a decision, and December 2013


def test_confidential_facts_and_whereabouts_are_left_out_by_default(client, lawyer, ketebayev):
    ketebayev.team.add(lawyer)
    client.force_login(lawyer)
    flat = squash(pdf_text(export(client, ketebayev).content)[0])
    assert "Moved to a safe house" not in flat
    assert "Kraków" not in flat and "Floriańska" not in flat


def test_the_team_gets_confidential_facts_when_it_asks(client, lawyer, ketebayev):
    ketebayev.team.add(lawyer)
    client.force_login(lawyer)
    flat = squash(pdf_text(export(client, ketebayev, confidential="on").content)[0])
    assert "Moved to a safe house" in flat
    assert "Kraków, ul. Floriańska 3" in flat
    assert "are INCLUDED" in flat


def test_confidential_export_is_refused_outside_the_team(client, lawyer, ketebayev):
    client.force_login(lawyer)
    response = client.post(reverse("cases:timeline_options", args=[ketebayev.pk]), {"format": "pdf", "confidential": "on"})
    assert response.status_code == 403
    assert "Only the case team can export confidential facts" in response.content.decode()
    assert not AccessEvent.objects.filter(action="export").exists()


def test_a_vague_date_is_printed_with_its_precision(client, lawyer, ketebayev):
    client.force_login(lawyer)
    flat = squash(pdf_text(export(client, ketebayev).content)[0])
    assert "c. 2009" in flat and "April 2012" in flat
    assert "1 January 2012" not in flat  # a year is never printed as a false day
    assert "1 January 2009" not in flat


# --- CSV and JSON -------------------------------------------------------------------------------------------

def test_csv_round_trips_to_the_timeline(client, lawyer, ketebayev):
    client.force_login(lawyer)
    response = export(client, ketebayev, "csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    entries = timeline.build(ketebayev, include_confidential=False)
    assert [row["ref"] for row in rows] == [entry.ref for entry in entries]
    for row, entry in zip(rows, entries, strict=True):
        assert row["title"] == entry.title
        assert row["date_display"] == entry.date_display
        assert row["date"] == (entry.date.isoformat() if entry.date else "")
        assert row["contested"] == ("yes" if entry.contested else "no")
        lines = row["sources"].splitlines() if row["sources"] else []
        assert len(lines) == len(entry.citations)
        for line, citation in zip(lines, entry.citations, strict=True):
            assert line.startswith(citation.source.title)
            assert citation.position in line


def test_json_round_trips_to_the_timeline(client, lawyer, ketebayev):
    client.force_login(lawyer)
    data = json.loads(export(client, ketebayev, "json").content)
    entries = timeline.build(ketebayev, include_confidential=False)
    assert data["person"]["primary_name"] == "Muratbek Ketebayev"
    assert "Муратбек Кетебаев" in data["person"]["names"]
    assert [e["ref"] for e in data["entries"]] == [entry.ref for entry in entries]
    for item, entry in zip(data["entries"], entries, strict=True):
        assert (item["title"], item["date_display"], item["precision"], item["contested"]) == (
            entry.title, entry.date_display, entry.precision, entry.contested)
        assert [(c["source"]["title"], c["quote"], c["position"]) for c in item["citations"]] == [
            (c.source.title, c.quote, c.position) for c in entry.citations]


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, lawyer, ketebayev):
    factories.event(ketebayev, title="=HYPERLINK(\"http://evil\")", date=datetime.date(2015, 1, 1))
    client.force_login(lawyer)
    rows = list(csv.DictReader(io.StringIO(export(client, ketebayev, "csv").content.decode("utf-8-sig"))))
    assert "'=HYPERLINK(\"http://evil\")" in [row["title"] for row in rows]


def test_data_exports_are_not_cached(client, lawyer, ketebayev):
    client.force_login(lawyer)
    for fmt in ["pdf", "csv", "json"]:
        assert "no-store" in export(client, ketebayev, fmt)["Cache-Control"]


# --- who may export, and the record of it -----------------------------------------------------------------

def test_every_export_is_recorded_with_its_options(client, lawyer, ketebayev):
    client.force_login(lawyer)
    export(client, ketebayev, "csv", start="2012", contested="leave_out", sections=["event", "charge"])
    event = AccessEvent.objects.get(action="export")
    assert event.user == lawyer
    assert event.case_id == ketebayev.pk
    assert event.details["format"] == "csv"
    options = event.details["options"]
    assert options["start"] == "2012-01-01" and options["start_text"] == "2012"
    assert options["include_contested"] is False and options["include_confidential"] is False
    assert sorted(options["sections"]) == ["charge", "event"]


@pytest.mark.parametrize("role", ["viewer", "researcher"])
def test_viewers_and_researchers_cannot_export(client, role, ketebayev):
    client.force_login(factories.user(role))
    for response in [export(client, ketebayev), export(client, ketebayev, "csv"),
                     client.get(reverse("cases:timeline_options", args=[ketebayev.pk])),
                     client.get(reverse("cases:case_calendar", args=[ketebayev.pk]))]:
        assert response.status_code == 403
    assert not AccessEvent.objects.filter(action="export").exists()


def test_outsiders_get_404_for_every_export_url_of_a_restricted_case(client, lawyer, ketebayev):
    ketebayev.restricted = True
    ketebayev.save()
    client.force_login(lawyer)
    urls = [reverse("cases:timeline_options", args=[ketebayev.pk]), reverse("cases:case_calendar", args=[ketebayev.pk])]
    urls += [reverse("cases:timeline_download", args=[ketebayev.pk, fmt]) for fmt in ["pdf", "csv", "json"]]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(urls[0], {"format": "pdf"}).status_code == 404
    ketebayev.team.add(lawyer)
    assert export(client, ketebayev).status_code == 200


def test_bad_options_change_nothing_and_say_why(client, lawyer, ketebayev):
    client.force_login(lawyer)
    response = client.post(reverse("cases:timeline_options", args=[ketebayev.pk]),
                           {"format": "pdf", "start": "2015", "end": "the other day"})
    assert response.status_code == 400
    assert "is not a date we can read" in response.content.decode()
    assert not AccessEvent.objects.filter(action="export").exists()


def test_the_export_form_is_offered_from_the_case_page(client, lawyer, ketebayev):
    client.force_login(lawyer)
    page = client.get(reverse("cases:detail", args=[ketebayev.pk])).content.decode()
    assert reverse("cases:timeline_options", args=[ketebayev.pk]) in page
    form = client.get(reverse("cases:timeline_options", args=[ketebayev.pk])).content.decode()
    assert "Export the timeline of Muratbek Ketebayev" in form
    assert '<label for="id_start">From</label>' in form


# --- large exports in the background ------------------------------------------------------------------------

def test_a_large_export_runs_as_a_task_and_gives_the_same_pdf(client, lawyer, ketebayev, settings,
                                                             django_capture_on_commit_callbacks):
    client.force_login(lawyer)
    small = squash(pdf_text(export(client, ketebayev).content)[0])
    settings.EXPORT_ASYNC_THRESHOLD = 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:timeline_options", args=[ketebayev.pk]), {"format": "pdf"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:timeline_job", args=[job.pk])
    assert job.status == "done" and job.progress == 100
    status = client.get(reverse("cases:timeline_job_status", args=[job.pk])).json()
    assert status == {"status": "done", "status_display": "Ready", "progress": 100, "error": "", "ready": True}
    page = client.get(reverse("cases:timeline_job", args=[job.pk])).content.decode()
    assert reverse("cases:timeline_job_file", args=[job.pk]) in page
    assert "js/export-progress.js" in page
    download = client.get(reverse("cases:timeline_job_file", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert "no-store" in download["Cache-Control"]
    large = squash(pdf_text(download.content)[0])
    # Same facts and sources; only the generation time in the footer may differ.
    assert large.split("Generated by")[0] == small.split("Generated by")[0]
    assert AccessEvent.objects.filter(action="download", case_id=ketebayev.pk).exists()


def test_a_background_export_is_only_for_its_owner_while_they_see_the_case(client, lawyer, ketebayev, settings,
                                                                          django_capture_on_commit_callbacks):
    settings.EXPORT_ASYNC_THRESHOLD = 1
    client.force_login(lawyer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("cases:timeline_options", args=[ketebayev.pk]), {"format": "pdf"})
    job = ExportJob.objects.get()
    other = factories.user("lawyer")
    client.force_login(other)
    for name in ["timeline_job", "timeline_job_status", "timeline_job_file"]:
        assert client.get(reverse(f"cases:{name}", args=[job.pk])).status_code == 404
    ketebayev.restricted = True
    ketebayev.save()
    client.force_login(lawyer)
    assert client.get(reverse("cases:timeline_job_file", args=[job.pk])).status_code == 404


def test_a_get_link_never_starts_a_background_export(client, lawyer, ketebayev, settings):
    settings.EXPORT_ASYNC_THRESHOLD = 1
    client.force_login(lawyer)
    response = export(client, ketebayev)
    assert response.status_code == 200
    assert "will be prepared in the background" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_the_task_is_idempotent(lawyer, ketebayev, settings):
    from cases.exports.service import run_job

    job = ExportJob.objects.create(owner=lawyer, case=ketebayev, options={})
    run_job(job.pk)
    job.refresh_from_db()
    first = (job.status, job.file_name, job.finished_at)
    run_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.file_name, job.finished_at) == first == ("done", first[1], first[2])


def test_a_task_for_a_case_the_owner_can_no_longer_see_fails_cleanly(lawyer, ketebayev):
    from cases.exports.service import run_job

    job = ExportJob.objects.create(owner=lawyer, case=ketebayev, options={})
    ketebayev.restricted = True
    ketebayev.save()
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.error == "You can no longer export this case." and not job.file_name


def test_exports_tasks_are_registered_with_celery():
    from config.celery import app

    app.loader.import_default_modules()
    assert "cases.exports.tasks.prepare_export" in app.tasks


def test_the_cover_prints_the_current_risk_rule_by_rule(client, lawyer, ketebayev):
    from cases.risk import evaluate_case

    factories.request(ketebayev, requesting="KZ", requested="ES", status="in_court")
    evaluation = evaluate_case(ketebayev.pk)
    client.force_login(lawyer)
    pages = PdfReader(io.BytesIO(export(client, ketebayev).content)).pages
    cover = squash(pages[0].extract_text() + " " + pages[1].extract_text())  # a long rule list runs over
    assert f"{evaluation.get_level_display()} — score {evaluation.score}/100" in cover
    assert evaluation.explanation["rules"]
    for rule in evaluation.explanation["rules"]:
        assert rule["code"] in cover
    for rule in evaluation.fired_rules:
        assert f"+{rule['points']} points" in cover


def test_without_an_evaluation_the_cover_says_so(client, lawyer, ketebayev):
    client.force_login(lawyer)
    cover = squash(PdfReader(io.BytesIO(export(client, ketebayev).content)).pages[0].extract_text())
    assert "No risk evaluation has been stored for this case yet." in cover


def test_the_demo_ablyazov_case_exports_every_fact_source_and_spelling(client, lawyer):
    from django.core.management import call_command

    from cases.models import Case

    call_command("load_demo", verbosity=0)
    case = Case.objects.get(key="ablyazov")
    client.force_login(lawyer)
    flat = squash(pdf_text(export(client, case).content)[0])
    assert "Мухтар Аблязов" in flat and "Mukhtar Ablyazov" in flat
    entries = timeline.build(case, include_confidential=False)
    assert len(entries) > 20
    for entry in entries:
        assert squash(entry.title) in flat, entry.title
        assert squash(entry.date_display) in flat
        for citation in entry.citations:
            assert squash(citation.source.title)[:60] in flat
            assert squash(citation.quote) in flat, citation.quote
    assert "Conseil d'État" in flat or "Conseil d’État" in flat


def test_the_sweep_finishes_jobs_whose_task_was_lost_or_whose_worker_died(lawyer, ketebayev,
                                                                        django_capture_on_commit_callbacks):
    from cases.exports.tasks import requeue_stale_exports

    long_ago = timezone.now() - datetime.timedelta(hours=1)
    lost = ExportJob.objects.create(owner=lawyer, case=ketebayev, options={}, created_at=long_ago)
    dead = ExportJob.objects.create(owner=lawyer, case=ketebayev, options={}, created_at=long_ago,
                                    status="running", started_at=long_ago, progress=40)
    busy = ExportJob.objects.create(owner=lawyer, case=ketebayev, options={}, created_at=long_ago,
                                    status="running", started_at=timezone.now(), progress=40)
    with django_capture_on_commit_callbacks(execute=True):
        requeue_stale_exports()
    for job in (lost, dead, busy):
        job.refresh_from_db()
    assert (lost.status, lost.progress) == (dead.status, dead.progress) == ("done", 100)
    assert (busy.status, busy.progress) == ("running", 40)  # another worker is on it


@pytest.mark.parametrize("fmt", ["pdf", "csv", "json"])
def test_export_queries_do_not_grow_with_the_timeline(client, lawyer, ketebayev, fmt,
                                                     django_assert_max_num_queries):
    src = factories.source("Wire report", publisher="Reuters")
    for n in range(60):
        factories.cite(factories.event(ketebayev, title=f"Hearing {n}", date=datetime.date(2015, 1, 1 + n % 28)),
                       src, quote=f"quote {n}")
    client.force_login(lawyer)
    with django_assert_max_num_queries(45):
        response = export(client, ketebayev, fmt)
    assert "Hearing 59" in (squash(pdf_text(response.content)[0]) if fmt == "pdf" else response.content.decode())
