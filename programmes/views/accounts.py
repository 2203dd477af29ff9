"""Views of the base app: thin, they call selectors and services.

Each view declares who may open it through `PermissionMixin`/`LoginRequiredMixin`/`PublicMixin`;
the tenancy middleware has already checked organisation access for URLs with an `org` kwarg.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from .. import registry, selectors, services
from ..forms import AcceptInvitationForm, InvitationForm, OrganisationForm
from ..mixins import ClientMixin, LoginRequiredMixin, PermissionMixin, PublicMixin
from ..models import Invitation, Organisation, Phase
from ..permissions import Perm, Role, has_perm
from .common import client_admins_for, form_errors_to, query_param
from .mail import with_failed_mail
from .token_links import TokenLinkMixin


class HomeView(LoginRequiredMixin, View):
    """Sends each role to its own home."""

    redirects = True

    def get(self, request):
        user = request.user
        if user.is_consultancy_staff:
            return redirect("workspace")
        if user.role == Role.CLIENT_STAFF:
            return redirect("portal_home", org=user.organisation.slug)
        return redirect("team_home", org=user.organisation.slug)


class WorkspaceView(PermissionMixin, TemplateView):
    """The consultancy's desk: every programme the user may see across clients, with phase,
    progress, overdue milestones and the next meeting; filter by client and phase, search."""

    permission = Perm.WORKSPACE_VIEW
    template_name = "programmes/workspace.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        q = query_param(self.request, "q")
        client_slug = query_param(self.request, "client")
        phase = query_param(self.request, "phase")
        programmes = selectors.programmes_for(user=user).order_by("organisation__name", "name")
        if q:
            programmes = programmes.filter(
                Q(name__icontains=q) | Q(neighbourhood__icontains=q) | Q(municipality__icontains=q)
            )
        if client_slug:
            programmes = programmes.filter(organisation__slug=client_slug)
        programmes = list(programmes)
        overview = selectors.programme_overview(programmes)
        rows = [(p, overview[p.pk]) for p in programmes]
        if phase in Phase.values:
            rows = [(p, s) for p, s in rows if s.phase == phase]
        return super().get_context_data(
            rows=rows,
            clients=selectors.clients_for(user=user),
            phases=Phase.choices,
            q=q,
            selected_client=client_slug,
            selected_phase=phase,
            open_invitations=selectors.invitations_for(user=user)
            .filter(accepted_at__isnull=True, revoked_at__isnull=True)
            .count()
            if has_perm(user, Perm.USER_MANAGE)
            else 0,
            **kwargs,
        )


class ClientListView(PermissionMixin, TemplateView):
    permission = Perm.ORGANISATION_VIEW
    template_name = "programmes/client_list.html"

    def get_context_data(self, **kwargs):
        q = query_param(self.request, "q")
        kind = query_param(self.request, "kind")
        clients = selectors.clients_for(user=self.request.user).annotate(
            n_users=Count("members", filter=Q(members__is_active=True), distinct=True)
        )
        if q:
            clients = clients.filter(Q(name__icontains=q) | Q(city__icontains=q))
        if kind in Organisation.Kind.values:
            clients = clients.filter(kind=kind)
        kinds = [c for c in Organisation.Kind.choices if c[0] != Organisation.Kind.CONSULTANCY]
        return super().get_context_data(
            clients=clients,
            q=q,
            kind=kind,
            kinds=kinds,
            client_admins=client_admins_for(self.request.user),
            **kwargs,
        )


class ClientCreateView(PermissionMixin, FormView):
    permission = Perm.ORGANISATION_MANAGE
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
        programmes = list(
            selectors.programmes_for(user=user).filter(organisation=client).order_by("name")
        )
        overview = selectors.programme_overview(programmes)
        return super().get_context_data(
            client=client,
            programme_rows=[(p, overview[p.pk]) for p in programmes],
            can_create_programme=has_perm(user, Perm.PROGRAMME_MANAGE),
            people=selectors.users_for(user=user).filter(organisation=client),
            invitations=with_failed_mail(
                selectors.invitations_for(user=user).filter(
                    organisation=client, accepted_at__isnull=True
                )
            ),
            **kwargs,
        )


class ClientUpdateView(ClientMixin, PermissionMixin, FormView):
    permission = Perm.ORGANISATION_MANAGE
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


class UserListView(PermissionMixin, TemplateView):
    permission = Perm.USER_VIEW
    template_name = "programmes/user_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        may_mail = has_perm(user, Perm.MAIL_MANAGE)
        return super().get_context_data(
            people=selectors.users_for(user=user),
            invitations=with_failed_mail(
                selectors.invitations_for(user=user).filter(accepted_at__isnull=True)
            ),
            may_mail=may_mail,
            failed_mail_count=selectors.outbox_for(user=user, status="failed").count()
            if may_mail
            else 0,
            **kwargs,
        )


class InvitationCreateView(PermissionMixin, FormView):
    permission = Perm.USER_MANAGE
    template_name = "programmes/invitation_form.html"
    form_class = InvitationForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        slug = query_param(self.request, "org")
        initial = {"language": "nl"}
        if slug:
            org = selectors.organisations_for(user=self.request.user).filter(slug=slug).first()
            if org:
                initial["organisation"] = org
                initial["role"] = (
                    Role.CONSULTANCY_ADMIN if org.is_consultancy else Role.CLIENT_STAFF
                )
        return initial

    def form_valid(self, form):
        try:
            invitation = services.invitation_create(actor=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_to(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The invitation to %(email)s is ready and will be sent by e-mail shortly.")
            % {"email": invitation.email},
        )
        if invitation.organisation.is_consultancy:
            return redirect("user_list")
        return redirect("client_detail", org=invitation.organisation.slug)


class _InvitationActionView(PermissionMixin, View):
    permission = Perm.USER_MANAGE
    http_method_names = ["post"]
    action = None  # the service to call
    done_message = ""

    def post(self, request, invitation_pk: int):
        invitation = selectors.get_invitation_for(user=request.user, pk=invitation_pk)
        try:
            type(self).action(actor=request.user, invitation=invitation)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, self.done_message % {"email": invitation.email})
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return HttpResponseRedirect(target)
        return redirect("user_list")


class InvitationResendView(_InvitationActionView):
    action = services.invitation_resend
    done_message = _(
        "A new invitation link for %(email)s is ready and will be sent by e-mail shortly."
    )


class InvitationRevokeView(_InvitationActionView):
    action = services.invitation_revoke
    done_message = _("The invitation to %(email)s was withdrawn.")


class UserBlockView(PermissionMixin, View):
    permission = Perm.USER_MANAGE
    http_method_names = ["post"]

    def post(self, request, user_pk: int):
        target = selectors.get_user_for(user=request.user, pk=user_pk)
        active = request.POST.get("active") == "1"
        try:
            services.user_set_active(actor=request.user, user=target, active=active)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                (_("%(name)s can log in again.") if active else _("%(name)s was blocked."))
                % {"name": target},
            )
        return redirect("user_list")


class AuditLogView(PermissionMixin, TemplateView):
    permission = Perm.AUDIT_VIEW
    template_name = "programmes/audit_log.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        user = self.request.user
        entries = selectors.audit_entries_for(user=user)
        organisations = selectors.organisations_for(user=user)
        slug = query_param(self.request, "org")
        if slug:
            entries = entries.filter(organisation__slug=slug)
        page = Paginator(entries, self.paginate_by).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page=page, organisations=organisations, selected_org=slug, **kwargs
        )


class PortalHomeView(ClientMixin, PermissionMixin, TemplateView):
    """The client portal: calm, summary first, only the client's own organisation."""

    permission = Perm.PORTAL_VIEW
    template_name = "programmes/portal_home.html"

    def get_context_data(self, **kwargs):
        client = self.get_client()
        programmes = list(
            selectors.programmes_for(user=self.request.user).filter(organisation=client)
        )
        overview = selectors.programme_overview(programmes)
        return super().get_context_data(
            client=client,
            # What waits for the client first: each app registers its own cards.
            cards=registry.portal_cards(user=self.request.user, organisation=client),
            rows=[(p, overview[p.pk]) for p in programmes],
            colleagues=selectors.users_for(user=self.request.user).filter(
                organisation=client, role=Role.CLIENT_STAFF, is_active=True
            ),
            **kwargs,
        )


class InvitationAcceptView(TokenLinkMixin, PublicMixin, View):
    """The invitee sets a name and password through the personal link in their e-mail; the
    link's token moves into the session at once (`TokenLinkMixin`)."""

    template_name = "programmes/invitation_accept.html"
    link_kind = "invitation"
    clean_url_name = "invitation_continue"

    def token_is_valid(self, token) -> bool:
        return self._invitation_or_page(self.request, token)[0] is not None

    def no_token(self, request):
        # Opened without the link (another browser, the session ended): ask for the link.
        return self._problem(request, "unknown", status=200)

    def _invitation_or_page(self, request, token):
        invitation = services.invitation_by_token(token=token)
        if invitation is None:
            return None, self._problem(request, "unknown", status=404)
        if invitation.organisation_id != request.organisation.pk:
            return None, self._problem(request, "unknown", status=404)
        status = invitation.status
        if status != Invitation.Status.PENDING:
            return None, self._problem(request, status, invitation=invitation, status=410)
        return invitation, None

    def _problem(self, request, problem, *, invitation=None, status):
        return render(
            request,
            "programmes/invitation_problem.html",
            {"problem": problem, "invitation": invitation},
            status=status,
        )

    def get(self, request, org, token):
        invitation, problem = self._invitation_or_page(request, token)
        if problem:
            return problem
        form = AcceptInvitationForm(invitation=invitation, initial={"name": invitation.name})
        return render(request, self.template_name, {"form": form, "invitation": invitation})

    def post(self, request, org, token):
        invitation, problem = self._invitation_or_page(request, token)
        if problem:
            return problem
        form = AcceptInvitationForm(request.POST, invitation=invitation)
        if form.is_valid():
            try:
                user = services.invitation_accept(
                    invitation=invitation,
                    name=form.cleaned_data["name"],
                    password=form.cleaned_data["password1"],
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                from allauth.account.utils import perform_login

                self.forget_token(request, org)
                messages.success(request, _("Welcome! Your account is ready."))
                perform_login(request, user, redirect_url=reverse("home"))
                return redirect("home")
        return render(request, self.template_name, {"form": form, "invitation": invitation})


class LanguageSwitchView(PublicMixin, View):
    """Switch the interface language; remembered on the account and in a cookie."""

    http_method_names = ["post"]

    def post(self, request):
        language = request.POST.get("language", "")
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("home") if request.user.is_authenticated else "/"
        response = HttpResponseRedirect(target)
        if language in dict(settings.LANGUAGES) and check_for_language(language):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
            )
            if request.user.is_authenticated:
                services.user_set_language(user=request.user, language=language)
        return response


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


class HealthView(PublicMixin, View):
    """Liveness for the load balancer and compose health check: the database answers."""

    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})


class RootView(PublicMixin, View):
    redirects = True

    def get(self, request):
        return redirect("home" if request.user.is_authenticated else "account_login")
