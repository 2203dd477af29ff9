"""Documents of a programme (the plan of approach PDF): request, watch it being made, download.

Shared by the workspace and the client portal; only people who may see the programme reach it.
"""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from .. import selectors, services
from ..models import Document
from ..permissions import Perm
from .programmes import ProgrammeMixin


class _DocumentMixin(ProgrammeMixin):
    permission = Perm.DOCUMENT_VIEW

    def back_url(self):
        programme = self.get_programme()
        name = (
            "portal_programme" if self.request.user.role == "client_staff" else "programme_detail"
        )
        from django.urls import reverse

        return reverse(
            name, kwargs={"org": programme.organisation.slug, "programme_pk": programme.pk}
        )


class DocumentRequestView(_DocumentMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        kind = request.POST.get("kind", Document.Kind.PLAN)
        if kind not in services.documents_available():
            raise Http404
        document = services.document_request(
            actor=request.user,
            organisation=programme.organisation,
            programme=programme,
            kind=kind,
        )
        document.refresh_from_db()
        if request.headers.get("HX-Request"):
            return render(
                request,
                "programmes/includes/document_status.html",
                {"document": document, "programme": programme},
            )
        messages.info(request, _("The PDF is being made; it appears here when it is ready."))
        return redirect(self.back_url())


class DocumentStatusView(_DocumentMixin, View):
    """The status fragment that htmx polls while the document is being made."""

    def get(self, request, *args, **kwargs):
        programme = self.get_programme()
        document = selectors.get_document_for(programme=programme, pk=kwargs["document_pk"])
        return render(
            request,
            "programmes/includes/document_status.html",
            {"document": document, "programme": programme},
        )


class DocumentDownloadView(_DocumentMixin, View):
    def get(self, request, *args, **kwargs):
        programme = self.get_programme()
        document = selectors.get_document_for(programme=programme, pk=kwargs["document_pk"])
        if document.status != Document.Status.READY or not document.file:
            raise Http404
        return FileResponse(
            document.file.open("rb"),
            as_attachment=request.GET.get("inline") != "1",
            filename=document.download_name,
            content_type="application/pdf",
        )
