"""The roster selectors every app reads the team through, and joining the roster (again)."""

import pytest
from django_scopes import scopes_disabled

from programmes import selectors, services
from programmes.models import AuditEntry, TeamMember
from programmes.permissions import Role

from ..factories import UserFactory


@pytest.fixture
def team(world, programme):
    """Two members on the roster of `programme`: Anna (active) and Bram (who left)."""
    pl = world.users[Role.PROJECT_LEADER]
    with scopes_disabled():
        anna = UserFactory(name="Anna", role=Role.TEAM_MEMBER, organisation=world.client)
        bram = UserFactory(name="Bram", role=Role.TEAM_MEMBER, organisation=world.client)
        services.team_member_add(actor=pl, programme=programme, user=bram)
        services.team_member_add(actor=pl, programme=programme, user=anna)
        TeamMember.objects.filter(user=bram).update(is_active=False)
    return anna, bram


def test_roster_is_the_active_members_by_name_unless_history_is_asked(programme, team):
    anna, bram = team
    with scopes_disabled():
        assert [m.user for m in selectors.roster(programme=programme)] == [anna]
        everyone = selectors.roster(programme=programme, include_inactive=True)
        assert [m.user for m in everyone] == [anna, bram]


def test_roster_member_and_is_on_roster(world, programme, team):
    anna, bram = team
    outsider = world.users[Role.TEAM_MEMBER]
    with scopes_disabled():
        assert selectors.roster_member(programme=programme, user=anna).user == anna
        assert selectors.roster_member(programme=programme, user=bram) is None
        left = selectors.roster_member(programme=programme, user=bram, include_inactive=True)
        assert left is not None and not left.is_active
        assert selectors.is_on_roster(programme=programme, user=anna)
        assert not selectors.is_on_roster(programme=programme, user=bram)
        assert selectors.is_on_roster(programme=programme, user=bram, include_inactive=True)
        assert not selectors.is_on_roster(programme=programme, user=outsider)
        assert not selectors.is_on_roster(programme=programme, user=None)
        assert selectors.roster_member(programme=programme, user=None) is None


def test_rejoining_the_roster_is_audited(world, programme, team):
    _anna, bram = team
    pl = world.users[Role.PROJECT_LEADER]
    with scopes_disabled():
        member = selectors.roster_member(programme=programme, user=bram, include_inactive=True)
        before = AuditEntry.objects.filter(
            action="team.member_added", object_id=str(member.pk)
        ).count()
        services.team_member_add(actor=pl, programme=programme, user=bram)
        assert selectors.is_on_roster(programme=programme, user=bram)
        after = AuditEntry.objects.filter(
            action="team.member_added", object_id=str(member.pk)
        ).count()
        assert after == before + 1
        # Adding someone already on the team changes nothing and logs nothing.
        services.team_member_add(actor=pl, programme=programme, user=bram)
        assert (
            AuditEntry.objects.filter(action="team.member_added", object_id=str(member.pk)).count()
            == after
        )
