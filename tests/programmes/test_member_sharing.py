"""What the client's staff see of a team member: the first name only, unless the member
chose in the app to share their full name and e-mail address (consent kept with its time,
withdrawn the same way). The consultancy always sees the full name."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from programmes.models import AuditEntry, TeamMember
from programmes.permissions import Role
from programmes.services.sharing import member_contact_share

from ..builders import report_signal

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(world, team):
    user = team[1]
    user.name = "Aisha de Vries"
    user.save(update_fields=["name"])
    return user


def _pages(world, team, signal):
    org = world.client.slug
    return (
        reverse("patrols:portal_signal", kwargs={"org": org, "signal_pk": signal.pk}),
        reverse("patrols:portal_effort", kwargs={"org": org, "programme_pk": team[0].pk}),
    )


def test_the_client_sees_a_members_first_name_until_they_share_more(client, world, team, member):
    signal = report_signal(team, description="Matras")
    pages = _pages(world, team, signal)
    client.force_login(world.users[Role.CLIENT_STAFF])
    for url in pages:
        page = client.get(url).content.decode()
        assert "Aisha" in page, url
        assert "de Vries" not in page and member.email not in page, url

    # The member shares, in the app.
    client.force_login(member)
    sharing = reverse("patrols:team_sharing", kwargs={"org": world.client.slug})
    home = client.get(reverse("patrols:team_home", kwargs={"org": world.client.slug}))
    assert sharing in home.content.decode()
    assert "alleen je voornaam" in client.get(sharing).content.decode()
    assert client.post(sharing, {"share": "1"}).status_code == 302
    row = TeamMember.objects.get(user=member)
    assert row.contact_shared_at is not None
    assert AuditEntry.objects.filter(action="team.contact_shared", actor=member).count() == 1

    client.force_login(world.users[Role.CLIENT_STAFF])
    for url in pages:
        page = client.get(url).content.decode()
        assert "Aisha de Vries" in page and member.email in page, url

    # Withdrawn: the first name only again.
    client.force_login(member)
    client.post(sharing, {"share": "0"})
    assert TeamMember.objects.get(user=member).contact_shared_at is None
    client.force_login(world.users[Role.CLIENT_STAFF])
    assert "de Vries" not in client.get(pages[0]).content.decode()


def test_the_consultancy_sees_the_full_name(client, world, team, member):
    signal = report_signal(team, description="Matras")
    client.force_login(world.users[Role.PROJECT_LEADER])
    for url in _pages(world, team, signal):
        assert "Aisha de Vries" in client.get(url).content.decode(), url


def test_only_the_member_gives_consent(world, team, member):
    row = TeamMember.objects.get(user=member)
    with pytest.raises(PermissionDenied):
        member_contact_share(actor=world.users[Role.PROJECT_LEADER], member=row, share=True)
    row.refresh_from_db()
    assert row.contact_shared_at is None
