"""Notifications: tell people about an event in the app and by mail, at once or in a daily
digest, as each person chose per kind (`programmes.notification_kinds`).

`notify` writes one row per recipient who wants the kind, in the caller's transaction; a
recipient who wants it by mail at once gets a message through the outbox (`mail_queue`, so it
is sent after commit, retried, and never lost). A `dedupe_key` makes one event notify a person
once, however often the caller runs (a resent record, a retried task): a unique constraint
holds it, so two concurrent calls cannot both write it.

The digest runner (`notification_digests_send`, from the beat) sends each person one mail per
kind and period (a day in their time zone, from their chosen hour) listing what is new, and
nothing when nothing is. A `NotificationDigest` row per person, kind and period is inserted
before anything is marked or mailed: a second run in the same period, or a concurrent one,
fails on its unique constraint and sends nothing.

Notification rows, their read and mail state and digest records are bookkeeping, not audited:
the event they tell about is audited by its own service. A person's own choices (preferences,
unsubscribing) are not audited either, as their interface language is not.
"""

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation

from ..links import absolute_url, reverse_absolute
from ..mail import mail_queue
from ..models import Notification, NotificationDigest, NotificationPreference, User
from ..models.base import TIME_ZONES
from ..notification_kinds import (
    AT_ONCE,
    DEFAULT_DIGEST_HOUR,
    DIGEST,
    MODES,
    NotificationKind,
    notification_kind,
)
from .common import apply_changes

logger = logging.getLogger(__name__)

# The most rows a digest mail lists; the rest is counted ("and 12 more").
DIGEST_MAX_ITEMS = 50
# How long notifications are kept: they repeat what the records they point to say (a signal's
# place and description), so they go once read and old, and all of them after a year.
KEEP_READ = timedelta(days=90)
KEEP_ANY = timedelta(days=365)
KEEP_DIGEST_RECORDS = timedelta(days=30)
UNSUBSCRIBE_SALT = "programmes.notifications.unsubscribe"
TITLE_MAX = 200
BODY_MAX = 1000


class Choice:
    """What one person gets of one kind: their preference row, or the kind's defaults."""

    __slots__ = ("digest_hour", "email", "in_app", "mode", "on")

    def __init__(self, *, kind: NotificationKind, preference: NotificationPreference | None):
        if preference is None:
            self.on = kind.default_on
            self.in_app = kind.default_on and kind.default_in_app
            self.email = kind.default_on and kind.default_email
            self.mode = kind.default_mode
            self.digest_hour = DEFAULT_DIGEST_HOUR
        else:
            self.in_app = preference.in_app
            self.email = preference.email
            self.on = preference.in_app or preference.email
            self.mode = preference.mode if kind.digest else AT_ONCE
            self.digest_hour = preference.digest_hour


def choices_for(*, kind: NotificationKind, users) -> dict[int, Choice]:
    """Each user's choice for `kind`, from one query over their preference rows."""
    users = list(users)
    rows = {
        row.user_id: row
        for row in NotificationPreference.objects.filter(
            kind=kind.code, user_id__in=[u.pk for u in users]
        )
    }
    return {u.pk: Choice(kind=kind, preference=rows.get(u.pk)) for u in users}


def user_time_zone(user) -> ZoneInfo:
    """The person's time zone: the one they chose, else the site's (Europe/Amsterdam)."""
    name = getattr(user, "time_zone", "") or settings.TIME_ZONE
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):
        return ZoneInfo(settings.TIME_ZONE)


# Unsubscribing ----------------------------------------------------------------------------


def unsubscribe_token(*, user, kind: str) -> str:
    """A signed token that switches `kind`'s mail off for `user` without a login. It holds
    only the user's id and the kind and is signed with the site's secret (salted), so it
    cannot be made or changed without the secret; it does not expire, as a mail kept for
    months should still unsubscribe."""
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=False)


def unsubscribe_read(token: str) -> tuple[int, str] | None:
    """(user id, kind) of a valid token; None for a tampered, cut-off or foreign one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    if not isinstance(data.get("k"), str):
        return None
    return data["u"], data["k"]


def unsubscribe_url(*, user, kind: str) -> str:
    """The absolute one-click unsubscribe link of `kind` for `user`."""
    return reverse_absolute(
        "notification_unsubscribe", kwargs={"token": unsubscribe_token(user=user, kind=kind)}
    )


def _unsubscribe_headers(url: str) -> dict:
    # RFC 2369 and RFC 8058: mail programs offer their own "unsubscribe" button, which posts.
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# Notifying --------------------------------------------------------------------------------


def _text(value, limit: int) -> str:
    text = " ".join(str(value or "").split()) if limit == TITLE_MAX else str(value or "").strip()
    return text[:limit]


def notify(
    *,
    kind: str,
    recipients,
    title,
    body="",
    url: str = "",
    dedupe_key: str = "",
    organisation,
    programme=None,
    in_app: bool = True,
) -> list[Notification]:
    """Tell `recipients` (users) about an event of a registered `kind`, each as they chose.

    `title` and `body` may be lazy translations (`format_lazy`): they are rendered in each
    recipient's language. `url` is a path on the site. A recipient whose role may not have
    the kind, who switched it off, or who was told of this `dedupe_key` already, gets
    nothing. Mail "at once" goes through the outbox after commit; "digest" waits for the
    runner. `in_app=False`: by mail only, for an event another notice already shows in the
    app (an urgent signal is also a new one). Returns the rows written.
    """
    spec = notification_kind(kind)
    recipients = [
        user
        for user in dict.fromkeys(recipients)
        if user is not None and user.is_active and spec.allows(user) and user.email
    ]
    if not recipients:
        return []
    choices = choices_for(kind=spec, users=recipients)
    written = []
    for user in recipients:
        choice = choices[user.pk]
        shown = choice.in_app and in_app
        if not (shown or choice.email):
            continue
        with translation.override(user.language or "nl"):
            title_text = _text(title, TITLE_MAX)
            body_text = _text(body, BODY_MAX)
        if not choice.email:
            mail = Notification.Mail.NONE
        elif choice.mode == DIGEST:
            mail = Notification.Mail.DIGEST
        else:
            mail = Notification.Mail.QUEUED
        row = Notification(
            organisation=organisation,
            recipient=user,
            kind=kind,
            title=title_text,
            body=body_text,
            url=url,
            in_app=shown,
            mail=mail,
            emailed_at=timezone.now() if mail == Notification.Mail.QUEUED else None,
            dedupe_key=dedupe_key[:200],
        )
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            if not dedupe_key:
                raise
            continue  # told of this event already
        if mail == Notification.Mail.QUEUED:
            link = unsubscribe_url(user=user, kind=kind)
            mail_queue(
                organisation=organisation,
                programme=programme,
                to=user.email,
                to_name=user.name,
                language=user.language or "nl",
                template="programmes/notification",
                context={
                    "name": user.first_name,
                    "notification": row,
                    "kind_label": spec.label,
                    "link": absolute_url(url) if url else "",
                    "unsubscribe_url": link,
                    "preferences_url": reverse_absolute("notification_preferences"),
                },
                headers=_unsubscribe_headers(link),
            )
        written.append(row)
    return written


def notify_on_commit(**kwargs) -> None:
    """`notify` once the current transaction commits (at once outside one): for a caller
    whose own work must not wait for, or fail with, the notifying."""
    transaction.on_commit(lambda: notify(**kwargs))


# Reading ----------------------------------------------------------------------------------


def notification_mark_read(*, user, notification: Notification) -> Notification:
    """Mark one of the user's own notifications read (already read: unchanged)."""
    if notification.recipient_id != user.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        notification.read_at = timezone.now()
    return notification


def notices_mark_read(*, user, kind: str, dedupe_prefix: str) -> int:
    """Mark read the user's unread notices of `kind` whose dedupe key starts with
    `dedupe_prefix` (the notices of one object, which the user has now looked at)."""
    return Notification.objects.filter(
        recipient=user,
        kind=kind,
        read_at__isnull=True,
        dedupe_key__startswith=dedupe_prefix,
    ).update(read_at=timezone.now())


def mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# Preferences ------------------------------------------------------------------------------


@transaction.atomic
def time_zone_set(*, user, time_zone: str) -> None:
    """Store the time zone the person's digests keep to (one of `User.time_zone`'s choices)."""
    if time_zone not in dict(TIME_ZONES):
        raise ValueError(f"not a time zone to choose: {time_zone!r}")
    if user.time_zone != time_zone:
        User.objects.filter(pk=user.pk).update(time_zone=time_zone)
        user.time_zone = time_zone


def preferences_set(
    *,
    user,
    kind: str,
    email: bool | None = None,
    in_app: bool | None = None,
    mode: str | None = None,
    digest_hour: int | None = None,
) -> NotificationPreference:
    """Store the user's choice for one kind; what is not given keeps its current value (the
    kind's default before any choice). A kind the user's role may not have is refused."""
    spec = notification_kind(kind)
    if not spec.allows(user):
        raise PermissionError(f"{user.role} may not have {kind}")
    if mode is not None and (mode not in MODES or (mode == DIGEST and not spec.digest)):
        raise ValueError(f"not a mode of {kind}: {mode!r}")
    if digest_hour is not None and not 0 <= int(digest_hour) <= 23:
        raise ValueError(f"not an hour of the day: {digest_hour!r}")
    preference = (
        NotificationPreference.objects.select_for_update().filter(user=user, kind=kind).first()
    )
    if preference is None:
        current = Choice(kind=spec, preference=None)
        preference = NotificationPreference(
            user=user,
            kind=kind,
            in_app=current.in_app,
            email=current.email,
            mode=current.mode,
            digest_hour=current.digest_hour,
        )
    fields = {
        name: value
        for name, value in (
            ("email", email),
            ("in_app", in_app),
            ("mode", mode),
            ("digest_hour", None if digest_hour is None else int(digest_hour)),
        )
        if value is not None
    }
    changed = apply_changes(preference, fields, allowed=("email", "in_app", "mode", "digest_hour"))
    if preference.pk is None or changed:
        preference.updated_at = timezone.now()
        preference.full_clean(validate_unique=False)
        preference.save()
    return preference


def unsubscribe(*, token: str) -> tuple[object, NotificationKind] | None:
    """Switch off the mail of the kind the signed token names, for the user it names,
    without a login. Returns (user, kind), or None for a token that is not valid (tampered,
    or its user or kind is gone)."""
    read = unsubscribe_read(token)
    if read is None:
        return None
    user_id, code = read
    user = User.objects.filter(pk=user_id, is_active=True).first()
    try:
        spec = notification_kind(code)
    except KeyError:
        return None
    if user is None or not spec.allows(user):
        return None
    preferences_set(user=user, kind=code, email=False)
    return user, spec


# Digests ----------------------------------------------------------------------------------


def digests_waiting() -> list[tuple[int, str, int]]:
    """(recipient id, kind, organisation id) of every group of notifications that waits for
    a digest. Reads every tenant: call it with scoping off (the beat task does)."""
    return list(
        Notification.objects.filter(mail=Notification.Mail.DIGEST)
        .values_list("recipient_id", "kind", "organisation_id")
        .distinct()
        .order_by()
    )


def digest_send(*, recipient, kind: str, organisation, now: datetime | None = None) -> int:
    """Send `recipient` their digest of `kind` in `organisation` if its time has come in their
    time zone and none went out this period; returns the number of notifications in it (0:
    nothing sent). Run inside the organisation's scope."""
    now = now or timezone.now()
    try:
        spec = notification_kind(kind)
    except KeyError:
        spec = None
    choice = choices_for(kind=spec, users=[recipient])[recipient.pk] if spec else None
    waiting = Notification.objects.filter(
        recipient=recipient, kind=kind, mail=Notification.Mail.DIGEST
    )
    if choice is None or not choice.email or not recipient.is_active or not spec.allows(recipient):
        # Switched off (or the kind is gone) since: these will not be mailed.
        waiting.update(mail=Notification.Mail.NONE)
        return 0
    local = now.astimezone(user_time_zone(recipient))
    if local.hour < choice.digest_hour:
        return 0
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = NotificationDigest.objects.create(
                    organisation=organisation,
                    recipient=recipient,
                    kind=kind,
                    period=local.date(),
                    created_at=now,
                )
        except IntegrityError:
            return 0  # this period's digest went out already; the rest waits for the next
        rows = list(waiting.select_for_update().order_by("-created_at", "-id"))
        if not rows:
            transaction.set_rollback(True)  # nothing new: no mail, and no period used up
            return 0
        Notification.objects.filter(
            pk__in=[row.pk for row in rows], mail=Notification.Mail.DIGEST
        ).update(mail=Notification.Mail.DIGESTED, emailed_at=now)
        record.count = len(rows)
        record.save(update_fields=["count"])
        link = unsubscribe_url(user=recipient, kind=kind)
        mail_queue(
            organisation=organisation,
            to=recipient.email,
            to_name=recipient.name,
            language=recipient.language or "nl",
            template="programmes/notification_digest",
            context={
                "name": recipient.first_name,
                "kind_label": spec.label,
                "items": [
                    {
                        "title": row.title,
                        "body": row.body,
                        "link": absolute_url(row.url) if row.url else "",
                    }
                    for row in rows[:DIGEST_MAX_ITEMS]
                ],
                "count": len(rows),
                "more": max(0, len(rows) - DIGEST_MAX_ITEMS),
                "list_url": reverse_absolute("notification_list"),
                "unsubscribe_url": link,
                "preferences_url": reverse_absolute("notification_preferences"),
            },
            headers=_unsubscribe_headers(link),
        )
        return len(rows)


# Retention --------------------------------------------------------------------------------


def notifications_delete_expired(*, now: datetime | None = None) -> int:
    """Delete notifications read more than KEEP_READ ago and any older than KEEP_ANY (one
    still waiting for a digest stays until its digest), and digest records older than
    KEEP_DIGEST_RECORDS (a period that old can no longer be sent again). Returns the number
    of notifications deleted. Reads every tenant: call it with scoping off."""
    now = now or timezone.now()
    expired = Notification.objects.filter(
        Q(read_at__lt=now - KEEP_READ) | Q(created_at__lt=now - KEEP_ANY)
    ).exclude(mail=Notification.Mail.DIGEST)
    deleted, _by_model = expired.delete()
    NotificationDigest.objects.filter(created_at__lt=now - KEEP_DIGEST_RECORDS).delete()
    return deleted
