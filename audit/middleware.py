"""Records views of case and person pages, searches and exports from the URL pattern that answered,
so no view has to remember to log (and a new view under an audited name is logged automatically).
A view that calls ``audit.log.record`` itself (with more detail) is not logged twice.

Which patterns are audited is decided here, in one table, by URL name:
- ``VIEWS``: pattern name → action, with the URL keyword that holds the case id (if any);
- any pattern whose namespace or name contains ``export`` → an export;
- any successful page answered with a non-empty ``q`` (or ``name``) query parameter → a search.
"""

from .log import record
from .models import Action

VIEWS = {
    "cases:detail": (Action.VIEW_CASE, "pk"),
    "cases:timeline": (Action.VIEW_CASE, "pk"),
    "cases:history": (Action.VIEW_CASE, "pk"),
    "people:detail": (Action.VIEW_PERSON, None),
    "people:history": (Action.VIEW_PERSON, None),
}
SEARCH_PARAMETERS = ("q", "name")


def audited_action(match, request):
    """(action, case id, details) for a request the log must record, or None."""
    if match is None:
        return None
    name = match.view_name or ""
    if name in VIEWS:
        action, case_key = VIEWS[name]
        case_id = match.kwargs.get(case_key) if case_key else match.kwargs.get("case_pk")
        return action, case_id, {"object_id": str(match.kwargs.get("pk", ""))}
    if "export" in name and request.method in {"GET", "POST"}:
        case_id = match.kwargs.get("pk") or match.kwargs.get("case_pk")
        return Action.EXPORT, case_id, {"format": name.rsplit(":", 1)[-1]}
    for parameter in SEARCH_PARAMETERS:
        query = request.GET.get(parameter, "").strip()
        if query:
            return Action.SEARCH, None, {"query": query[:300]}
    return None


class AccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if getattr(request, "_onward_audited", False):
            return response  # the view recorded it itself, with more detail
        if user is None or not user.is_authenticated or response.status_code >= 400:
            return response
        if response.status_code in (301, 302, 303) and request.method == "GET":
            return response  # a redirect (e.g. to two-factor enrolment) showed nothing
        found = audited_action(getattr(request, "resolver_match", None), request)
        if found:
            action, case_id, details = found
            if action == Action.SEARCH and request.path.startswith(("/admin/", "/audit/")):
                return response  # filtering the log itself is not a search of case data
            record(request, action, case=int(case_id) if case_id else None, obj=request.path, **details)
        return response
