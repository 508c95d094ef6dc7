from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import views as core_views

urlpatterns = [
    path("", core_views.dashboard, name="dashboard"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("health/", core_views.health, name="health"),
    path("cases/", include("cases.urls")),
    path("risk/", include("cases.risk_urls")),
    path("sources/", include("sources.urls")),
    path("imports/", include("cases.imports.urls")),
    path("admin/", admin.site.urls),
]
