"""A candidate proposed to the client: the client's staff hear that a decision waits (in the
app, and in the daily digest by default), without the candidate's name."""

import pytest

from programmes.models import Notification
from programmes.permissions import Role
from programmes.services.notifications import preferences_set
from recruitment import services
from recruitment.notifications import CANDIDATE_PROPOSED
from recruitment.workflow import Stage


@pytest.fixture
def programme(team):
    programme = team[0]
    programme.postcode_areas = "3031"
    programme.save(update_fields=["postcode_areas"])
    services.campaign_save(actor=None, programme=programme, is_open=True)
    return programme


def _proposed(world, programme):
    pl = world.users[Role.PROJECT_LEADER]
    application = services.application_submit(
        programme=programme,
        consent="ja",
        name="Piet Kandidaat",
        email="piet@example.org",
        street="Laan",
        house_number="1",
        postcode="3031 AB",
        motivation="Graag",
    )
    for stage in (Stage.INVITED, Stage.INTERVIEW):
        services.application_move(actor=pl, application=application, stage=stage)
    services.application_move(
        actor=pl, application=application, stage=Stage.PROPOSED, advice="Aanrader"
    )
    return application


def test_the_client_staff_hear_a_candidate_waits(world, programme, mailoutbox):
    _proposed(world, programme)
    (row,) = Notification.objects.filter(kind=CANDIDATE_PROPOSED)
    assert row.recipient == world.users[Role.CLIENT_STAFF]
    assert programme.name in row.title and "Piet" not in row.title + row.body
    assert row.mail == Notification.Mail.DIGEST and mailoutbox == []
    assert row.url.endswith(f"/programmes/{programme.pk}/candidates/")


def test_switched_off_nothing(world, programme):
    preferences_set(
        user=world.users[Role.CLIENT_STAFF], kind=CANDIDATE_PROPOSED, email=False, in_app=False
    )
    _proposed(world, programme)
    assert not Notification.objects.filter(kind=CANDIDATE_PROPOSED).exists()
