"""The consultancy's mail page and failed invitations on the users page: mail that belongs to
no programme (invitations, login codes) is seen by the consultancy admin and can be sent again.
"""

import smtplib
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from programmes.mail_errors import mail_error_text
from programmes.models import Invitation, OutboxMessage
from programmes.permissions import Role
from programmes.services import invitation_create

REFUSED = "SMTPRecipientsRefused: {'nieuw@example.org': (550, b'5.1.1 User unknown')}"


def _refuse(*args, **kwargs):
    raise smtplib.SMTPRecipientsRefused({"nieuw@example.org": (550, b"5.1.1 User unknown")})


@pytest.fixture
def failed_invitation(world, django_capture_on_commit_callbacks):
    """An invitation whose mail the receiving server refused (a permanent error)."""
    with (
        scopes_disabled(),
        mock.patch("django.core.mail.EmailMultiAlternatives.send", _refuse),
        django_capture_on_commit_callbacks(execute=True),
    ):
        invitation = invitation_create(
            actor=world.users[Role.CONSULTANCY_ADMIN],
            organisation=world.client,
            email="nieuw@example.org",
            name="Nieuw Lid",
            role=Role.CLIENT_STAFF,
        )
    with scopes_disabled():
        message = OutboxMessage.objects.get(to_email="nieuw@example.org")
    assert message.status == OutboxMessage.Status.FAILED and message.programme_id is None
    return invitation, message


def test_failed_invitation_shows_on_the_users_page_in_words(client, world, failed_invitation):
    invitation, message = failed_invitation
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    page = client.get(reverse("user_list")).content.decode()
    with translation.override("nl"):
        words = mail_error_text(message.last_error)
    assert "Uitnodiging niet verstuurd" in page
    assert words in page and "5.1.1" not in page and "SMTPRecipientsRefused" not in page
    assert reverse("mail_retry", kwargs={"message_pk": message.pk}) in page
    # The failed invitation gets its own button instead of a second "send again".
    assert reverse("invitation_resend", kwargs={"invitation_pk": invitation.pk}) not in page
    assert reverse("mail_outbox") + "?status=failed" in page


def test_project_leader_sees_the_failure_but_cannot_resend(client, world, failed_invitation):
    _invitation, message = failed_invitation
    client.force_login(world.users[Role.PROJECT_LEADER])
    page = client.get(reverse("user_list")).content.decode()
    assert "Uitnodiging niet verstuurd" in page
    assert reverse("mail_retry", kwargs={"message_pk": message.pk}) not in page
    assert client.get(reverse("mail_outbox")).status_code == 403
    assert client.post(reverse("mail_retry", kwargs={"message_pk": message.pk})).status_code == 403


def test_send_again_delivers_and_the_badge_goes(
    client, world, failed_invitation, mailoutbox, django_capture_on_commit_callbacks
):
    _invitation, message = failed_invitation
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mail_retry", kwargs={"message_pk": message.pk}),
            {"next": reverse("user_list")},
        )
    assert response.status_code == 302 and response["Location"] == reverse("user_list")
    with scopes_disabled():
        message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert [m.to for m in mailoutbox] == [["Nieuw Lid <nieuw@example.org>"]]
    assert "Uitnodiging niet verstuurd" not in client.get(reverse("user_list")).content.decode()
    # Sending a sent message again does nothing.
    client.post(reverse("mail_retry", kwargs={"message_pk": message.pk}))
    assert len(mailoutbox) == 1


def test_mail_page_lists_account_mail_and_filters_by_status(
    client, world, programme, failed_invitation
):
    _invitation, failed = failed_invitation
    with scopes_disabled():
        sent = OutboxMessage.objects.create(
            organisation=world.client,
            programme=programme,
            template="programmes/meeting_invitation",
            to_email="bewoner@example.org",
            subject="Uitnodiging teamoverleg",
            body_text="x",
            status=OutboxMessage.Status.SENT,
        )
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    url = reverse("mail_outbox")
    everything = client.get(url).content.decode()
    assert failed.subject in everything and sent.subject in everything
    only_failed = client.get(url, {"status": "failed"}).content.decode()
    assert failed.subject in only_failed and sent.subject not in only_failed
    accounts = client.get(url, {"about": "accounts"}).content.decode()
    assert failed.subject in accounts and sent.subject not in accounts
    # Junk in the filter is ignored, never an error.
    assert client.get(url, {"status": "nope", "page": "x"}).status_code == 200


def test_other_consultancy_sees_nothing(client, world, other_world, failed_invitation):
    _invitation, message = failed_invitation
    client.force_login(other_world.users[Role.CONSULTANCY_ADMIN])
    assert message.subject not in client.get(reverse("mail_outbox")).content.decode()
    assert client.post(reverse("mail_retry", kwargs={"message_pk": message.pk})).status_code == 404
    with scopes_disabled():
        message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED


def test_login_code_mail_goes_through_the_outbox_without_programme(client, world, mailoutbox):
    member = world.users[Role.TEAM_MEMBER]
    client.post(reverse("account_request_login_code"), {"email": member.email})
    with scopes_disabled():
        message = OutboxMessage.objects.get(to_email=member.email)
    assert message.programme_id is None and message.organisation_id == member.organisation_id
    assert message.status == OutboxMessage.Status.SENT and len(mailoutbox) == 1


def test_failed_login_code_mail_never_breaks_the_page(client, world):
    member = world.users[Role.TEAM_MEMBER]
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", _refuse):
        response = client.post(reverse("account_request_login_code"), {"email": member.email})
    assert response.status_code in (200, 302)
    with scopes_disabled():
        message = OutboxMessage.objects.get(to_email=member.email)
    assert message.status == OutboxMessage.Status.FAILED
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    assert message.subject in client.get(reverse("mail_outbox")).content.decode()


def _mail_page_queries(client, n, world):
    with scopes_disabled():
        OutboxMessage.objects.bulk_create(
            OutboxMessage(
                organisation=world.client,
                template="programmes/invitation",
                to_email=f"p{i}@example.org",
                subject=f"Uitnodiging {i}",
                body_text="x",
                status=OutboxMessage.Status.FAILED,
                last_error=REFUSED,
            )
            for i in range(n)
        )
        for i in range(n):
            Invitation.objects.create(
                organisation=world.client,
                email=f"p{i}@example.org",
                name=f"P {i}",
                role=Role.CLIENT_STAFF,
                token_hash=f"{n}-{i}".ljust(64, "x"),
                expires_at="2099-01-01T00:00:00Z",
            )
    with CaptureQueriesContext(connection) as mail_page:
        assert client.get(reverse("mail_outbox")).status_code == 200
    with CaptureQueriesContext(connection) as users_page:
        assert client.get(reverse("user_list")).status_code == 200
    return len(mail_page), len(users_page)


def test_query_count_does_not_grow_with_the_rows(client, world):
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    small = _mail_page_queries(client, 2, world)
    large = _mail_page_queries(client, 30, world)
    assert large == small


def test_error_words():
    with translation.override("en"):
        assert "refused the address" in mail_error_text(REFUSED)
        assert "could not be reached" in mail_error_text(
            "ConnectionRefusedError: [Errno 111] Connection refused"
        )
        assert "login" in mail_error_text("SMTPAuthenticationError: (535, b'5.7.8 bad')")
        assert "busy" in mail_error_text("SMTPDataError: (451, b'4.3.0 try later')")
        assert mail_error_text("") == ""
        assert mail_error_text("Whatever: odd") == "The mail server refused the message."


def test_password_reset_mail_goes_through_the_outbox(client, world, mailoutbox):
    staff = world.users[Role.CLIENT_STAFF]
    client.post(reverse("account_reset_password"), {"email": staff.email})
    with scopes_disabled():
        message = OutboxMessage.objects.get(to_email=staff.email)
    assert message.programme_id is None and message.status == OutboxMessage.Status.SENT
    assert len(mailoutbox) == 1 and "/password/reset/key/" in mailoutbox[0].body


def test_mail_to_an_unknown_address_that_fails_never_breaks_the_page(client, world, settings):
    settings.ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", _refuse):
        response = client.post(reverse("account_reset_password"), {"email": "niemand@example.org"})
    assert response.status_code in (200, 302)
    with scopes_disabled():
        assert not OutboxMessage.objects.filter(to_email="niemand@example.org").exists()


def test_open_invitations_come_a_page_at_a_time(client, world, other_world, failed_invitation):
    """Hundreds of open invitations (a team invited at once) do not make the users page or
    the client's page endless: ten at a time, newest first, each page reachable by its links,
    the total in the heading, the failed one still marked on its page; nothing of another
    consultancy."""
    import datetime as dt

    from django.utils import timezone

    failed, _message = failed_invitation
    now = timezone.now()
    with scopes_disabled():
        Invitation.objects.bulk_create(
            Invitation(
                organisation=org,
                email=f"open{i}@example.org",
                name=f"Open Uitnodiging {i:02d}",
                role=Role.CLIENT_STAFF,
                token_hash=f"{org.pk:032d}{i:032d}",
                created_at=now + dt.timedelta(minutes=i),
                expires_at=now + dt.timedelta(days=7),
            )
            for i in range(24)
            for org in (world.client, other_world.client)
        )
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    url = reverse("user_list")
    first = client.get(url).content.decode()
    assert "Openstaande uitnodigingen (25)" in first
    assert "Open Uitnodiging 23" in first and "Open Uitnodiging 14" in first
    assert "Open Uitnodiging 13" not in first and "Nieuw Lid" not in first
    assert "?invitations=2" in first and "Pagina 1 van 3" in first
    last = client.get(url + "?invitations=3").content.decode()
    assert "Nieuw Lid" in last and "Uitnodiging niet verstuurd" in last
    assert "Open Uitnodiging 03" in last and "Open Uitnodiging 04" not in last
    assert "?invitations=2" in last
    assert client.get(url + "?invitations=x").status_code == 200
    shown = first + client.get(url + "?invitations=2").content.decode() + last
    assert all(f"Open Uitnodiging {i:02d}" in shown for i in range(24))
    assert "open3@example.org" in shown and shown.count("open3@example.org") == 1
    detail = client.get(reverse("client_detail", kwargs={"org": world.client.slug}))
    assert detail.status_code == 200 and "?invitations=2" in detail.content.decode()
