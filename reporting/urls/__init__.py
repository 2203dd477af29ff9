"""The reporting app's URLs, one module per area so each area's routes sit with its views."""

from . import dashboard, documents, exports, overview, reports

app_name = "reporting"

urlpatterns = [
    *dashboard.urlpatterns,
    *exports.urlpatterns,
    *reports.urlpatterns,
    *documents.urlpatterns,
    *overview.urlpatterns,
]
