"""The consultancy's clients: list, add, the client's page, edit, and its public logo."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from .. import selectors, services
from ..forms import OrganisationForm
from ..mixins import ClientMixin, PermissionMixin, PublicMixin
from ..models import Organisation, ReadEntry
from ..pagination import paginate
from ..permissions import Perm, Role
from ..services.reads import record_read
from .common import client_admins_for, form_errors_to, query_param
from .mail import invitation_page
from .privacy import RetentionTermsView
from .programmes import ProgrammeCreateView


class ClientListView(PermissionMixin, TemplateView):
    permission = Perm.ORGANISATION_VIEW
    template_name = "programmes/client_list.html"

    def get_context_data(self, **kwargs):
        q = query_param(self.request, "q")
        kind = query_param(self.request, "kind")
        clients = selectors.client_list_for(user=self.request.user, q=q, kind=kind)
        kinds = [c for c in Organisation.Kind.choices if c[0] != Organisation.Kind.CONSULTANCY]
        page = paginate(self.request, clients.order_by("name", "pk"))
        return super().get_context_data(
            clients=page,
            page=page,
            q=q,
            kind=kind,
            kinds=kinds,
            client_admins=client_admins_for(self.request.user),
            **kwargs,
        )


class ClientCreateView(PermissionMixin, FormView):
    permission = Perm.ORGANISATION_MANAGE
    method_permissions = {"POST": Perm.ORGANISATION_MANAGE}
    template_name = "programmes/client_form.html"
    form_class = OrganisationForm

    def form_valid(self, form):
        user = self.request.user
        fields = {k: v for k, v in form.cleaned_data.items() if k != "logo" or v}
        try:
            org = services.organisation_create(actor=user, consultancy=user.organisation, **fields)
        except ValidationError as error:
            form_errors_to(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Client %(name)s was created.") % {"name": org.name})
        return redirect("client_detail", org=org.slug)


class ClientDetailView(ClientMixin, PermissionMixin, TemplateView):
    permission = Perm.ORGANISATION_VIEW
    template_name = "programmes/client_detail.html"

    def get_context_data(self, **kwargs):
        client = self.get_client()
        user = self.request.user
        # Three lists, each with its own pages: a large corporation has dozens of programmes
        # and thousands of accounts (every team member has one).
        programmes = paginate(
            self.request,
            selectors.readable_programmes(user=user, organisation=client).order_by("name", "pk"),
            param="programmes",
        )
        overview = selectors.programme_overview(programmes.object_list)
        people = paginate(
            self.request,
            selectors.users_for(user=user, organisation=client).order_by("name", "pk"),
            param="people",
        )
        record_read(  # the team members' e-mail addresses on this page, as the users page
            user=user,
            subjects=[p for p in people.object_list if p.role == Role.TEAM_MEMBER],
            what=ReadEntry.What.MEMBER,
            request=self.request,
        )
        return super().get_context_data(
            client=client,
            programmes=programmes,
            programme_rows=[(p, overview[p.pk]) for p in programmes.object_list],
            can_create_programme=ProgrammeCreateView.allows(user),
            can_set_retention=RetentionTermsView.allows(user),
            people=people,
            invitations=invitation_page(
                self.request, selectors.unaccepted_invitation_rows(organisation_id=client.pk)
            ),
            **kwargs,
        )


class ClientUpdateView(ClientMixin, PermissionMixin, FormView):
    permission = Perm.ORGANISATION_MANAGE
    method_permissions = {"POST": Perm.ORGANISATION_MANAGE}
    template_name = "programmes/client_form.html"
    form_class = OrganisationForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_client()}

    def form_valid(self, form):
        client = self.get_client()
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            # The ModelForm already set the values on the instance: compare with the database.
            client.refresh_from_db()
            services.organisation_update(actor=self.request.user, organisation=client, **fields)
        except ValidationError as error:
            form_errors_to(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The changes were saved."))
        return redirect("client_detail", org=client.slug)


class OrganisationLogoView(PublicMixin, View):
    """A client's logo: public branding, shown on its public pages, mails and documents."""

    def get(self, request, org):
        logo = request.organisation.logo
        if not logo:
            raise Http404
        try:
            handle = logo.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(handle, content_type="image/png")
        response["Cache-Control"] = "public, max-age=3600"
        return response
