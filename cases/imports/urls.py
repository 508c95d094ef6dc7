from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.start, name="start"),
    path("<int:pk>/columns/", views.columns, name="columns"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/", views.run_detail, name="run"),
]
