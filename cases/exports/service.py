"""Exporting a case timeline: who may, what they get, and the record of it.

Views call ``export_now`` (small exports, returned at once), ``start_job`` (large PDFs, prepared by
``cases.exports.tasks.prepare_export``) and the calendar helpers. Every export is written to the
access log with its format and options, whichever path it takes."""

import dataclasses
import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from audit import log
from core.roles import can_export, is_admin
from people.models import NameVariant

from .. import timeline
from ..models import Case
from ..models import RiskRule as RuleRecord
from ..risk import latest_evaluation
from . import ics, pdf, tabular
from .models import CalendarFeedToken, ExportJob, ExportStatus

FORMATS = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
}
SECTION_NAMES = dict(timeline.SECTIONS)


class ConfidentialRefused(PermissionDenied):
    """Confidential facts were asked for by someone outside the case team."""


@dataclasses.dataclass(frozen=True)
class ExportOptions:
    start: datetime.date | None = None
    end: datetime.date | None = None
    sections: tuple = ()  # empty: every section
    include_contested: bool = True
    include_confidential: bool = False
    # The range as the exporter typed it ("2009", "March 2013"), for the cover and the log.
    start_text: str = ""
    end_text: str = ""

    def to_dict(self):
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "start_text": self.start_text, "end_text": self.end_text,
            "sections": list(self.sections),
            "include_contested": self.include_contested,
            "include_confidential": self.include_confidential,
        }

    @classmethod
    def from_dict(cls, data):
        return cls(
            start=datetime.date.fromisoformat(data["start"]) if data.get("start") else None,
            end=datetime.date.fromisoformat(data["end"]) if data.get("end") else None,
            start_text=data.get("start_text", ""), end_text=data.get("end_text", ""),
            sections=tuple(data.get("sections") or ()),
            include_contested=data.get("include_contested", True),
            include_confidential=data.get("include_confidential", False),
        )

    def timeline_kwargs(self):
        return {"include_confidential": self.include_confidential, "include_contested": self.include_contested,
                "start": self.start, "end": self.end, "sections": set(self.sections) or None}

    def describe(self):
        """Sentences for the cover: what this export holds and what it leaves out."""
        sentences = []
        if self.start or self.end:
            sentences.append(f"Date range: {self.start_text or 'the beginning'} to {self.end_text or 'today'}; "
                             "facts whose possible dates overlap the range are kept.")
        if self.sections:
            sentences.append("Sections: " + ", ".join(SECTION_NAMES.get(s, s) for s in self.sections) + ".")
        else:
            sentences.append("Sections: all.")
        sentences.append("Contested claims are included and marked." if self.include_contested
                         else "Contested claims are left out.")
        sentences.append("Confidential facts and the person’s whereabouts are INCLUDED: handle accordingly."
                         if self.include_confidential else
                         "Confidential facts and the person’s whereabouts are left out.")
        return sentences


def may_see_confidential(user, case):
    """Field-level confidentiality: the case team and admins, nobody else."""
    return is_admin(user) or case.team.filter(pk=user.pk).exists()


def check_may_export(user, case, options):
    if not can_export(user):
        raise PermissionDenied("Only lawyers and admins can export a case.")
    if options.include_confidential and not may_see_confidential(user, case):
        raise ConfidentialRefused("Only the case team can export confidential facts and whereabouts.")


# --- what an export holds -------------------------------------------------------------------------------

@dataclasses.dataclass
class RiskRule:
    name: str
    fired: bool
    why: str


@dataclasses.dataclass
class RiskSummary:
    level: str
    headline: str
    rules: list


def risk_summary(case):
    """The current stored evaluation (``cases.risk.latest_evaluation``) as the cover prints it: the
    level and score, then every rule, with the points, note, facts and legal basis of those that apply."""
    evaluation = latest_evaluation(case)
    if evaluation is None:
        return None
    explanation = evaluation.explanation or {}
    # The stored explanation names the rules that fired; the others are named from the rule table.
    names = dict(RuleRecord.objects.values_list("code", "name"))
    rules = []
    for rule in explanation.get("rules", []):
        code = str(rule.get("code", ""))
        name = " ".join(bit for bit in [code, str(rule.get("name") or names.get(code, ""))] if bit)
        if rule.get("fired"):
            note = str(rule.get("note") or "")
            bits = [f"+{rule['points']} points" if rule.get("points") is not None else "", note[:1].upper() + note[1:]]
            facts = [f"{fact.get('date_display') or 'undated'}: {fact.get('label', '')}"
                     + (" (contested)" if fact.get("contested") else "") for fact in rule.get("facts", [])]
            if facts:
                bits.append("Facts: " + "; ".join(facts))
            if rule.get("basis"):
                bits.append(f"Basis: {rule['basis']}")
            why = ". ".join(str(bit).rstrip(".") for bit in bits if bit) + "."
        else:
            why = "Does not apply to the facts on file."
        rules.append(RiskRule(name=name or "rule", fired=bool(rule.get("fired")), why=why))
    headline = (f" — score {evaluation.score}/100 (A, risk in the requesting state: {evaluation.axis_a}; "
                f"B, onward transfer to the persecuting state: {evaluation.axis_b}), evaluated {evaluation.evaluated_at:%d %B %Y}")
    bars = [f"{bar.get('code', '')} {bar.get('name', '')}".strip() for bar in explanation.get("bars", [])]
    if bars:
        headline += ". Legal bars: " + "; ".join(bars)
    if evaluation.flagged and evaluation.flag_reason:
        headline += f". Flagged: {evaluation.flag_reason}"
    return RiskSummary(level=evaluation.get_level_display(), headline=headline + ".", rules=rules)


def entries_for(case, options):
    return timeline.build(case, **options.timeline_kwargs())


def cover_for(case, options, entries):
    person = case.person
    names = list(NameVariant.objects.filter(person=person).order_by("kind", "name"))
    whereabouts = ""
    if options.include_confidential:
        whereabouts = ", ".join(bit for bit in [person.whereabouts_city, person.whereabouts_address, person.phone]
                                if bit)
    protections = [e for e in timeline.build(case, sections={"protection"},
                                             include_confidential=options.include_confidential)]
    return pdf.Cover(
        case=case, person=person, names=names, citizenships=list(person.citizenships.all()),
        residence=person.residence, whereabouts=whereabouts, protections=protections, risk=risk_summary(case),
        options_text=options.describe(), entry_count=len(entries),
    )


def exporter_name(user):
    return user.get_full_name() or user.get_username()


def file_name(case, fmt, when):
    person = slugify(case.person.primary_name) or f"case-{case.pk}"
    return f"onward-{person}-timeline-{when:%Y-%m-%d}.{fmt}"


def render(case, fmt, options, entries, *, user, when, progress=None):
    if fmt == "pdf":
        return pdf.render(cover_for(case, options, entries), entries, generated_by=exporter_name(user),
                          generated_at=timezone.localtime(when), progress=progress)
    if fmt == "csv":
        return tabular.to_csv(entries).encode()
    if fmt == "json":
        header = {
            "case": {"id": case.pk, "title": case.title, "status": case.status},
            "person": {"primary_name": case.person.primary_name,
                       "names": list(NameVariant.objects.filter(person=case.person).values_list("name", flat=True))},
            "generated_by": exporter_name(user), "generated_at": when.isoformat(), "options": options.to_dict(),
        }
        return tabular.to_json(header, entries).encode()
    raise ValueError(f"Unknown export format {fmt!r}")


# --- the two paths ---------------------------------------------------------------------------------------

def runs_in_background(fmt, entries):
    return fmt == "pdf" and len(entries) > settings.EXPORT_ASYNC_THRESHOLD


@dataclasses.dataclass
class Download:
    name: str
    content_type: str
    content: bytes


def export_now(request, case, fmt, options, entries=None):
    """Render and return at once, recording the export. ``case`` comes from ``visible_to``."""
    check_may_export(request.user, case, options)
    entries = entries if entries is not None else entries_for(case, options)
    when = timezone.now()
    content = render(case, fmt, options, entries, user=request.user, when=when)
    log.record(request, "export", case=case, obj=case, format=fmt, options=options.to_dict(), entries=len(entries))
    return Download(file_name(case, fmt, when), FORMATS[fmt], content)


def start_job(request, case, fmt, options, entries_count=0):
    """Record a background export and queue its task once the row is committed."""
    check_may_export(request.user, case, options)
    from .tasks import prepare_export

    with transaction.atomic():
        job = ExportJob.objects.create(owner=request.user, case=case, format=fmt, options=options.to_dict(),
                                       entry_count=entries_count)
        log.record(request, "export", case=case, obj=case, format=fmt, options=options.to_dict(),
                   entries=entries_count, job=job.pk)
        transaction.on_commit(lambda: prepare_export.delay(job.pk))
    return job


# A running job not finished within this long is presumed abandoned by a dead worker.
EXPORT_LEASE = datetime.timedelta(minutes=10)


def claimable_jobs():
    """Pending jobs, and running ones whose worker died (the redelivered task may claim them again)."""
    stale = timezone.now() - EXPORT_LEASE
    return ExportJob.objects.filter(Q(status=ExportStatus.PENDING) | Q(status=ExportStatus.RUNNING,
                                                                       started_at__lt=stale))


def run_job(job_id):
    """The task's work: claim the job (conditional update), render, store the file. Idempotent: a job
    another worker is running, or that is done or failed, is left alone."""
    claimed = claimable_jobs().filter(pk=job_id).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), progress=1)
    if claimed != 1:
        return
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    options = ExportOptions.from_dict(job.options)
    try:
        # Scoped by the owner's visibility now, not when they asked: access may have been withdrawn since.
        case = Case.objects.visible_to(job.owner).select_related("person").get(pk=job.case_id)
        check_may_export(job.owner, case, options)
        entries = entries_for(case, options)
        _set_progress(job, 10)
        last = [10]

        def progress(percent):
            percent = 10 + int(percent * 0.85)
            if percent >= last[0] + 5:
                last[0] = percent
                _set_progress(job, percent)

        content = render(case, job.format, options, entries, user=job.owner, when=job.created_at, progress=progress)
        name = f"{job.pk}-{file_name(case, job.format, job.created_at)}"
        path = Path(settings.EXPORT_ROOT) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    except (Case.DoesNotExist, PermissionDenied):
        _finish(job, ExportStatus.FAILED, error="You can no longer export this case.")
        return
    except Exception:
        _finish(job, ExportStatus.FAILED, error="The export failed; try again, or ask an admin to check the logs.")
        raise
    _finish(job, ExportStatus.DONE, file_name=name, entry_count=len(entries))


def _set_progress(job, percent):
    ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(progress=min(percent, 99))


def _finish(job, status, **fields):
    progress = 100 if status == ExportStatus.DONE else 0
    ExportJob.objects.filter(pk=job.pk).update(status=status, progress=progress, finished_at=timezone.now(), **fields)


def job_for(user, job_id):
    """The user's own job on a case they can still see, or None."""
    visible = Case.objects.visible_to(user)
    return ExportJob.objects.filter(pk=job_id, owner=user, case__in=visible).select_related("case").first()


def job_status(job):
    return {"status": job.status, "status_display": job.get_status_display(), "progress": job.progress,
            "error": job.error, "ready": job.status == ExportStatus.DONE}


def job_download(request, job):
    log.record(request, "download", case=job.case_id, obj=job, format=job.format, job=job.pk)
    return Download(job.file_name.split("-", 1)[1], FORMATS[job.format], job.path.read_bytes())


# --- calendars -------------------------------------------------------------------------------------------

def calendar_for(request, cases, *, name, user, via, link=None, case=None):
    """An .ics of upcoming hearings and deadlines in ``cases`` (already scoped to ``user``), recorded."""
    if not can_export(user):
        raise PermissionDenied("Only lawyers and admins can export calendars.")
    events = ics.upcoming_events(cases)
    content = ics.calendar(events, name=name, link=link)
    log.record(request, "export", case=case, user=user, format="ics",
               options={"scope": f"case {case.pk}" if case else "all visible cases", "via": via}, entries=len(events))
    return Download(f"onward-{slugify(name) or 'calendar'}.ics", "text/calendar; charset=utf-8", content)


def issue_calendar_feed(request):
    """A new secret feed URL for the user (the old one stops working). Returns the secret, shown once."""
    if not can_export(request.user):
        raise PermissionDenied("Only lawyers and admins can subscribe to case calendars.")
    with transaction.atomic():
        record, secret = CalendarFeedToken.issue(request.user)
        log.record(request, "permission_change", obj=record, change="calendar feed issued", token=record.pk)
    return secret


def revoke_calendar_feed(request):
    with transaction.atomic():
        revoked = CalendarFeedToken.objects.filter(user=request.user, revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        log.record(request, "permission_change", change="calendar feed revoked", revoked=revoked)
    return revoked


def touch_calendar_feed(record):
    CalendarFeedToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
