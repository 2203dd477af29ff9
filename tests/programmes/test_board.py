"""The team's notice board: the project leader's messages, one mail per member with replies to
the project leader, never another member's contact details; the board in the phone app."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes import services
from programmes.mime import email_for
from programmes.models import BulkJob, OutboxMessage, TeamMessage, TeamMessageRecipient
from programmes.permissions import Role
from programmes.services.board import team_message_mail_chunk, team_message_send
from programmes.services.bulk import SYNC_MAX, bulk_job_process

from ..factories import UserFactory


def _members(programme, pl, n, start=0):
    users = []
    for i in range(start, start + n):
        user = UserFactory(
            role=Role.TEAM_MEMBER,
            organisation=programme.organisation,
            name=f"Lid {i:03d}",
            email=f"lid{i:03d}@bewoners.example",
        )
        services.team_member_add(actor=pl, programme=programme, user=user)
        users.append(user)
    return users


@pytest.fixture
def board(team, world):
    programme, member, _ = team
    pl = world.users[Role.PROJECT_LEADER]
    others = _members(programme, pl, 3)
    return programme, pl, member, others


def test_one_mail_per_member_replies_to_the_project_leader(
    board, world, settings, django_capture_on_commit_callbacks
):
    """Each member gets their own mail: To only them, Reply-To the project leader; no mail,
    header or body carries another member's address, name or the client's phone number."""
    programme, pl, member, others = board
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    programme.organisation.contact_phone = "020 123 4567"
    programme.organisation.save(update_fields=["contact_phone"])
    with_phone = "06 9999 8888"
    with django_capture_on_commit_callbacks(execute=True):
        message, job = team_message_send(
            actor=pl,
            programme=programme,
            subject="Schoonmaakactie zaterdag",
            body="We beginnen om 10 uur bij het buurthuis.",
        )
    assert job is None
    team = [member, *others]
    rows = list(OutboxMessage.objects.filter(template="programmes/team_message"))
    assert sorted(r.to_email for r in rows) == sorted(u.email for u in team)
    for row in rows:
        email = email_for(row).message().as_string()
        assert pl.email in email  # Reply-To
        assert f"To: {row.to_name} <{row.to_email}>" in email or f"<{row.to_email}>" in email
        for other in team:
            if other.email != row.to_email:
                assert other.email not in email and other.name not in email
        assert "020 123 4567" not in email and with_phone not in email
        headers = email_for(row).extra_headers
        assert headers["Reply-To"] == f"{pl.name} <{pl.email}>"
        assert len(email_for(row).to) == 1
    assert (
        TeamMessageRecipient.objects.filter(message=message, mailed_at__isnull=False).count() == 4
    )
    assert len(mail.outbox) == 4  # sent in-process after commit
    assert all(len(m.to) == 1 and m.cc == [] and m.bcc == [] for m in mail.outbox)


def test_chosen_members_only_they_see_it(board, client, world):
    programme, pl, member, others = board
    team_message_send(actor=pl, programme=programme, subject="Voor iedereen", body="Hallo team")
    team_message_send(
        actor=pl,
        programme=programme,
        subject="Alleen voor jou",
        body="Kun je de sleutel ophalen?",
        audience=TeamMessage.Audience.CHOSEN,
        members=[others[0]],
    )
    url = reverse("patrols:team_board", kwargs={"org": world.client.slug})
    client.force_login(member)
    page = client.get(url).content.decode()
    assert "Voor iedereen" in page and "Alleen voor jou" not in page
    # Nothing about the other recipients, nor any member's address.
    assert all(o.email not in page for o in others)
    client.force_login(others[0])
    page = client.get(url).content.decode()
    assert "Alleen voor jou" in page and "nieuw" in page
    assert "nieuw" not in client.get(url).content.decode()  # read now
    assert OutboxMessage.objects.filter(subject__contains="Alleen voor jou").count() == 1


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"audience": "chosen", "members": []}, "members"),
        ({"subject": ""}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"body": "x" * 5001}, "body"),
    ],
)
def test_bad_messages_are_refused(board, fields, key):
    programme, pl, _, _ = board
    data = {"subject": "Onderwerp", "body": "Tekst", **fields}
    with pytest.raises(ValidationError) as caught:
        team_message_send(actor=pl, programme=programme, **data)
    assert key in caught.value.message_dict
    assert not TeamMessage.objects.exists() and not OutboxMessage.objects.exists()


def test_someone_from_another_team_cannot_be_chosen(board, world):
    programme, pl, _, _ = board
    stranger = UserFactory(role=Role.TEAM_MEMBER, organisation=programme.organisation)
    with pytest.raises(ValidationError):
        team_message_send(
            actor=pl,
            programme=programme,
            subject="Onderwerp",
            body="Tekst",
            audience="chosen",
            members=[stranger],
        )


def test_many_members_are_mailed_by_a_bulk_job_once(board, settings):
    """Above SYNC_MAX members the mail goes out through a bulk job; its chunk run again mails
    nobody twice."""
    programme, pl, _, others = board
    _members(programme, pl, SYNC_MAX, start=100)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    message, job = team_message_send(actor=pl, programme=programme, subject="Veel", body="Tekst")
    assert isinstance(job, BulkJob)
    job.refresh_from_db()
    n = message.recipients.count()
    assert n == SYNC_MAX + 4
    bulk_job_process(job_id=job.pk)  # the task's run
    assert OutboxMessage.objects.filter(template="programmes/team_message").count() == n
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", n, n)
    # A chunk run again (a worker died after sending, before the job moved on) mails nobody.
    assert team_message_mail_chunk(job, job.payload["items"]) == 0
    assert OutboxMessage.objects.filter(template="programmes/team_message").count() == n


def test_the_project_leaders_page_sends_and_lists(board, client, world):
    programme, pl, member, others = board
    client.force_login(pl)
    url = reverse(
        "programme_board", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    response = client.post(
        url,
        {"subject": "Teamavond", "body": "Donderdag om 8 uur", "audience": "chosen", "members": []},
    )
    assert response.status_code == 200 and "Kies minstens één teamlid." in response.content.decode()
    response = client.post(
        url,
        {
            "subject": "Teamavond",
            "body": "Donderdag om 8 uur",
            "audience": "chosen",
            "members": [member.pk, others[1].pk],
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Teamavond" in page and "2 leden" in page


def test_the_boards_query_count_does_not_grow(board, client, world):
    programme, pl, member, _ = board

    def count(name, **kwargs):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(name, kwargs={"org": world.client.slug, **kwargs}))
        assert response.status_code == 200
        return len(ctx)

    team_message_send(actor=pl, programme=programme, subject="Eerste", body="Tekst")
    client.force_login(member)
    small_member = count("patrols:team_board")
    client.force_login(pl)
    small_pl = count("programme_board", programme_pk=programme.pk)
    for i in range(30):
        team_message_send(actor=pl, programme=programme, subject=f"Bericht {i}", body="Tekst")
    client.force_login(member)
    count("patrols:team_board")  # marks the first page read
    assert count("patrols:team_board") <= small_member + 1
    client.force_login(pl)
    assert count("programme_board", programme_pk=programme.pk) == small_pl
