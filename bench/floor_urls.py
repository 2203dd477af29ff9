"""The application's URLs plus the benchmarks' floor page.

The floor is the trivial logged-in view the list targets are measured against: a page behind
the same checks as every page of ours (the session, the user, two-factor for consultancy
staff, the role's permission, the tenant's scope in the middleware), answering a short text.
A bare redirect would skip the two-factor and permission checks that every real page pays,
and bill them to the list.
"""

from django.http import HttpResponse
from django.urls import include, path
from django.views import View

from programmes.mixins import PermissionMixin
from programmes.permissions import Perm


class FloorView(PermissionMixin, View):
    permission = Perm.OWN_NOTIFICATIONS  # every role has it

    def get(self, request):
        return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/floor/", FloorView.as_view(), name="bench_floor"),
    path("", include("config.urls")),
]
