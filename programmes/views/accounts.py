"""Accounts: the people list, invitations (send, again, withdraw, accept through the personal
link), blocking an account, and the interface language."""

from html import escape

from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from .. import selectors, services
from ..forms import AcceptInvitationForm, InvitationForm
from ..mixins import PermissionMixin, PublicMixin
from ..models import Invitation, ReadEntry, User
from ..pagination import paginate
from ..permissions import Perm, Role, has_perm
from ..services.reads import ReadSubject, record_read
from .common import form_errors_to, query_param
from .mail import MailOutboxView, invitation_page
from .rows import Row, row_url
from .token_links import TokenLinkMixin

USER_LABEL = User._meta.label_lower


class UserListView(PermissionMixin, TemplateView):
    """Every account the user may see, paginated and filtered, with the open invitations above.
    Each account row is prepared here as what it shows, so the template only places it."""

    permission = Perm.USER_VIEW
    template_name = "programmes/user_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        may_mail = MailOutboxView.allows(user)
        q = query_param(self.request, "q")
        role = query_param(self.request, "role")
        org_slug = query_param(self.request, "org")
        people = selectors.user_list_for(user=user, q=q, role=role, organisation_slug=org_slug)
        page = paginate(self.request, people)
        shown = list(page.object_list)
        record_read(  # the team members' e-mail addresses on this page
            user=user,
            subjects=[
                ReadSubject(USER_LABEL, p["pk"], p["organisation_id"], p["email"])
                for p in shown
                if p["role"] == Role.TEAM_MEMBER
            ],
            what=ReadEntry.What.MEMBER,
            request=self.request,
        )
        page.object_list = self.rows(shown, user=user)
        return super().get_context_data(
            page=page,
            rows_html=self.rows_html(
                page.object_list,
                request=self.request,
                manage=has_perm(user, Perm.ORGANISATION_MANAGE),  # as the nav's "manage"
            ),
            q=q,
            selected_role=role,
            selected_org=org_slug,
            roles=Role.choices,
            organisations=selectors.organisation_choices_for(user=user),
            invitations=invitation_page(self.request, selectors.unaccepted_invitation_rows()),
            may_mail=may_mail,
            failed_mail_count=selectors.outbox_count_for(user=user, status="failed")
            if may_mail
            else 0,
            **kwargs,
        )

    @staticmethod
    def rows_html(rows, *, request, manage: bool) -> SafeString:
        """The table rows of `rows` as HTML, written here rather than as a template loop (at
        50 rows the template engine's cost per variable and tag was half the page): the
        markup the template had, every value escaped as autoescape does; with the block
        form's column when the user may manage accounts (`manage`)."""
        active = f'<span class="badge text-bg-success">{escape(_("Active"))}</span>'
        blocked = f'<span class="badge text-bg-secondary">{escape(_("Blocked"))}</span>'
        form_middle = ""
        if manage and any(row.block_url for row in rows):
            form_middle = (
                f'">{csrf_input(request)}\n          <input type="hidden" name="active" value="'
            )
            form_next = (
                '">\n          <input type="hidden" name="next" '
                f'value="{escape(request.get_full_path())}">\n          '
                '<button type="submit" class="btn btn-sm btn-outline-secondary"'
            )
            block = f' data-confirm="{escape(_("Block this account?"))}">{escape(_("Block"))}'
            unblock = f">{escape(_('Unblock'))}"
        out = []
        for row in rows:
            cells = (
                f"<td>{escape(row.name)}</td>"
                f'<td class="text-break">{escape(row.email)}</td>'
                f"<td>{escape(str(row.role_label))}</td>"
                f"<td>{escape(row.organisation__name)}</td>"
                f"<td>{active if row.is_active else blocked}</td>"
            )
            if manage:
                form = ""
                if row.block_url:
                    form = (
                        f'\n        <form method="post" action="{escape(row.block_url)}'
                        f"{form_middle}{'0' if row.is_active else '1'}{form_next}"
                        f"{block if row.is_active else unblock}</button>\n        </form>"
                    )
                cells += f'<td class="text-end">{form}</td>'
            out.append(f"<tr>{cells}</tr>")
        return mark_safe("\n".join(out))  # noqa: S308 - every value is escaped above

    @staticmethod
    def rows(people, *, user) -> list[Row]:
        """Each account with its role in words and the URL that blocks or unblocks it (none
        for the user's own account)."""
        roles = dict(Role.choices)
        block_url = row_url("user_block", "user_pk")
        return [
            Row(
                person,
                role_label=roles.get(person["role"], person["role"]),
                block_url="" if person["pk"] == user.pk else block_url(person["pk"]),
            )
            for person in people
        ]


class InvitationCreateView(PermissionMixin, FormView):
    permission = Perm.USER_MANAGE
    method_permissions = {"POST": Perm.USER_MANAGE}
    template_name = "programmes/invitation_form.html"
    form_class = InvitationForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        slug = query_param(self.request, "org")
        initial = {"language": "nl"}
        org = selectors.find_organisation_for(user=self.request.user, slug=slug)
        if org:
            initial["organisation"] = org
            initial["role"] = Role.CONSULTANCY_ADMIN if org.is_consultancy else Role.CLIENT_STAFF
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
    method_permissions = {"POST": Perm.USER_MANAGE}
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
    method_permissions = {"POST": Perm.USER_MANAGE}
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
        target_url = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target_url, allowed_hosts={request.get_host()}):
            return HttpResponseRedirect(target_url)  # back to the page and filters it came from
        return redirect("user_list")


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
