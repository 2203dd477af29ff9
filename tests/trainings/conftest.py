"""Fixtures of the trainings tests."""

import datetime as dt

import pytest
from django.utils import timezone

from programmes.models import TeamMember
from trainings import services
from trainings.models import Training


@pytest.fixture
def track(world, team):
    programme, member, _ = team
    TeamMember.objects.filter(user=member).update(ready_for_rounds=False)
    start = timezone.now() + dt.timedelta(days=3)
    trainings = services.track_create(
        actor=None,
        programme=programme,
        location="Buurthuis",
        starts={k: start + dt.timedelta(days=i) for i, k in enumerate(Training.Kind.values)},
    )
    for t in trainings:
        services.team_invite(actor=None, training=t)
    return {t.kind: t for t in trainings}
