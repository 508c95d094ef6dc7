"""Download FollowTheMoney entities: one case (?case=1), a selection (?case=1&case=2), the case list's
filtered selection (the list's own query string: ?status=open&requesting_state=…) or, with neither,
every case visible to the user. Offered from the case page and the case list."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils import timezone

from audit.log import record
from core.access import can_see_confidential
from core.roles import can_export

from ..filters import CaseFilter
from ..models import Case
from . import ftm

# Query-string keys that are not case-list filters.
NOT_FILTERS = {"case", "confidential", "o", "page", "per_page"}


def ftm_download(request):
    if not can_export(request.user):
        raise PermissionDenied("Only lawyers and admins can export.")
    cases = Case.objects.visible_to(request.user)
    wanted = request.GET.getlist("case")
    filters = {key: value for key, value in request.GET.items() if key not in NOT_FILTERS and value}
    if wanted:
        if not all(pk.isdigit() for pk in wanted):
            raise Http404
        cases = cases.filter(pk__in=[int(pk) for pk in wanted])
        if cases.count() != len(set(wanted)):
            raise Http404  # one of them is not visible: say nothing about which
    elif filters:
        selection = CaseFilter(request.GET, queryset=cases)
        if not selection.is_valid():
            return HttpResponseBadRequest("These case-list filters are not valid: " + "; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in selection.errors.items()))
        cases = selection.qs
    include_confidential = request.GET.get("confidential") == "1"
    if include_confidential and wanted and not all(can_see_confidential(request.user, c) for c in cases):
        raise PermissionDenied("Only the case team can export confidential facts and whereabouts.")
    entities = ftm.entities(cases, request.user, include_confidential=include_confidential)
    case_ids = sorted(cases.values_list("pk", flat=True))
    record(request, "export", case=case_ids[0] if len(wanted) == 1 and case_ids else None, format="ftm",
           cases=case_ids[:500], case_count=len(case_ids), entities=len(entities),
           include_confidential=include_confidential, filters=filters if not wanted else {})
    response = HttpResponse(ftm.dumps(entities), content_type="application/json; charset=utf-8")
    name = f"onward-case-{case_ids[0]}" if len(wanted) == 1 and case_ids else "onward-cases"
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.now():%Y%m%d}.ftm.json"'
    response["Cache-Control"] = "private, no-store"
    return response
