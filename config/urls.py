"""Root URLconf: allauth's account pages and the apps' own URLs."""

from django.urls import include, path

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("", include("programmes.urls")),
    path("", include("patrols.urls")),
    path("", include("recruitment.urls")),
    path("", include("trainings.urls")),
]

handler400 = "programmes.errors.bad_request"
handler403 = "programmes.errors.permission_denied"
handler404 = "programmes.errors.page_not_found"
handler500 = "programmes.errors.server_error"
