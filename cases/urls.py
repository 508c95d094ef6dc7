from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.new_case, name="new"),
    path("search/", views.search, name="search"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/deleted/", views.deleted_items, name="deleted"),
    path("<int:pk>/<slug:kind>/add/", views.edit, name="add"),
    path("<int:pk>/<slug:kind>/<int:obj_pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/<slug:kind>/<int:obj_pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/<slug:kind>/<int:obj_pk>/undelete/", views.restore_deleted, name="undelete"),
    path("<int:pk>/<slug:kind>/<int:obj_pk>/history/", views.history, name="history"),
    path("<int:pk>/<slug:kind>/<int:obj_pk>/history/<int:history_id>/restore/", views.restore_version,
         name="restore"),
]

# Timeline exports and calendar feeds (cases/exports/urls.py).
from .exports.urls import urlpatterns as export_urlpatterns  # noqa: E402

urlpatterns += export_urlpatterns
