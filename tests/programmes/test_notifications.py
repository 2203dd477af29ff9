"""Notifications: preferences respected, mail at once through the outbox exactly once per
event, daily digests once per period (and none when nothing is new), the one-click
unsubscribe link, and the in-app list that shows only one's own."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from programmes.mime import email_for
from programmes.models import Notification, NotificationDigest, OutboxMessage
from programmes.notification_kinds import (
    DIGEST,
    NotificationKind,
    register_notification_kind,
    unregister_notification_kind,
)
from programmes.permissions import Role
from programmes.selectors.notifications import UNREAD_CAP, unread_count
from programmes.services import notifications as service
from programmes.tasks import notification_digests_send

AMS = ZoneInfo("Europe/Amsterdam")
URGENT = "test.urgent"
DAILY = "test.daily"


@pytest.fixture(autouse=True)
def kinds():
    urgent = register_notification_kind(
        NotificationKind(
            code=URGENT,
            label="Dringend",
            audience={Role.CLIENT_STAFF, Role.PROJECT_LEADER},
            digest=False,
        )
    )
    daily = register_notification_kind(
        NotificationKind(
            code=DAILY, label="Nieuw", audience={Role.CLIENT_STAFF}, default_mode=DIGEST
        )
    )
    yield urgent, daily
    unregister_notification_kind(URGENT)
    unregister_notification_kind(DAILY)


def _notify(world, kind=URGENT, key="event:1", recipients=None, title="Dringende melding"):
    staff = world.users[Role.CLIENT_STAFF]
    with scope(organisation=world.client.pk):
        return service.notify(
            kind=kind,
            recipients=recipients or [staff],
            title=title,
            body="Grofvuil bij de container",
            url="/portal/x/",
            dedupe_key=key,
            organisation=world.client,
        )


def test_at_once_mail_goes_through_the_outbox_once_per_event(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    staff = world.users[Role.CLIENT_STAFF]
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = _notify(world)
        assert _notify(world) == []  # the same event again: nobody is told twice
    with scopes_disabled():
        messages = list(OutboxMessage.objects.filter(to_email=staff.email))
        assert Notification.objects.filter(recipient=staff).count() == 1
    assert len(messages) == 1 and messages[0].status == OutboxMessage.Status.SENT
    assert len(mailoutbox) == 1
    assert row.mail == Notification.Mail.QUEUED and row.emailed_at is not None
    mail = mailoutbox[0]
    assert mail.subject == "Dringende melding"
    assert "Grofvuil bij de container" in mail.body
    # One-click unsubscribe in the headers (RFC 8058) and in the text.
    sent = email_for(messages[0]).message()
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.search(r"<(http[^>]+)>", sent["List-Unsubscribe"]).group(1)
    assert link in mail.body


def test_a_new_event_notifies_again(world, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(world, key="event:1")
        _notify(world, key="event:2")
    assert len(mailoutbox) == 2


def test_switched_off_means_nothing(world, django_capture_on_commit_callbacks, mailoutbox):
    staff = world.users[Role.CLIENT_STAFF]
    service.preferences_set(user=staff, kind=URGENT, email=False, in_app=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify(world) == []
    with scopes_disabled():
        assert not Notification.objects.exists()
    assert mailoutbox == []


def test_in_app_only_writes_a_row_and_no_mail(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    staff = world.users[Role.CLIENT_STAFF]
    service.preferences_set(user=staff, kind=URGENT, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = _notify(world)
    assert row.in_app and row.mail == Notification.Mail.NONE
    assert mailoutbox == []


def test_a_role_outside_the_audience_gets_nothing(world, mailoutbox):
    member = world.users[Role.TEAM_MEMBER]
    assert _notify(world, recipients=[member]) == []
    with pytest.raises(PermissionError):
        service.preferences_set(user=member, kind=URGENT, email=True)


def _digest_at(hour, day=dt.date(2026, 12, 7)):
    return dt.datetime(day.year, day.month, day.day, hour, 5, tzinfo=AMS)


def _run_digests(now):
    with scopes_disabled():
        pairs = service.digests_waiting()
        from programmes.models import Organisation, User

        sent = 0
        for user_id, kind, org_id in pairs:
            with scope(organisation=org_id):
                sent += bool(
                    service.digest_send(
                        recipient=User.objects.get(pk=user_id),
                        kind=kind,
                        organisation=Organisation.objects.get(pk=org_id),
                        now=now,
                    )
                )
    return sent


def test_digest_once_per_period_from_the_chosen_hour(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    staff = world.users[Role.CLIENT_STAFF]
    service.preferences_set(user=staff, kind=DAILY, digest_hour=9)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(world, kind=DAILY, key="a", title="Melding A")
        _notify(world, kind=DAILY, key="b", title="Melding B")
    assert mailoutbox == []  # the digest waits
    with django_capture_on_commit_callbacks(execute=True):
        assert _run_digests(_digest_at(8)) == 0  # before the chosen hour in Amsterdam
        assert _run_digests(_digest_at(9)) == 1
        assert _run_digests(_digest_at(9)) == 0  # the beat fires twice: one digest
    assert len(mailoutbox) == 1
    assert "Melding A" in mailoutbox[0].body and "Melding B" in mailoutbox[0].body
    with scopes_disabled():
        assert NotificationDigest.objects.get().count == 2
        assert set(Notification.objects.values_list("mail", flat=True)) == {"digested"}
    # Something new the same day waits for the next period.
    with django_capture_on_commit_callbacks(execute=True):
        _notify(world, kind=DAILY, key="c", title="Melding C")
        assert _run_digests(_digest_at(18)) == 0
        assert _run_digests(_digest_at(9, dt.date(2026, 12, 8))) == 1
    assert len(mailoutbox) == 2 and "Melding C" in mailoutbox[1].body
    assert "Melding A" not in mailoutbox[1].body


def test_nothing_new_sends_no_digest(world, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        assert _run_digests(_digest_at(23)) == 0
    assert mailoutbox == []
    with scopes_disabled():
        assert not NotificationDigest.objects.exists()


def test_the_beat_task_sends_each_digest_once(
    world, django_capture_on_commit_callbacks, mailoutbox, settings
):
    staff = world.users[Role.CLIENT_STAFF]
    service.preferences_set(user=staff, kind=DAILY, digest_hour=0)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(world, kind=DAILY, key="a")
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_digests_send.apply().get() == 1
        assert notification_digests_send.apply().get() == 0
    assert len(mailoutbox) == 1
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "programmes.tasks.notification_digests_send" in tasks


def test_mail_switched_off_after_the_event_drops_it_from_the_digest(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    staff = world.users[Role.CLIENT_STAFF]
    service.preferences_set(user=staff, kind=DAILY, digest_hour=0)
    _notify(world, kind=DAILY, key="a")
    service.preferences_set(user=staff, kind=DAILY, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert _run_digests(_digest_at(10)) == 0
    assert mailoutbox == []


def _unsubscribe_link(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(world)
    return re.search(r"(/notifications/unsubscribe/[^/\s]+/)", mailoutbox[-1].body).group(1)


def test_unsubscribe_link_switches_mail_off_without_login(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    staff = world.users[Role.CLIENT_STAFF]
    link = _unsubscribe_link(world, mailoutbox, django_capture_on_commit_callbacks)
    page = client.get(link)
    assert page.status_code == 200 and "Dringend" in page.content.decode()
    # Opening the link alone (a mail scanner does) changes nothing.
    assert staff.notification_preferences.count() == 0
    response = client.post(link)
    assert response.status_code == 200
    preference = staff.notification_preferences.get(kind=URGENT)
    assert preference.email is False and preference.in_app is True
    with django_capture_on_commit_callbacks(execute=True):
        _notify(world, key="event:2")
    assert len(mailoutbox) == 1  # no mail any more; the notice is still in the app
    with scopes_disabled():
        assert Notification.objects.filter(recipient=staff).count() == 2


def test_one_click_post_from_a_mail_program_needs_no_csrf_token(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    from django.test import Client

    link = _unsubscribe_link(world, mailoutbox, django_capture_on_commit_callbacks)
    response = Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert world.users[Role.CLIENT_STAFF].notification_preferences.get().email is False


def test_a_tampered_unsubscribe_token_is_refused_with_a_clear_page(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    staff = world.users[Role.CLIENT_STAFF]
    link = _unsubscribe_link(world, mailoutbox, django_capture_on_commit_callbacks)
    token = link.split("/")[-2]
    # Another user's id in the payload, with the original signature.
    forged = service.unsubscribe_token(user=world.users[Role.PROJECT_LEADER], kind=URGENT)
    tampered = forged.split(":")[0] + ":" + token.split(":", 1)[1]
    for bad in (tampered, token[:-3], "nonsense"):
        url = reverse("notification_unsubscribe", kwargs={"token": bad})
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 400
            assert "This link does not work" in response.content.decode() or (
                "Deze link werkt niet" in response.content.decode()
            )
    assert staff.notification_preferences.count() == 0


def test_the_list_shows_only_my_own_and_another_id_is_a_404(client, world, other_world):
    staff = world.users[Role.CLIENT_STAFF]
    pl = world.users[Role.PROJECT_LEADER]
    (mine,) = _notify(world, title="Voor mij")
    (theirs,) = _notify(world, key="event:pl", recipients=[pl], title="Voor de projectleider")
    client.force_login(staff)
    page = client.get(reverse("notification_list")).content.decode()
    assert "Voor mij" in page and "Voor de projectleider" not in page
    response = client.post(reverse("notification_list"), {"notification": theirs.pk})
    assert response.status_code == 404
    with scopes_disabled():
        theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.post(reverse("notification_list"), {"notification": "x"}).status_code == 404


def test_unread_count_badge_and_mark_read(client, world):
    staff = world.users[Role.CLIENT_STAFF]
    first, *_ = [row for key in ("1", "2", "3") for row in _notify(world, key=key)]
    assert unread_count(user=staff) == 3
    client.force_login(staff)
    page = client.get(reverse("notification_list")).content.decode()
    assert re.search(r'badge[^>]*>3<span class="visually-hidden">', page)
    response = client.post(reverse("notification_list"), {"notification": first.pk, "open": "1"})
    assert response.status_code == 302 and response["Location"] == "/portal/x/"
    assert unread_count(user=staff) == 2
    client.post(reverse("notification_list"), {"all": "1"})
    assert unread_count(user=staff) == 0
    page = client.get(reverse("notification_list")).content.decode()
    assert "text-bg-danger" not in page


def test_unread_count_is_capped(world):
    staff = world.users[Role.CLIENT_STAFF]
    with scopes_disabled():
        Notification.objects.bulk_create(
            Notification(organisation=world.client, recipient=staff, kind=URGENT, title=str(i))
            for i in range(UNREAD_CAP + 5)
        )
    assert unread_count(user=staff) == UNREAD_CAP + 1


def test_preferences_page_saves_per_kind(client, world):
    staff = world.users[Role.CLIENT_STAFF]
    client.force_login(staff)
    response = client.get(reverse("notification_preferences"))
    page = response.content.decode()
    assert "Dringend" in page and "Nieuw" in page
    # What the page shows for every kind (other apps' too), then this test's choices.
    form = response.context["form"]
    data = {
        name: field.initial
        for name, field in form.fields.items()
        if field.initial not in (False, None)
    }
    data.pop(f"{URGENT}-email", None)
    data.pop(f"{DAILY}-in_app", None)
    data |= {f"{DAILY}-email": "on", f"{DAILY}-mode": DIGEST, f"{DAILY}-digest_hour": "7"}
    response = client.post(reverse("notification_preferences"), data)
    assert response.status_code == 302
    rows = {row.kind: row for row in staff.notification_preferences.all()}
    assert rows[URGENT].email is False and rows[URGENT].in_app is True
    assert rows[DAILY].in_app is False and rows[DAILY].digest_hour == 7
    bad = client.post(reverse("notification_preferences"), data | {f"{DAILY}-digest_hour": "25"})
    assert bad.status_code == 200 and bad.context["form"].errors  # shown again, nothing saved
    assert staff.notification_preferences.get(kind=DAILY).digest_hour == 7


def test_a_team_member_sees_only_kinds_for_their_role(client, world):
    client.force_login(world.users[Role.TEAM_MEMBER])
    page = client.get(reverse("notification_preferences")).content.decode()
    assert "Dringend" not in page and "Nieuw" not in page


def test_old_notifications_are_deleted(world):
    now = timezone.now()
    rows = _notify(world, key="1") + _notify(world, key="2") + _notify(world, key="3")
    with scopes_disabled():
        Notification.objects.filter(pk=rows[0].pk).update(read_at=now - dt.timedelta(days=91))
        Notification.objects.filter(pk=rows[1].pk).update(created_at=now - dt.timedelta(days=400))
        assert service.notifications_delete_expired(now=now) == 2
        assert list(Notification.objects.values_list("pk", flat=True)) == [rows[2].pk]


def _list_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("notification_list")).status_code == 200
    return len(ctx)


def test_the_list_takes_the_same_queries_at_any_size(client, world):
    client.force_login(world.users[Role.CLIENT_STAFF])
    _notify(world, key="0")
    small = _list_queries(client)
    for key in range(1, 40):
        _notify(world, key=str(key))
    assert _list_queries(client) == small


def test_a_digest_another_runner_sent_this_period_is_not_sent_again(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    """Two runners at once: the one whose period record is refused by the unique constraint
    sends nothing and leaves the notifications waiting for the next period."""
    staff = world.users[Role.CLIENT_STAFF]
    service.preferences_set(user=staff, kind=DAILY, digest_hour=9)
    _notify(world, kind=DAILY, key="a")
    with scopes_disabled():
        NotificationDigest.objects.create(
            organisation=world.client, recipient=staff, kind=DAILY, period=dt.date(2026, 12, 7)
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert _run_digests(_digest_at(10)) == 0
    assert mailoutbox == []
    with scopes_disabled():
        assert Notification.objects.get().mail == Notification.Mail.DIGEST


def test_badge_costs_one_query_and_follows_every_change(client, world):
    """Every page shows the badge: it costs one query (the user's organisations are a
    subquery of the count), and a new notice, reading one and reading all show at once."""
    staff = world.users[Role.CLIENT_STAFF]
    client.force_login(staff)
    url = reverse("notification_preferences")

    def badge_and_queries():
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(url).content.decode()
        found = re.search(r'badge[^>]*>(\d+)<span class="visually-hidden">', page)
        counted = sum('"programmes_notification"' in q["sql"] for q in ctx.captured_queries)
        return (int(found.group(1)) if found else 0), counted

    assert badge_and_queries() == (0, 1)
    first, *_ = [row for key in ("a", "b") for row in _notify(world, key=key)]
    assert badge_and_queries() == (2, 1)
    client.post(reverse("notification_list"), {"notification": first.pk})
    assert badge_and_queries() == (1, 1)
    client.post(reverse("notification_list"), {"all": "1"})
    assert badge_and_queries() == (0, 1)


def test_digest_comes_at_the_chosen_hour_in_the_persons_own_time_zone(
    client, world, django_capture_on_commit_callbacks, mailoutbox
):
    """A staff member on Bonaire chooses 9 o'clock: the digest waits for 9 there, which is
    14:00 in Amsterdam; the choice is made and shown on the preferences page."""
    staff = world.users[Role.CLIENT_STAFF]
    client.force_login(staff)
    url = reverse("notification_preferences")
    response = client.get(url)
    assert '<option value="Europe/Amsterdam" selected>' in response.content.decode()
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}  # the page as shown
    data = {k: "on" if v is True else v for k, v in data.items() if v not in (False, None)}
    data |= {"time_zone": "America/Kralendijk", f"{DAILY}-email": "on"}
    data |= {f"{DAILY}-mode": "digest", f"{DAILY}-digest_hour": "9"}
    assert client.post(url, data).status_code == 302
    staff.refresh_from_db()
    assert staff.time_zone == "America/Kralendijk"
    assert '<option value="America/Kralendijk" selected>' in client.get(url).content.decode()
    assert client.post(url, {**data, "time_zone": "Mars/Olympus"}).status_code == 200
    staff.refresh_from_db()
    assert staff.time_zone == "America/Kralendijk"  # a zone not offered changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        _notify(world, kind=DAILY, key="a", title="Melding A")
    with django_capture_on_commit_callbacks(execute=True):
        assert _run_digests(_digest_at(9)) == 0  # 9 in Amsterdam is 4 on Bonaire
        assert _run_digests(_digest_at(13)) == 0
        assert _run_digests(_digest_at(14)) == 1  # 9 on Bonaire
    assert len(mailoutbox) == 1
