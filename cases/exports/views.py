"""Export views: thin. Each finds the case through ``Case.objects.visible_to`` (outsiders get 404), asks
the service, and answers with a file nobody caches."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.roles import can_export

from ..models import Case
from . import service
from .forms import ExportForm
from .models import CalendarFeedToken


def _visible_case(request, pk):
    case = get_object_or_404(Case.objects.visible_to(request.user).select_related("person"), pk=pk)
    if not can_export(request.user):
        raise PermissionDenied("Only lawyers and admins can export a case.")
    return case


def _file(download):
    response = HttpResponse(download.content, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.name}"'
    return response


def _export(request, case, form, status_on_refusal=403):
    """Shared by the form (POST) and the download links (GET)."""
    options = form.options()
    fmt = form.cleaned_data["format"]
    try:
        service.check_may_export(request.user, case, options)
    except service.ConfidentialRefused as refusal:
        form.add_error("confidential", str(refusal))
        return render(request, "cases/export.html", {"case": case, "form": form}, status=status_on_refusal)
    entries = service.entries_for(case, options)
    if service.runs_in_background(fmt, entries):
        if request.method != "POST":  # a GET never starts work: show the form, options filled in
            messages.info(request, f"This timeline has {len(entries)} entries: it will be prepared in the "
                                   "background. Press “Export” to start.")
            return render(request, "cases/export.html", {"case": case, "form": form})
        job = service.start_job(request, case, fmt, options, entries_count=len(entries))
        return redirect("cases:timeline_job", job_id=job.pk)
    return _file(service.export_now(request, case, fmt, options, entries))


@never_cache
@require_http_methods(["GET", "POST"])
def export_form(request, pk):
    case = _visible_case(request, pk)
    if request.method == "POST":
        form = ExportForm(request.POST)
        if form.is_valid():
            return _export(request, case, form)
        return render(request, "cases/export.html", {"case": case, "form": form}, status=400)
    return render(request, "cases/export.html", {"case": case, "form": ExportForm(initial={"format": "pdf"})})


@never_cache
@require_GET
def export_download(request, pk, fmt):
    """Direct links: /cases/7/export.pdf?start=2009&contested=leave_out"""
    case = _visible_case(request, pk)
    if fmt not in service.FORMATS:
        raise Http404("No such export format.")
    form = ExportForm({**request.GET.dict(), "format": fmt, "sections": request.GET.getlist("sections")})
    if not form.is_valid():
        return render(request, "cases/export.html", {"case": case, "form": form}, status=400)
    return _export(request, case, form)


@never_cache
@require_GET
def export_job(request, job_id):
    job = service.job_for(request.user, job_id)
    if job is None:
        raise Http404("No such export.")
    return render(request, "cases/export_job.html", {"job": job, "case": job.case})


@never_cache
@require_GET
def export_job_status(request, job_id):
    job = service.job_for(request.user, job_id)
    if job is None:
        raise Http404("No such export.")
    return JsonResponse(service.job_status(job))


@never_cache
@require_GET
def export_job_file(request, job_id):
    job = service.job_for(request.user, job_id)
    if job is None or job.path is None or not job.path.exists():
        raise Http404("No such export file.")
    return _file(service.job_download(request, job))


# --- calendars -------------------------------------------------------------------------------------------

def _case_link(request):
    return lambda event: request.build_absolute_uri(reverse("cases:detail", args=[event.case_id]))


@never_cache
@require_GET
def case_calendar(request, pk):
    case = _visible_case(request, pk)
    cases = Case.objects.visible_to(request.user).filter(pk=case.pk)
    return _file(service.calendar_for(request, cases, name=f"Onward: {case.title}", user=request.user,
                                      via="session", link=_case_link(request), case=case))


@never_cache
@require_GET
def my_calendar(request):
    if not can_export(request.user):
        raise PermissionDenied("Only lawyers and admins can export calendars.")
    return _file(service.calendar_for(request, Case.objects.visible_to(request.user), name="Onward: my cases",
                                      user=request.user, via="session", link=_case_link(request)))


@never_cache
@require_http_methods(["GET", "POST"])
def calendar_feed(request):
    """Issue or revoke the secret feed URL for calendar apps. The URL is shown once, after issuing."""
    if not can_export(request.user):
        raise PermissionDenied("Only lawyers and admins can subscribe to case calendars.")
    feed_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            service.revoke_calendar_feed(request)
            messages.success(request, "The calendar feed address no longer works. Calendar apps using it will stop "
                                      "updating.")
            return redirect("cases:calendar_feed")
        secret = service.issue_calendar_feed(request)
        feed_url = request.build_absolute_uri(reverse("cases:calendar_token_feed", args=[secret]))
    live = CalendarFeedToken.objects.filter(user=request.user, revoked_at__isnull=True).first()
    return render(request, "cases/calendar_feed.html", {"feed_url": feed_url, "live": live})


@login_not_required  # calendar apps cannot log in; the secret in the URL is the credential
@never_cache
@require_GET
def calendar_token_feed(request, token):
    record = CalendarFeedToken.live_for(token)
    if record is None or not record.user.is_active:
        raise Http404("No such calendar feed.")
    user = record.user
    cases = Case.objects.visible_to(user)
    case = None
    if request.GET.get("case"):
        case = get_object_or_404(cases, pk=request.GET["case"]) if request.GET["case"].isdigit() else None
        if case is None:
            raise Http404("No such case.")
        cases = cases.filter(pk=case.pk)
    service.touch_calendar_feed(record)
    response = _file(service.calendar_for(request, cases, name="Onward: " + (case.title if case else "my cases"),
                                          user=user, via="feed token", link=_case_link(request), case=case))
    response["Content-Disposition"] = "inline"
    return response
