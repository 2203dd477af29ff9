"""The team's notice board: the project leader's messages to the whole team or to chosen
members, on the board in the app and by mail.

Privacy: every member gets a mail of their own (To: that member only), so nobody sees another
member's address; replies go to the author (Reply-To), never to the team; the mail and the
board carry the author's name and the message, no member's contact details. Up to SYNC_MAX
members are mailed in the request; more by a bulk job with a progress bar. A recipient row
records whose mail was queued (`mailed_at`), so a job's chunk run again mails nobody twice.
"""

from email.utils import formataddr

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import registry
from ..audit import audit_log
from ..links import reverse_absolute, site_url
from ..mail import mail_burst, mail_queue
from ..models import Programme, TeamMessage, TeamMessageRecipient, User
from ..selectors.roster import roster
from .bulk import SYNC_MAX, bulk_job_start

# The bulk job kind of mailing a message to many members (registered in apps.py).
TEAM_MESSAGE_MAIL = "programmes.team_message_mail"
MAIL_TEMPLATE = "programmes/team_message"
# The longest message (a TextField's max_length is not checked by the model's validation).
BODY_MAX = TeamMessage._meta.get_field("body").max_length


def _app_url(organisation) -> str:
    """The team member's app (its home shows the notice board), as registered by the app
    that offers it; the site itself when none does."""
    home = registry.team_home()
    if home is None:
        return site_url()
    return reverse_absolute(home.url_name, kwargs={"org": organisation.slug})


def _mail(recipient: TeamMessageRecipient, now) -> None:
    """Queue the message's mail to one member (once): to them alone, replies to the author."""
    if recipient.mailed_at is not None:
        return
    message, user = recipient.message, recipient.user
    author = message.author
    headers = {}
    if author is not None and author.email:
        headers["Reply-To"] = formataddr((author.name, author.email))
    mail_queue(
        organisation=message.organisation,
        programme=message.programme,
        to=user.email,
        to_name=user.name,
        template=MAIL_TEMPLATE,
        language=user.language or "nl",
        headers=headers,
        context={
            "message": message,
            "author_name": author.name if author else "",
            "recipient": user,
            "app_url": _app_url(message.organisation),
        },
    )
    recipient.mailed_at = now
    recipient.save(update_fields=["mailed_at"])


def team_message_mail_chunk(job, items: list[int]) -> int:
    """Mail one chunk of a message's recipients (the items are recipient rows); a recipient
    already mailed is skipped, so a chunk run again mails nobody twice. Nothing fails."""
    now = timezone.now()
    recipients = (
        TeamMessageRecipient.objects.filter(
            message_id=job.payload["message"], pk__in=items, mailed_at__isnull=True
        )
        .select_related("user", "message", "message__author", "message__programme")
        .select_related("message__organisation")
        .order_by("pk")
    )
    for recipient in recipients:
        _mail(recipient, now)
    return 0


@transaction.atomic
def team_message_send(
    *,
    actor: User,
    programme: Programme,
    subject: str,
    body: str,
    audience: str = TeamMessage.Audience.TEAM,
    members=(),
):
    """Put a message on the team's notice board and mail it to each member it is for: the
    whole team (every active member) or the chosen `members` (users on the team). Returns
    (message, bulk job or None): more than SYNC_MAX members are mailed by a bulk job."""
    team = {m.user_id: m.user for m in roster(programme=programme)}
    if audience == TeamMessage.Audience.TEAM:
        users = list(team.values())
    else:
        chosen = {getattr(u, "pk", u) for u in members}
        if not chosen:
            raise ValidationError({"members": _("Choose at least one team member.")})
        if not chosen <= set(team):
            raise ValidationError({"members": _("Choose members of this team.")})
        users = [team[pk] for pk in team if pk in chosen]
    if not users:
        raise ValidationError(_("This team has no members yet."))
    body = (body or "").strip()
    if len(body) > BODY_MAX:
        raise ValidationError({"body": _("Use at most %(n)s characters.") % {"n": BODY_MAX}})
    message = TeamMessage(
        organisation=programme.organisation,
        programme=programme,
        author=actor,
        subject=(subject or "").strip(),
        body=body,
        audience=audience,
    )
    message.full_clean(exclude=["organisation", "programme", "author"])
    message.save()
    TeamMessageRecipient.objects.bulk_create(
        [
            TeamMessageRecipient(organisation=programme.organisation, message=message, user=u)
            for u in users
        ]
    )
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="team_message.sent",
        obj=message,
        data={"audience": audience, "recipients": len(users)},
    )
    recipients = list(
        TeamMessageRecipient.objects.filter(message=message)
        .select_related("user", "message", "message__author", "message__organisation")
        .select_related("message__programme")
        .order_by("pk")
    )
    if len(recipients) <= SYNC_MAX:
        now = timezone.now()
        with mail_burst():
            for recipient in recipients:
                _mail(recipient, now)
        return message, None
    job = bulk_job_start(
        actor=actor,
        kind=TEAM_MESSAGE_MAIL,
        programme=programme,
        items=[r.pk for r in recipients],
        payload={"message": message.pk},
    )
    return message, job


def team_messages_read(*, user: User, messages) -> int:
    """Mark the messages `user` was shown on the board as read by them (bookkeeping: the
    first time only); returns how many were new."""
    ids = [m.pk for m in messages]
    if not ids:
        return 0
    return TeamMessageRecipient.objects.filter(
        user=user, message_id__in=ids, read_at__isnull=True
    ).update(read_at=timezone.now())
