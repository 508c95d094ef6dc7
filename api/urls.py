"""Mounted at /api/. The API's own views authenticate by token, not session, so the login-required
middleware lets them through; each still refuses a request without a live token (401)."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import path, re_path

from . import views
from .endpoints import api

_patterns, _app_name, _namespace = api.urls
for pattern in _patterns:
    pattern.callback.login_required = False  # LoginRequiredMiddleware: the token is the log-in here

urlpatterns = [
    path("tokens/", views.token_list, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="api_token_revoke"),
    path("", (_patterns, _app_name, _namespace)),
]


@login_not_required
def not_found(request, rest):
    """Any other /api/ address (an id that is not a number, a typo) answers like the API, in JSON,
    not with the HTML 404 page."""
    return JsonResponse({"detail": "No such API address. The schema is at /api/openapi.json."}, status=404)


# [\s\S]: an address may hold an encoded line break (%0A), which "." would not match.
urlpatterns.append(re_path(r"^(?P<rest>[\s\S]*)$", not_found, name="api_not_found"))
