"""The applicant's own page, reached by the signed link in their confirmation mail: what the
programme keeps about them, a download of it all (one ZIP), and a request to erase it that
the consultancy admin handles. A bad or expired link gets its page, never an error."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from programmes.mixins import PublicMixin
from programmes.services import privacy as privacy_services

from .privacy import application_for_token


class OwnDataView(PublicMixin, View):
    template_name = "recruitment/own_data.html"

    def _page(self, request, application, status=200):
        return render(
            request,
            self.template_name,
            {
                "application": application,
                "client": application.organisation if application else None,
                "waiting": application
                and privacy_services.erasure_waiting(
                    organisation=application.organisation, email=application.email
                ),
            },
            status=status,
        )

    def get(self, request, org, token):
        return self._page(request, application_for_token(token, organisation=request.organisation))

    def post(self, request, org, token):
        application = application_for_token(token, organisation=request.organisation)
        if application is None:
            return self._page(request, None)
        action = request.POST.get("action")
        if action == "download":
            archive, _count = privacy_services.privacy_export(
                actor=None, organisation=application.organisation, subject=application.email
            )
            response = HttpResponse(archive, content_type="application/zip")
            response["Content-Disposition"] = 'attachment; filename="mijn-gegevens.zip"'
            return response
        if action == "erase":
            privacy_services.erasure_request_create(
                user=None, organisation=application.organisation, email=application.email
            )
            messages.success(
                request,
                _(
                    "Your request has been sent. The consultancy erases your data and lets "
                    "you know."
                ),
            )
        return redirect(request.path)
