"""The badge's count, compiled once per role, says what `unread_count` says for every role:
notices in organisations the user may see (a project leader's assigned clients, not the
others), unread, shown in the app, capped; never another person's or another tenant's."""

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from programmes.context_processors import unread_badge_count
from programmes.models import Notification
from programmes.permissions import Role
from programmes.selectors.notifications import UNREAD_CAP, unread_count

pytestmark = pytest.mark.django_db


def _notices(recipient, organisation, n, **fields):
    Notification.objects.bulk_create(
        Notification(
            organisation=organisation, recipient=recipient, kind="x", title=str(i), **fields
        )
        for i in range(n)
    )


def test_the_compiled_count_matches_the_selector_for_every_role(world, other_world):
    read = timezone.now() - dt.timedelta(hours=1)
    with scopes_disabled():
        for w, base in ((world, 0), (other_world, 10)):
            for role, user in w.users.items():
                # Counted: unread in-app notices in an organisation the user may see.
                own = (
                    w.consultancy
                    if role in (Role.CONSULTANCY_ADMIN, Role.PROJECT_LEADER)
                    else w.client
                )
                _notices(user, own, base + 3)
                # Not counted: read, mail-only, and (for the project leader) a client not
                # assigned to them; another user's notices.
                _notices(user, own, 2, read_at=read)
                _notices(user, own, 2, in_app=False)
                _notices(user, w.other_client, 4)
            _notices(w.users[Role.CLIENT_STAFF], w.other_client, 1)
        expected = {
            # admin: 3 own + 4 in the other client (a client of theirs); leader: the other
            # client is not assigned to them; staff and member: only their own organisation.
            Role.CONSULTANCY_ADMIN: 7,
            Role.PROJECT_LEADER: 3,
            Role.CLIENT_STAFF: 3,
            Role.TEAM_MEMBER: 3,
        }
        for w, base in ((world, 0), (other_world, 10)):
            for role, user in w.users.items():
                want = expected[role] + base
                assert unread_count(user=user) == want, role
                assert unread_badge_count(user) == want, role


def test_the_compiled_count_is_capped(world):
    staff = world.users[Role.CLIENT_STAFF]
    with scopes_disabled():
        _notices(staff, world.client, UNREAD_CAP + 5)
    assert unread_badge_count(staff) == UNREAD_CAP + 1
