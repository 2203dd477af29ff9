"""Documents of a programme (the plan of approach PDF): request, watch it being made, download.

Shared by the workspace and the client portal; only people who may see the programme reach it.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from .. import selectors, services
from ..input import file_response
from ..mixins import ProgrammeMixin
from ..models import Document
from ..models.documents import PLAN_OF_APPROACH
from ..permissions import Perm
from .common import poll_backoff
from .programmes import ProgrammeDetailView

# The longest pause between two looks at a document that is being made.


class _DocumentMixin(ProgrammeMixin):
    # Asking for a PDF (or for it again) is part of reading the programme's documents.
    permission = Perm.DOCUMENT_VIEW
    method_permissions = {"POST": Perm.DOCUMENT_VIEW}
    # Asking for a PDF of a closed programme reads its archive: allowed.
    writes_when_closed = True

    def back_url(self):
        programme = self.get_programme()
        name = (
            "programme_detail"
            if ProgrammeDetailView.allows(self.request.user)
            else "portal_programme"
        )
        return reverse(
            name, kwargs={"org": programme.organisation.slug, "programme_pk": programme.pk}
        )

    def made_response(self, document, programme):
        """After asking for a document: htmx gets its status fragment (which starts polling);
        a plain form post gets a message and None, so the caller redirects."""
        document.refresh_from_db()
        if self.request.headers.get("HX-Request"):
            return render(
                self.request,
                "programmes/includes/document_status.html",
                {"document": document, "programme": programme},
            )
        messages.info(self.request, _("The PDF is being made; it appears here when it is ready."))
        return None


class DocumentRequestView(_DocumentMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        kind = request.POST.get("kind", PLAN_OF_APPROACH)
        if kind not in services.documents_available():
            raise Http404
        if kind not in services.documents_available(user=request.user):
            raise PermissionDenied  # each kind declares who may ask for it
        document = services.document_request(
            actor=request.user,
            organisation=programme.organisation,
            programme=programme,
            kind=kind,
        )
        return self.made_response(document, programme) or redirect(self.back_url())


class DocumentStatusView(_DocumentMixin, View):
    """The status fragment that htmx polls while the document is being made. Each answer asks
    for the next look a little later (`poll`: 1, 2, 4 ... up to 30 seconds), so a document
    that takes long does not have every open page ask every second."""

    def get(self, request, *args, **kwargs):
        programme = self.get_programme()
        document = selectors.get_document_for(
            programme=programme, pk=kwargs["document_pk"], user=request.user
        )
        return render(
            request,
            "programmes/includes/document_status.html",
            {
                "document": document,
                "programme": programme,
                **poll_backoff(request),
            },
        )


class DocumentRetryView(_DocumentMixin, View):
    """Make a failed document again ("try again"), from any page that shows it."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        document = selectors.get_document_for(
            programme=programme, pk=kwargs["document_pk"], user=request.user
        )
        document = services.document_retry(actor=request.user, document=document)
        if response := self.made_response(document, programme):
            return response
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = self.back_url()
        return HttpResponseRedirect(target)  # a path, never a view name to look up


class DocumentDownloadView(_DocumentMixin, View):
    def get(self, request, *args, **kwargs):
        programme = self.get_programme()
        document = selectors.get_document_for(
            programme=programme, pk=kwargs["document_pk"], user=request.user
        )
        if document.status != Document.Status.READY or not document.file:
            raise Http404
        return file_response(  # a file gone from storage is a 404
            document.file,
            as_attachment=request.GET.get("inline") != "1",
            filename=document.download_name,
            content_type="application/pdf",
        )
