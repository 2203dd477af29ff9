"""The client's hand-off settings in the portal (channels with a secret shown once, routes)
and the attempts on a signal's page."""

import logging
import uuid

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from patrols import services as patrols
from patrols.handoff import secrets
from patrols.models_handoff import CategoryRoute, Handoff, HandoffChannel
from patrols.services import handoff as handoff_service
from programmes.models import AuditEntry
from programmes.permissions import Role

pytestmark = pytest.mark.django_db


def _settings_url(world):
    return reverse("patrols:portal_handoff", kwargs={"org": world.client.slug})


def test_connecting_a_webhook_shows_its_secret_once(client, world, team, caplog):
    client.force_login(world.users[Role.CLIENT_STAFF])
    caplog.set_level(logging.DEBUG)
    response = client.post(
        _settings_url(world),
        {"kind": "webhook", "name": "Zaaksysteem", "target": "https://zaken.example.org/hook"},
    )
    assert response.status_code == 200
    channel = HandoffChannel.objects.get(organisation=world.client, name="Zaaksysteem")
    secret = secrets.decrypt(channel.secret_encrypted)
    page = response.content.decode()
    assert secret in page
    inbound = reverse(
        "patrols:handoff_inbound", kwargs={"org": world.client.slug, "channel_pk": channel.pk}
    )
    assert settings.SITE_URL.rstrip("/") + inbound in page
    # Never again: not on the page, not in the audit log, not in the logs.
    again = client.get(_settings_url(world)).content.decode()
    assert "Zaaksysteem" in again and secret not in again
    entry = AuditEntry.objects.get(action="handoff_channel.created")
    assert secret not in str(entry.data)
    assert secret not in caplog.text
    assert secret not in channel.secret_encrypted


def test_mapping_their_statuses(client, world, team):
    staff = world.users[Role.CLIENT_STAFF]
    channel, _ = handoff_service.handoff_channel_create(
        actor=staff,
        organisation=world.client,
        kind="webhook",
        name="Zaaksysteem",
        target="https://zaken.example.org/hook",
    )
    client.force_login(staff)
    page = client.get(_settings_url(world)).content.decode()
    assert f'id="map-{channel.pk}-resolved"' in page
    url = reverse(
        "patrols:portal_handoff_channel_map",
        kwargs={"org": world.client.slug, "channel_pk": channel.pk},
    )
    response = client.post(url, {"resolved": "Gereed, Afgerond", "in_progress": "Bezig"})
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.status_map == {
        "gereed": "resolved",
        "afgerond": "resolved",
        "bezig": "in_progress",
    }
    page = client.get(_settings_url(world)).content.decode()
    assert "Gereed" not in page and "gereed, afgerond" in page
    # One word for two statuses: refused with a message, nothing changed.
    response = client.post(url, {"resolved": "klaar", "not_applicable": "klaar"}, follow=True)
    assert "klaar" in response.content.decode()
    channel.refresh_from_db()
    assert channel.status_map["gereed"] == "resolved"


def test_a_bad_address_is_refused_with_a_message(client, world, team):
    client.force_login(world.users[Role.CLIENT_STAFF])
    response = client.post(
        _settings_url(world), {"kind": "webhook", "name": "Hook", "target": "ftp://x.example"}
    )
    assert response.status_code == 200
    assert "https://" in response.content.decode()
    assert not HandoffChannel.objects.exists()


def test_routes_and_switching_a_channel_off(client, world, team):
    programme, _member, categories = team
    staff = world.users[Role.CLIENT_STAFF]
    client.force_login(staff)
    channel, _ = handoff_service.handoff_channel_create(
        actor=staff,
        organisation=world.client,
        kind="mail_desk",
        name="Servicedesk",
        target="desk@gemeente.example",
    )
    response = client.post(
        reverse("patrols:portal_handoff_route_create", kwargs={"org": world.client.slug}),
        {
            "channel": channel.pk,
            "programme": programme.pk,
            "category": categories[0].pk,
            "assign_to": staff.pk,
        },
    )
    assert response.status_code == 302
    route = CategoryRoute.objects.get()
    assert (route.category, route.assign_to) == (categories[0], staff)
    page = client.get(_settings_url(world)).content.decode()
    assert str(categories[0]) in page and "Servicedesk" in page
    response = client.post(
        reverse(
            "patrols:portal_handoff_channel_active",
            kwargs={"org": world.client.slug, "channel_pk": channel.pk},
        ),
        {"active": "0"},
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert not channel.is_active
    response = client.post(
        reverse(
            "patrols:portal_handoff_route_delete",
            kwargs={"org": world.client.slug, "route_pk": route.pk},
        )
    )
    assert response.status_code == 302
    assert not CategoryRoute.objects.exists()
    assert AuditEntry.objects.filter(action="handoff_route.deleted").exists()


def test_another_clients_channel_is_not_found(client, world, team):
    staff = world.users[Role.CLIENT_STAFF]
    theirs, _ = handoff_service.handoff_channel_create(
        actor=staff,
        organisation=world.other_client,
        kind="mail_desk",
        name="Hun desk",
        target="desk@wonen.example",
    )
    client.force_login(staff)
    response = client.post(
        reverse(
            "patrols:portal_handoff_channel_active",
            kwargs={"org": world.client.slug, "channel_pk": theirs.pk},
        ),
        {"active": "0"},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_the_signal_page_shows_the_attempts(
    client, world, team, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    staff = world.users[Role.CLIENT_STAFF]
    channel, _ = handoff_service.handoff_channel_create(
        actor=staff,
        organisation=world.client,
        kind="mail_desk",
        name="Servicedesk",
        target="desk@gemeente.example",
    )
    handoff_service.category_route_create(actor=staff, channel=channel, programme=programme)
    with django_capture_on_commit_callbacks(execute=True):
        signal, _ = patrols.signal_report(
            actor=member,
            programme=programme,
            uuid=uuid.uuid4(),
            category=categories[0],
            description="Lantaarn kapot",
            reported_at=timezone.now(),
        )
    assert Handoff.objects.get(signal=signal).state == Handoff.State.DELIVERED
    client.force_login(staff)
    page = client.get(
        reverse("patrols:portal_signal", kwargs={"org": world.client.slug, "signal_pk": signal.pk})
    ).content.decode()
    assert 'data-handoff="' in page
    assert "Servicedesk" in page
    assert f"BT-{signal.pk}" in page


def test_the_sweep_is_in_the_beat():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "patrols.handoff.tasks.handoff_requeue_stale" in tasks


def test_a_failed_handoff_is_handed_over_again_from_the_signal(
    client, world, team, settings, django_capture_on_commit_callbacks
):
    from .handoff_receiver import Receiver

    settings.HANDOFF_ALLOW_LOCAL_TARGETS = True
    receiver = Receiver(answers=[400, 200]).start()
    try:
        programme, member, categories = team
        staff = world.users[Role.CLIENT_STAFF]
        channel, _ = handoff_service.handoff_channel_create(
            actor=staff,
            organisation=world.client,
            kind="webhook",
            name="Zaken",
            target=receiver.url,
        )
        handoff_service.category_route_create(actor=staff, channel=channel, programme=programme)
        with django_capture_on_commit_callbacks(execute=True):
            signal, _ = patrols.signal_report(
                actor=member,
                programme=programme,
                uuid=uuid.uuid4(),
                category=categories[0],
                description="Lantaarn kapot",
                reported_at=timezone.now(),
            )
        handoff = Handoff.objects.get(signal=signal)
        assert handoff.state == Handoff.State.FAILED
        client.force_login(staff)
        signal_url = reverse(
            "patrols:portal_signal", kwargs={"org": world.client.slug, "signal_pk": signal.pk}
        )
        retry_url = reverse(
            "patrols:portal_handoff_retry",
            kwargs={"org": world.client.slug, "signal_pk": signal.pk, "handoff_pk": handoff.pk},
        )
        assert retry_url in client.get(signal_url).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(retry_url)
        assert response.status_code == 302
        handoff.refresh_from_db()
        assert handoff.state == Handoff.State.DELIVERED
        assert retry_url not in client.get(signal_url).content.decode()
        # The project leader follows signals but does not hand them over.
        client.force_login(world.users[Role.PROJECT_LEADER])
        assert client.post(retry_url).status_code == 403
    finally:
        receiver.stop()
