"""The client's documents page: everything made for them, certificates by holder."""

from django.urls import path

from ..views import documents

urlpatterns = [
    path("portal/<slug:org>/documents/", documents.DocumentsView.as_view(), name="documents"),
]
