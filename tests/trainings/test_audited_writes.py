"""The trainings app's writes that leave an audit entry now (the track planned, gear sizes,
streets divided and delivered), and the track's invitations made once per address through
the base's `invitee_add_once`."""

from programmes import services as base
from programmes.models import AuditEntry, Invitee
from programmes.permissions import Role
from trainings import services
from trainings.models import StreetAssignment

from ..factories import UserFactory


def _entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("created_at", "id"))


def test_planning_the_track_is_audited(team, track):
    (entry,) = _entries("training_track.created")
    assert entry.object_id == str(team[0].pk)
    assert sorted(entry.data["trainings"]) == sorted(t.pk for t in track.values())


def test_inviting_the_team_skips_whoever_was_invited(world, team, track):
    programme, member, _ = team
    leader = world.users[Role.PROJECT_LEADER]
    meeting = track["workshop"].meeting
    assert services.team_invite(actor=leader, training=track["workshop"]) == 0
    newcomer = UserFactory(
        email="Nieuw@Example.org", role=Role.TEAM_MEMBER, organisation=world.client
    )
    base.team_member_add(actor=leader, programme=programme, user=newcomer)
    # Invited by hand before, in another case: the track does not invite the address again.
    base.invitee_add(actor=leader, meeting=meeting, name="Nieuw", email="nieuw@example.org")
    assert services.team_invite(actor=leader, training=track["workshop"]) == 0
    assert Invitee.objects.filter(meeting=meeting, email__iexact="nieuw@example.org").count() == 1
    other = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client)
    base.team_member_add(actor=leader, programme=programme, user=other)
    assert services.team_invite(actor=leader, training=track["workshop"]) == 1
    invitee = Invitee.objects.get(meeting=meeting, user=other)
    assert invitee.language == other.language
    assert AuditEntry.objects.filter(
        action="invitee.added", object_id=str(invitee.pk), actor=leader
    ).exists()


def test_gear_sizes_are_audited_once_per_change(team, track):
    programme, member, _ = team
    for _ in range(2):
        services.gear_sizes_save(
            user=member, programme=programme, bodywarmer_size="L", shirt_size="M"
        )
    services.gear_sizes_save(user=member, programme=programme, bodywarmer_size="XL", shirt_size="M")
    first, second = _entries("gear.sizes_chosen")
    assert first.actor == member and second.actor == member
    assert second.data == {"bodywarmer": "XL", "shirt": "M"}


def test_streets_divided_and_delivered_are_audited(world, team, track):
    programme, member, _ = team
    leader = world.users[Role.PROJECT_LEADER]
    assert services.streets_divide(actor=leader, programme=programme, streets=["Kerkpad"]) == 1
    assert services.streets_divide(actor=leader, programme=programme, streets=["Kerkpad"]) == 0
    (divided,) = _entries("streets.divided")
    assert divided.actor == leader and divided.data == {"added": 1}
    street = StreetAssignment.objects.get(programme=programme, street="Kerkpad")
    services.street_delivered(user=member, assignment=street, delivered=True)
    services.street_delivered(user=member, assignment=street, delivered=False)
    services.street_delivered(user=member, assignment=street, delivered=False)  # no change
    (delivered,) = _entries("street.delivered")
    (taken_back,) = _entries("street.undelivered")
    assert delivered.actor == member and taken_back.actor == member
    assert delivered.object_id == str(street.pk)
    # Saving the list records its own entry, not a second "divided" one.
    services.streets_save(actor=leader, programme=programme, streets=["Kerkpad", "Molenweg"])
    assert len(_entries("streets.divided")) == 1 and len(_entries("streets.saved")) == 1
