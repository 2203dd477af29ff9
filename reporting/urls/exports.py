"""Streamed exports (CSV and XLSX) of signals, rounds, conversations and effort."""

from django.urls import path

from ..views import exports

urlpatterns = [
    # `dataset` is signals, rounds, conversations or effort; `fmt` csv or xlsx (else 404).
    path(
        "portal/<slug:org>/exports/<slug:dataset>.<slug:fmt>",
        exports.ExportView.as_view(),
        name="export",
    ),
]
