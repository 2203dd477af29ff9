"""Meetings: invitations with personal reply links, the waiting list, reminders, attendance."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from programmes import services
from programmes.models import Invitee, OutboxMessage
from programmes.permissions import Role
from programmes.services.meetings import meeting_reminders_due


@pytest.fixture
def meeting(world, programme, unscoped):
    start = timezone.now() + dt.timedelta(days=7)
    return services.meeting_create(
        actor=world.users[Role.PROJECT_LEADER],
        programme=programme,
        kind="information",
        title="Informatiebijeenkomst",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        location="Buurthuis De Linde",
        capacity=2,
    )


def _invite(meeting, n, mailoutbox, capture):
    people, tokens = [], []
    for i in range(n):
        with capture(execute=True):
            people.append(
                services.invitee_add(
                    actor=None, meeting=meeting, name=f"Bewoner {i}", email=f"b{i}@example.org"
                )
            )
        tokens.append(re.search(r"/meeting/[\w-]+/([\w-]+)/", mailoutbox[-1].body).group(1))
    return people, tokens


def test_waiting_list_moves_up_when_someone_declines(
    meeting, mailoutbox, django_capture_on_commit_callbacks, unscoped
):
    (a, b, c), _ = _invite(meeting, 3, mailoutbox, django_capture_on_commit_callbacks)
    assert services.meeting_reply(invitee=a, attending=True).status == Invitee.Status.ACCEPTED
    assert services.meeting_reply(invitee=b, attending=True).status == Invitee.Status.ACCEPTED
    c = services.meeting_reply(invitee=c, attending=True)
    assert c.status == Invitee.Status.WAITLISTED and c.waitlisted_at
    assert services.seats_taken(meeting) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_reply(invitee=a, attending=False)
    c.refresh_from_db()
    assert c.status == Invitee.Status.ACCEPTED and services.seats_taken(meeting) == 2
    assert any(
        "Er is een plek voor je" in m.subject or "A place for you" in m.subject for m in mailoutbox
    )


def test_guests_count_as_places(meeting, mailoutbox, django_capture_on_commit_callbacks, unscoped):
    (a, b), _ = _invite(meeting, 2, mailoutbox, django_capture_on_commit_callbacks)
    assert (
        services.meeting_reply(invitee=a, attending=True, guests=1).status
        == Invitee.Status.ACCEPTED
    )
    assert services.meeting_reply(invitee=b, attending=True).status == Invitee.Status.WAITLISTED
    with pytest.raises(ValidationError):
        services.meeting_reply(invitee=a, attending=True, guests=3)  # no room: keeps 1 guest
    a.refresh_from_db()
    assert a.guests == 1 and a.status == Invitee.Status.ACCEPTED
    services.meeting_reply(invitee=a, attending=True, guests=0)  # frees a place for b
    b.refresh_from_db()
    assert b.status == Invitee.Status.ACCEPTED
    with pytest.raises(ValidationError):
        services.meeting_reply(invitee=a, attending=True, guests=11)


def test_waiting_list_is_first_come_first_served(
    meeting, mailoutbox, django_capture_on_commit_callbacks, unscoped
):
    (a, b, c, d), _ = _invite(meeting, 4, mailoutbox, django_capture_on_commit_callbacks)
    for person in (a, b, c, d):
        services.meeting_reply(invitee=person, attending=True)
    services.meeting_reply(invitee=b, attending=False)
    c.refresh_from_db()
    d.refresh_from_db()
    assert c.status == Invitee.Status.ACCEPTED and d.status == Invitee.Status.WAITLISTED
    # Someone new who says yes does not jump the queue even when a place opens up.
    services.meeting_update(actor=None, meeting=meeting, capacity=3)
    d.refresh_from_db()
    assert d.status == Invitee.Status.ACCEPTED


def test_reply_link_is_personal_and_unguessable(
    client, world, meeting, mailoutbox, django_capture_on_commit_callbacks, unscoped
):
    (a, b), (token_a, token_b) = _invite(meeting, 2, mailoutbox, django_capture_on_commit_callbacks)
    assert len(token_a) >= 40 and token_a != token_b
    assert services.invitee_by_token(token=token_a) == a
    assert services.invitee_by_token(token=token_a[:-2]) is None
    url_a = reverse("meeting_reply", kwargs={"org": world.client.slug, "token": token_a})
    page = client.get(url_a, follow=True).content.decode()
    assert "Bewoner 0" in page and "Bewoner 1" not in page
    response = client.post(
        url_a, {"attending": "yes", "guests": "0", "invitee": b.pk, "token": token_b}
    )
    assert response.status_code == 200
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == Invitee.Status.ACCEPTED and b.status == Invitee.Status.INVITED
    # The token under another organisation's URL, or a made-up one, finds nothing.
    assert (
        client.get(
            reverse("meeting_reply", kwargs={"org": world.other_client.slug, "token": token_a})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("meeting_reply", kwargs={"org": world.client.slug, "token": "x" * 43})
        ).status_code
        == 404
    )


def test_reply_form_errors_keep_input(
    client, world, meeting, mailoutbox, django_capture_on_commit_callbacks, unscoped
):
    _, (token,) = _invite(meeting, 1, mailoutbox, django_capture_on_commit_callbacks)
    url = reverse("meeting_reply", kwargs={"org": world.client.slug, "token": token})
    response = client.post(url, {"attending": "yes", "guests": "-3"})
    assert response.status_code == 200
    assert "Zorg ervoor dat deze waarde minstens 0 is." in response.content.decode()
    assert client.post(url, {"guests": "2"}).status_code == 200


def test_reply_after_the_meeting_is_refused(
    meeting, mailoutbox, django_capture_on_commit_callbacks, unscoped
):
    (a,), _ = _invite(meeting, 1, mailoutbox, django_capture_on_commit_callbacks)
    meeting.starts_at = timezone.now() - dt.timedelta(days=2)
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=1)
    meeting.save()
    with pytest.raises(ValidationError):
        services.meeting_reply(invitee=a, attending=True)


def test_double_invitation_refused(meeting, unscoped):
    services.invitee_add(actor=None, meeting=meeting, name="A", email="a@example.org")
    with pytest.raises(ValidationError):
        services.invitee_add(actor=None, meeting=meeting, name="A", email="A@example.org")


def test_reminders_the_day_before_once(
    meeting, mailoutbox, django_capture_on_commit_callbacks, unscoped
):
    (a, b), _ = _invite(meeting, 2, mailoutbox, django_capture_on_commit_callbacks)
    services.meeting_reply(invitee=a, attending=True)
    services.meeting_reply(invitee=b, attending=False)
    assert list(meeting_reminders_due()) == []  # a week ahead: not yet
    soon = meeting.starts_at - dt.timedelta(hours=20)
    assert list(meeting_reminders_due(now=soon)) == [(a.pk, a.organisation_id)]
    from programmes.tasks import meeting_reminders_send

    before = OutboxMessage.objects.filter(template="programmes/meeting_reminder").count()
    meeting.starts_at = timezone.now() + dt.timedelta(hours=20)
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=2)
    meeting.save()
    assert meeting_reminders_send() == 1
    assert meeting_reminders_send() == 0
    assert (
        OutboxMessage.objects.filter(template="programmes/meeting_reminder").count() == before + 1
    )


def test_attendance(world, meeting, unscoped):
    a = services.invitee_add(actor=None, meeting=meeting, name="A", email="a@example.org")
    services.invitee_set_attended(actor=world.users[Role.PROJECT_LEADER], invitee=a, attended=True)
    a.refresh_from_db()
    assert a.attended is True
