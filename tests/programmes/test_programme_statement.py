"""The programme of a programme page, read by a statement compiled once per role, is the one
`get_programme_for` answers for every role: a project leader only the programmes they lead,
the client's people only their own organisation's, never another client's; 404 otherwise."""

import pytest
from django.http import Http404
from django_scopes import scopes_disabled

from programmes import services
from programmes.mixins import programme_for_request
from programmes.permissions import Role
from programmes.selectors import get_programme_for

pytestmark = pytest.mark.django_db


def _answer(fn):
    try:
        return fn().pk
    except Http404:
        return None


def test_the_compiled_read_answers_as_the_selector(world, other_world, programme):
    with scopes_disabled():
        admin = world.users[Role.CONSULTANCY_ADMIN]
        # A programme of the other client, led by the admin: the leader of `programme` does
        # not lead it, and the first client's people do not see it.
        elsewhere = services.programme_create(
            actor=admin,
            client=world.other_client,
            project_leaders=[admin],
            name="Elders",
            neighbourhood="Zuid",
            municipality="Stad",
            start_date=programme.start_date,
        )
        clients = (world.client, world.other_client, other_world.client)
        pks = (programme.pk, elsewhere.pk, 0, -1, 10**30, programme.pk + 10**6)
        users = [*world.users.values(), *other_world.users.values()]
        seen = 0
        for user in users:
            for client in clients:
                for pk in pks:
                    want = _answer(
                        lambda u=user, c=client, p=pk: get_programme_for(
                            user=u, pk=min(p, 2**62), organisation=c
                        )
                    )
                    got = _answer(
                        lambda u=user, c=client, p=pk: programme_for_request(user=u, pk=p, client=c)
                    )
                    assert got == want, (user.role, client.slug, pk)
                    seen += got is not None
        # admin: both; leader: their one; staff and member of the first client: their one.
        # The other consultancy's admin is kept out of these clients by the middleware (the
        # URL's client must be one they may see), not by this read: here, as for the
        # selector outside a request's scope, both (2).
        assert seen == 2 + 1 + 1 + 1 + 2
    found = programme_for_request(user=admin, pk=programme.pk, client=world.client)
    assert found.name == programme.name and found.organisation is world.client
    assert found.start_date == programme.start_date
