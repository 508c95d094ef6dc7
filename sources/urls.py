from django.urls import path

from . import views

app_name = "sources"

urlpatterns = [
    path("<int:pk>/documents/", views.source_documents, name="documents"),
    path("documents/search/", views.document_search, name="document_search"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/download/", views.document_download, name="download"),
    path("documents/<int:pk>/cite/", views.document_cite, name="cite"),
]
