"""The client's documents page: everything made for the client across its programmes, and the
certificates of its team members listed by holder, a page at a time.

Downloads go through the base's programme document download (`document_download`), which
checks the same things again: the programme is the user's to read and the document is ready.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from programmes.dates import datetime_formatter
from programmes.mixins import ClientMixin, PermissionMixin
from programmes.pagination import paginate
from programmes.permissions import Perm
from programmes.views.rows import row_url

from ..selectors import documents as selectors

DOCUMENTS = "documents"
CERTIFICATES = "certificates"


class DocumentFilterForm(forms.Form):
    """The page's filters, from the query string: a value that is not one of the choices is
    reported in words and left out, never an error page."""

    show = forms.ChoiceField(
        required=False,
        choices=[(DOCUMENTS, _("Documents")), (CERTIFICATES, _("Certificates"))],
        error_messages={"invalid_choice": _("There is no such list: the documents are shown.")},
    )
    programme = forms.ChoiceField(
        label=_("Programme"),
        required=False,
        error_messages={
            "invalid_choice": _("That programme is not one of yours: all programmes are shown.")
        },
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        error_messages={"invalid_choice": _("There is no such kind: all kinds are shown.")},
    )

    def __init__(self, *args, programmes, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [("", _("All programmes"))] + [
            (str(p.pk), p.name) for p in programmes
        ]
        self.fields["kind"].choices = [("", _("All kinds"))] + kinds

    def value(self, name: str) -> str:
        """The field's value when it is one of its choices, else empty (the filter is off)."""
        if not self.is_valid() and name in self.errors:
            return ""
        return self.cleaned_data.get(name) or ""

    def problems(self) -> list[str]:
        return [str(error) for errors in self.errors.values() for error in errors]


class DocumentsView(ClientMixin, PermissionMixin, TemplateView):
    """Everything made for the client: the documents list (filter by programme and kind) or
    the certificates by holder (filter by programme)."""

    permission = Perm.DOCUMENT_VIEW
    template_name = "reporting/documents.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        client = self.get_client()
        programmes = list(selectors.document_programmes_for(user=user, organisation=client))
        form = DocumentFilterForm(
            self.request.GET or None,
            programmes=programmes,
            kinds=selectors.document_kind_choices(),
        )
        show = form.value("show") if form.is_bound else ""
        programme = form.value("programme") if form.is_bound else ""
        kind = form.value("kind") if form.is_bound else ""
        programme_pk = int(programme) if programme else None
        download = row_url("document_download", "programme_pk", "document_pk", org=client.slug)
        day = datetime_formatter("j F Y")
        if show == CERTIFICATES:
            certificates = selectors.client_certificates_for(
                user=user, organisation=client, programme_pk=programme_pk
            )
            page = paginate(self.request, certificates)
            page.object_list = [
                {
                    "holder": c.holder_name,
                    "title": c.title,
                    "programme": c.programme.name,
                    "issued_on": c.issued_on,
                    "url": download(c.programme_id, c.document_id),
                }
                for c in page.object_list
            ]
        else:
            documents = selectors.client_documents_for(
                user=user, organisation=client, programme_pk=programme_pk, kind=kind
            )
            page = paginate(self.request, documents)
            page.object_list = [
                {
                    "kind": d.label,
                    "programme": d.programme.name,
                    "made": day(d.finished_at or d.created_at),
                    "url": download(d.programme_id, d.pk),
                    "name": d.download_name,
                }
                for d in page.object_list
            ]
        return super().get_context_data(
            client=client,
            form=form,
            problems=form.problems() if form.is_bound else [],
            show=show or DOCUMENTS,
            selected_programme=programme,
            selected_kind=kind,
            programmes=programmes,
            kinds=selectors.document_kind_choices(),
            page=page,
            today=timezone.localdate(),
            **kwargs,
        )
