"""Demo data of the team over the months (run from `patrols.demo.load`): two messages on the
notice board, activities of several members across last month and this one, and a round
ended with nothing to report."""

import uuid
from datetime import timedelta
from decimal import Decimal

from programmes import demo
from programmes.models import TeamMessage
from programmes.selectors import roster
from programmes.services.board import team_message_send

from . import services
from .models import Activity

MESSAGES = [
    (
        "Schoonmaakactie zaterdag",
        "Zaterdag houden we met de buurt een schoonmaakactie rond het Pleintje. We beginnen "
        "om 10 uur bij het buurthuis; grijpers en vuilniszakken zijn er. Wie helpt mee?",
    ),
    (
        "Nieuwe hesjes liggen klaar",
        "De nieuwe bodywarmers met het logo liggen in het buurthuis. Haal je de jouwe op bij "
        "het volgende teamoverleg? Reageer op deze mail als je niet kunt.",
    ),
]

# (member's position in the team, days before the first of this month (negative: in this
# month), kind, hours, what they did)
ACTIVITIES = [
    (0, 20, Activity.Kind.INFORMING, "1.5", "Flyers over de schoonmaakactie rondgebracht"),
    (0, 6, Activity.Kind.PARTNER, "1", "Overleg met de wijkagent over de hangplek"),
    (1, 12, Activity.Kind.INITIATIVE, "3", "Moestuinbakken bij de flat opgezet"),
    (2, 9, Activity.Kind.INFORMING, "2", "Nieuwe bewoners in de Lindelaan verwelkomd"),
    (0, -1, Activity.Kind.INFORMING, "1.25", "Buren gewezen op de grofvuilpunten"),
    (1, -1, Activity.Kind.OTHER, "0.5", "Sleutel van het buurthuis opgehaald"),
]


def load(ctx: demo.DemoContext) -> None:
    programme = ctx.programmes[demo.RUNNING]
    if TeamMessage.objects.filter(programme=programme).exists():
        return
    members = [m.user for m in roster(programme=programme).filter(ready_for_rounds=True)]
    members.sort(key=lambda u: (u.email.split("@")[0] != "teamlid", u.name))
    if len(members) < 3:
        return
    for subject, body in MESSAGES:
        team_message_send(actor=ctx.leader, programme=programme, subject=subject, body=body)
    first = ctx.today.replace(day=1)
    for index, days_before, kind, hours, text in ACTIVITIES:
        date = first - timedelta(days=days_before)
        date = min(date, ctx.today)
        services.activity_log(
            actor=members[index],
            programme=programme,
            kind=kind,
            hours=Decimal(hours),
            date=date,
            description=text,
        )
    # A quiet round two days ago: nothing to report, with a remark.
    started = ctx.at(2, 20)
    round_, _new = services.round_start(
        actor=members[0],
        programme=programme,
        uuid=uuid.uuid4(),
        started_at=started,
        walkers=members[1:2],
    )
    services.round_end(
        actor=members[0],
        round_=round_,
        ended_at=started + timedelta(minutes=70),
        outcome="nothing",
        remark="Rustige avond; het nieuwe hek bij de speeltuin is dicht.",
    )
    ctx.created += 1
