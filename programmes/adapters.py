"""django-allauth adapter: no public sign-up; accounts come only from invitations.

The login-code mail also carries a one-tap link (see `programmes.views.login_code`), built
from the configured site address like every other outside link; and the one e-mail address
an account logs in with can never be removed. Account mails (login codes, password resets) go
through the outbox like every other mail, without a programme.

Failed logins are counted so that nobody can lock someone else out: allauth's `login_failed`
limit counts per address and per (address, account), and a much higher limit per account
from everywhere (`login_failed_account`, settings) slows a guess spread over many addresses
without letting five wrong passwords from one place shut the owner out from all others.
"""

import logging
from urllib.parse import quote, urlencode

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context

# allauth's own adapter counts through this module; overriding its hooks needs the same.
from allauth.core.internal import ratelimit
from django.contrib.sites.shortcuts import get_current_site
from django.urls import reverse
from django.utils.translation import get_language
from django_scopes import scope

from .links import absolute_url
from .models import OutboxMessage, User
from .net import client_ip, client_key
from .queueing import enqueue
from .tasks import outbox_send

logger = logging.getLogger(__name__)


def _queue_account_mail(*, message, template: str, to: str) -> bool:
    """Put an account mail (login code, password reset) in the outbox of the account's
    organisation, without a programme, so a failure is seen (the consultancy's mail page) and
    never breaks the page that asked for it. False when no account has the address: allauth
    then sends its "no account" notice directly, as before."""
    user = User.objects.filter(email__iexact=to).select_related("organisation").first()
    if user is None:
        return False
    html = next(
        (body for body, kind in getattr(message, "alternatives", ()) if kind == "text/html"), ""
    )
    with scope(organisation=user.organisation_id):
        queued = OutboxMessage.objects.create(
            organisation=user.organisation,
            programme=None,
            template=template[:100],
            to_email=to,
            to_name=user.name,
            language=(get_language() or "nl")[:8],
            subject=message.subject[:300],
            body_text=message.body,
            body_html=html,
        )
    # At once, not on commit: the person waits for the code. allauth's views run in
    # autocommit, so the row is already committed; should a worker still miss it, the outbox
    # sweep sends what stayed queued.
    enqueue(outbox_send, message_id=queued.pk, organisation_id=user.organisation_id)
    return True


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        """The visitor's address by the same rule as our own limits (`net.client_ip`)."""
        return client_ip(request) or super().get_client_ip(request)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """allauth's per-account key, narrowed to this address: five wrong passwords lock
        the account for this address only."""
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}@{client_key(request)}"

    def _account_attempts_key(self, request, **credentials) -> str:
        return super()._get_login_attempts_cache_key(request, **credentials)

    def pre_authenticate(self, request, **credentials) -> None:
        super().pre_authenticate(request, **credentials)
        self._login_failed_account_usage = ratelimit.consume(
            request,
            app="allauth.account",
            action="login_failed_account",
            key=self._account_attempts_key(request, **credentials),
        )
        if not self._login_failed_account_usage:
            super()._rollback_login_failed_rl_usage()
            raise self.validation_error("too_many_login_attempts")

    def _rollback_login_failed_rl_usage(self) -> None:
        super()._rollback_login_failed_rl_usage()
        usage = getattr(self, "_login_failed_account_usage", None)
        if usage:
            usage.rollback()

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        """After a password reset: this address's count and the account-wide one."""
        super()._delete_login_attempts_cached_email(request, **credentials)
        ratelimit.clear(
            request,
            app="allauth.account",
            action="login_failed_account",
            key=self._account_attempts_key(request, **credentials),
        )

    def get_login_redirect_url(self, request) -> str:
        return reverse("home")

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        if template_prefix == "account/email/login_code" and context.get("code"):
            context = {
                **context,
                "login_url": absolute_url(
                    reverse("account_confirm_login_code")
                    + "?"
                    + urlencode({"code": context["code"]})
                ),
                "login_minutes": max(1, app_settings.LOGIN_BY_CODE_TIMEOUT // 60),
            }
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        message = self.render_mail(template_prefix, email, {**ctx, **context})
        if not _queue_account_mail(message=message, template=template_prefix, to=email):
            try:  # a notice to an address without an account: nothing to keep or show
                message.send()
            except Exception:  # noqa: BLE001 - a failed notice never breaks the page
                logger.warning("could not send %s", template_prefix, exc_info=True)

    def get_reset_password_from_key_url(self, key: str) -> str:
        """The password-reset link on the configured site address, never the request's host
        (a forged Host header must not be able to send the link elsewhere)."""
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute_url(path.replace("UID-KEY", quote(key)))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        """The address-confirmation link on the configured site address, like the others."""
        return absolute_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def can_delete_email(self, email_address) -> bool:
        """Never the account's only address (members log in with it, by code or password);
        otherwise allauth's rule (the primary one goes only once another is primary)."""
        if (
            email_address.pk
            and not EmailAddress.objects.filter(user_id=email_address.user_id)
            .exclude(pk=email_address.pk)
            .exists()
        ):
            return False
        return super().can_delete_email(email_address)
