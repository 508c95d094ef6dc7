"""Mounted at /api/. The API's own views authenticate by token, not session, so the login-required
middleware lets them through; each still refuses a request without a live token (401)."""

from django.urls import path

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
