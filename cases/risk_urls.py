from django.urls import path

from . import risk_views

app_name = "risk"

urlpatterns = [
    path("flags/", risk_views.flag_list, name="flags"),
    path("flags/<int:pk>/", risk_views.flag_detail, name="flag"),
    path("flags/<int:pk>/assign/", risk_views.flag_assign, name="assign"),
    path("flags/<int:pk>/decide/", risk_views.flag_decide, name="decide"),
]
