""" "Same as this one": the round screen lists the programme's open signals; a member confirms
one instead of reporting it twice (once per round); a signal sent close to an open one of its
category is still stored (an offline one is never lost), flagged as possibly the same."""

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patrols import services as patrols
from patrols.models import Signal, SignalConfirmation
from programmes.models import AuditEntry
from programmes.permissions import Role

from .test_my_signals import _other_member

pytestmark = pytest.mark.django_db

LAT, LNG = 52.370216, 4.895168  # Dam, Amsterdam
# About 20 metres north, and about 200 metres north.
NEAR_LAT, FAR_LAT = LAT + 0.00018, LAT + 0.0018


def _url(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.client.slug, **kwargs})


def _post(client, world, name, body):
    return client.post(_url(world, name), data=json.dumps(body), content_type="application/json")


def _signal(team, category=None, latitude=LAT, longitude=LNG, actor=None, **extra):
    programme, member, categories = team
    signal, _ = patrols.signal_report(
        actor=actor or member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=category or categories[0],
        description="Grofvuil",
        reported_at=timezone.now(),
        latitude=latitude,
        longitude=longitude,
        **extra,
    )
    return signal


def _round(client, world, team):
    body = {
        "id": str(uuid.uuid4()),
        "programme": team[0].pk,
        "started_at": timezone.now().isoformat(),
    }
    assert _post(client, world, "patrols:api_round_start", body).status_code == 201
    return body["id"]


def _confirm(client, world, team, signal, round_id=None, **extra):
    body = {
        "id": str(uuid.uuid4()),
        "programme": team[0].pk,
        "signal": str(getattr(signal, "uuid", signal)),
        "round": round_id,
        "confirmed_at": timezone.now().isoformat(),
        **extra,
    }
    return _post(client, world, "patrols:api_confirmation", body), body


def test_open_signals_of_the_programme_newest_first_without_closed_or_unplaced(client, world, team):
    older = _signal(team)
    newer = _signal(team, category=team[2][1])
    _signal(team, latitude=None, longitude=None)  # no position: not on the map
    closed = _signal(team, category=team[2][2])
    patrols.signal_transition(
        actor=world.users[Role.CLIENT_STAFF], signal=closed, status="resolved", text="Klaar"
    )
    client.force_login(team[1])
    data = client.get(_url(world, "patrols:api_open_signals") + f"?programme={team[0].pk}")
    assert data.status_code == 200
    rows = data.json()["signals"]
    assert [r["id"] for r in rows] == [str(newer.uuid), str(older.uuid)]
    assert rows[1]["category"] == older.category_id
    assert rows[1]["latitude"] == pytest.approx(LAT)
    assert rows[1]["status_label"] == "Nieuw"
    assert data.json()["same_place_metres"] == 50


def test_open_signals_queries_do_not_grow_and_the_list_is_bounded(client, world, team):
    client.force_login(team[1])
    url = _url(world, "patrols:api_open_signals") + f"?programme={team[0].pk}"
    for _ in range(10):
        _signal(team, category=team[2][3], latitude=FAR_LAT)
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(url).json()["signals"]) == 10
    for _ in range(90):
        _signal(team, category=team[2][3], latitude=FAR_LAT)
    with CaptureQueriesContext(connection) as large:
        assert len(client.get(url).json()["signals"]) == 30
    assert len(large) == len(small)


def test_open_signals_of_another_programme_are_404_and_other_tenants_do_not_leak(
    client, world, team, other_world
):
    _signal(team)
    client.force_login(team[1])
    url = _url(world, "patrols:api_open_signals")
    assert client.get(url + "?programme=999999").status_code == 404
    assert client.get(url + "?programme=x").status_code == 404
    assert client.get(url).status_code == 200  # the member's team when none is named


def test_confirm_records_once_per_round_and_counts(client, world, team):
    signal = _signal(team)
    other = _other_member(world, team)
    client.force_login(other)
    round_id = _round(client, world, team)
    response, body = _confirm(client, world, team, signal, round_id, note="Nog steeds")
    assert response.status_code == 201
    again = _post(client, world, "patrols:api_confirmation", body)
    assert again.status_code == 200  # the outbox sent it twice
    second, _ = _confirm(client, world, team, signal, round_id)
    assert second.status_code == 200  # a second confirmation in the same round: the first
    (stored,) = SignalConfirmation.objects.filter(signal=signal)
    assert stored.member == other and stored.note == "Nog steeds"
    assert AuditEntry.objects.filter(action="signal.confirmed").count() == 1
    next_round = _round(client, world, team)
    assert _confirm(client, world, team, signal, next_round)[0].status_code == 201
    assert SignalConfirmation.objects.filter(signal=signal).count() == 2
    # The counts: on the list for the round screen, the reporter's and the client's pages.
    rows = client.get(_url(world, "patrols:api_open_signals")).json()["signals"]
    assert rows[0]["confirmed"] == 2
    client.force_login(team[1])
    page = client.get(_url(world, "patrols:team_signal", signal_pk=signal.pk)).content.decode()
    assert "2 keer bevestigd door het team" in page
    assert "2 keer bevestigd" in client.get(_url(world, "patrols:team_signals")).content.decode()
    client.force_login(world.users[Role.CLIENT_STAFF])
    portal = client.get(_url(world, "patrols:portal_signal", signal_pk=signal.pk))
    assert "2 keer bevestigd door het team" in portal.content.decode()
    assert "Nog steeds" in portal.content.decode()


def test_a_closed_or_unknown_signal_cannot_be_confirmed(client, world, team):
    signal = _signal(team)
    patrols.signal_transition(
        actor=world.users[Role.CLIENT_STAFF], signal=signal, status="resolved", text="Klaar"
    )
    client.force_login(team[1])
    response, _ = _confirm(client, world, team, signal)
    assert response.status_code == 404
    assert response.json()["permanent"] is True
    assert "al afgehandeld" in response.json()["reason"]
    bad, _ = _confirm(client, world, team, "kapot")
    assert bad.status_code == 400
    assert not SignalConfirmation.objects.exists()


def test_a_signal_of_another_tenant_cannot_be_confirmed(client, world, team, other_world):
    from django_scopes import scopes_disabled  # noqa: PLC0415 - only this test reads across

    signal = _signal(team)
    with scopes_disabled():
        Signal.objects.filter(pk=signal.pk).update(organisation=other_world.client)
    client.force_login(team[1])
    response, _ = _confirm(client, world, team, signal)
    assert response.status_code == 404
    with scopes_disabled():
        assert not SignalConfirmation.objects.exists()


def test_a_signal_close_to_an_open_one_is_stored_and_flagged(client, world, team):
    first = _signal(team)
    client.force_login(team[1])
    programme, _, categories = team

    def send(**extra):
        body = {
            "id": str(uuid.uuid4()),
            "programme": programme.pk,
            "category": categories[0].pk,
            "reported_at": timezone.now().isoformat(),
            "latitude": f"{NEAR_LAT:.6f}",
            "longitude": f"{LNG:.6f}",
            **extra,
        }
        response = _post(client, world, "patrols:api_signal", body)
        assert response.status_code == 201  # a queued offline signal is never dropped
        return Signal.objects.get(uuid=body["id"])

    assert send().possible_duplicate_of == first
    # Another category, far away, or next to a closed one: no flag.
    assert send(category=categories[1].pk).possible_duplicate_of is None
    assert send(latitude=f"{FAR_LAT:.6f}").possible_duplicate_of is None
    patrols.signal_transition(
        actor=world.users[Role.CLIENT_STAFF], signal=first, status="resolved", text="Klaar"
    )
    flagged = Signal.objects.filter(possible_duplicate_of__isnull=False)
    for signal in flagged:
        if signal.status == "new":
            patrols.signal_transition(
                actor=world.users[Role.CLIENT_STAFF], signal=signal, status="resolved", text="Ok"
            )
    assert send().possible_duplicate_of is None
    client.force_login(world.users[Role.CLIENT_STAFF])
    (flagged_one,) = flagged[:1]
    portal = client.get(_url(world, "patrols:portal_signal", signal_pk=flagged_one.pk))
    assert "Mogelijk dezelfde als" in portal.content.decode()


def test_distance():
    from patrols.services.confirmations import distance_metres  # noqa: PLC0415 - one test

    assert distance_metres(LAT, LNG, NEAR_LAT, LNG) == pytest.approx(20, abs=1)
    assert distance_metres(LAT, LNG, FAR_LAT, LNG) == pytest.approx(200, abs=2)


# As the signal's own query test, outside a test transaction (see test_signal_queries).
@pytest.mark.django_db(transaction=True)
def test_a_signal_with_a_position_stays_within_the_query_budget(client, world, team):
    from .test_signal_queries import MAX_QUERIES, _body  # noqa: PLC0415 - the budget's own
    from .test_signal_queries import _post as post_counted  # noqa: PLC0415 - its counter

    _signal(team)  # an open one close by: the check finds it
    client.force_login(team[1])
    place = {"latitude": f"{NEAR_LAT:.6f}", "longitude": f"{LNG:.6f}"}
    post_counted(client, world, {**_body(team), **place})  # warm shared caches
    body = {**_body(team), **place}
    response, count = post_counted(client, world, body)
    assert response.status_code == 201
    print("queries", count)
    assert count <= MAX_QUERIES
    assert Signal.objects.get(uuid=body["id"]).possible_duplicate_of is not None
