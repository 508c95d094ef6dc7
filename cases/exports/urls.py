"""Export URLs, added to the ``cases`` namespace by cases/urls.py.

Their names avoid the word "export" on purpose: audit/middleware.py logs any URL so named as an export
from the URL alone, and these views record each export themselves, with its format and options, once
(a progress poll or a look at the options form is not an export)."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/export/", views.export_form, name="timeline_options"),
    path("<int:pk>/export.<str:fmt>", views.export_download, name="timeline_download"),
    path("exports/<int:job_id>/", views.export_job, name="timeline_job"),
    path("exports/<int:job_id>/status/", views.export_job_status, name="timeline_job_status"),
    path("exports/<int:job_id>/file/", views.export_job_file, name="timeline_job_file"),
    path("<int:pk>/calendar.ics", views.case_calendar, name="case_calendar"),
    path("calendar.ics", views.my_calendar, name="my_calendar"),
    path("calendar/feed/", views.calendar_feed, name="calendar_feed"),
    path("calendar/feed/<str:token>.ics", views.calendar_token_feed, name="calendar_token_feed"),
]
