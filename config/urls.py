"""Root URLconf: allauth's account pages and the apps' own URLs."""

from django.urls import include, path

from programmes.views.login_code import confirm_login_code

urlpatterns = [
    # allauth's confirm-code page, with the code from the mail's one-tap link filled in (same
    # path, so allauth's own URL name keeps pointing here).
    path("accounts/login/code/confirm/", confirm_login_code),
    path("accounts/", include("allauth.urls")),
    path("", include("programmes.urls")),
    path("", include("patrols.urls")),
    path("", include("recruitment.urls")),
    path("", include("trainings.urls")),
    path("", include("reporting.urls")),
]

handler400 = "programmes.errors.bad_request"
handler403 = "programmes.errors.permission_denied"
handler404 = "programmes.errors.page_not_found"
handler500 = "programmes.errors.server_error"
