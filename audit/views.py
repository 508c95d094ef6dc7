from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.access import Role, require_role

from .filters import AccessEventFilter
from .models import AccessEvent


@require_GET
@require_role(Role.ADMIN)
def event_list(request):
    """The access log, filtered; read-only (there is no view that changes it)."""
    filtered = AccessEventFilter(request.GET, queryset=AccessEvent.objects.select_related("user"))
    valid = filtered.is_valid()
    events = filtered.qs if valid else AccessEvent.objects.none()
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/event_list.html", {
        "filter": filtered, "page": page, "query": query.urlencode(),
        "invalid": not valid,
    })
