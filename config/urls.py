from allauth.account import views as account_views
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from cases.exports import ftm_views
from core import views as core_views

urlpatterns = [
    path("", core_views.dashboard, name="dashboard"),
    # Log-in is allauth's (throttled by axes, second factor by allauth.mfa); "login"/"logout" keep their names.
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    path("accounts/sessions/", include("allauth.usersessions.urls")),
    path("accounts/2fa/", include("allauth.mfa.urls")),
    path("accounts/", include("allauth.account.urls")),
    path("audit/", include("audit.urls")),
    # The admin's own log-in would skip the second factor: send it to Onward's.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("health/", core_views.health, name="health"),
    path("cases/", include("cases.urls")),
    path("risk/", include("cases.risk_urls")),
    path("sources/", include("sources.urls")),
    path("imports/", include("cases.imports.urls")),
    path("ftm/entities.json", ftm_views.ftm_download, name="ftm_download"),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]
