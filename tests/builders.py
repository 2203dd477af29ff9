"""Small builders for the records many tests need, made through the apps' own services."""

import datetime as dt
import uuid

from django.utils import timezone

from programmes.permissions import Role


def report_signal(team, category=None, *, hours_ago=0, actor=None, **extra):
    """A signal of the `team` fixture's programme, reported `hours_ago` hours ago."""
    from patrols import services as patrols

    programme, member, categories = team
    return patrols.signal_report(
        actor=actor or member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=category or categories[0],
        reported_at=timezone.now() - dt.timedelta(hours=hours_ago),
        **extra,
    )[0]


APPLICANT = {
    "consent": "ja",
    "name": "Piet Bakker",
    "email": "piet@example.org",
    "street": "Laan",
    "house_number": "1",
    "postcode": "3031 AB",
    "motivation": "Graag",
}


def candidate(world, programme, *, stage="proposed", advice="Aanrader", **fields):
    """An application moved by the project leader to `stage` ("interview" or "proposed":
    waiting for the client's decision)."""
    from recruitment import services as recruitment
    from recruitment.workflow import Stage

    leader = world.users[Role.PROJECT_LEADER]
    application = recruitment.application_submit(programme=programme, **{**APPLICANT, **fields})
    application = recruitment.application_move(
        actor=leader, application=application, stage=Stage.INTERVIEW
    )
    if stage == Stage.PROPOSED:
        application = recruitment.application_move(
            actor=leader, application=application, stage=Stage.PROPOSED, advice=advice
        )
    return application
