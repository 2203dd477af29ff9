"""Demo data of patrols for the teams at work: the effort obligation, weekly rounds walked
over the past weeks with their walkers, signals in every state of the follow-up workflow
(with photos, history and the client's notes), conversations with residents, rounds ahead
with sign-ups and a reward handed out. Called by the `demo_data` command."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from programmes import demo
from programmes.models import MembershipEvent, TeamMember
from programmes.selectors import roster
from programmes.services import membership_leave, membership_pause

from . import demo_team, services
from .models import EffortRule, RoundSignup, RoundSlot, Signal, SignalEvent, SignalPhoto
from .models_handoff import Handoff, HandoffChannel
from .services import handoff as handoff_services

WEEKS_BACK = 6
WEEKS_AHEAD = 3
# Where each team meets, and a point in its neighbourhood for the map.
PLACES = {
    demo.RUNNING: ("Buurthuis De Tarwe, Tarwestraat 12", "Tarwewijk-Noord", 51.8888, 4.4867),
    demo.RUNNING_SMALL: ("Portiek Tijmstraat 2", "Kruidenbuurt", 51.4590, 5.4960),
}
# category (Dutch default name), street, number, description, urgent, then the follow-up:
# a list of (status, note) steps the client took, each a few days after the last.
SIGNALS = [
    ("Grofvuil", "Tarwestraat", "14", "Bank en matras naast de container.", False, []),
    ("Onveilige situatie", "Doklaan", "3", "Stoeptegels los voor de school.", True, []),
    (
        "Verlichting",
        "Millinxstraat",
        "40",
        "Lantaarnpaal brandt niet, hele stuk donker.",
        False,
        [],
    ),
    (
        "Zwerfvuil",
        "Pretorialaan",
        "22",
        "Veel zwerfvuil rond het speeltuintje.",
        False,
        [("in_progress", "Ingepland voor de veegwagen van donderdag.")],
    ),
    (
        "Lekkage of schade",
        "Boergoensestraat",
        "7",
        "Dakgoot lekt boven de voordeur van de flat.",
        False,
        [("in_progress", "Opzichter gaat kijken."), ("forwarded", "Doorgezet naar de aannemer.")],
    ),
    (
        "Vandalisme of graffiti",
        "Mijnsherenlaan",
        "101",
        "Graffiti op de gevel van het wijkgebouw.",
        False,
        [("forwarded", "Doorgezet naar het graffititeam van Stadsbeheer.")],
    ),
    (
        "Grofvuil",
        "Brede Hilledijk",
        "55",
        "Kapotte kast bij de ondergrondse container.",
        False,
        [("in_progress", "Melding bij de reiniging gedaan."), ("resolved", "Opgehaald.")],
    ),
    (
        "Fietsen of spullen op galerijen",
        "Tarwestraat",
        "60",
        "Drie fietsen op de galerij van de derde etage.",
        False,
        [("resolved", "Bewoners aangeschreven; galerij is weer vrij.")],
    ),
    (
        "Verlichting",
        "Doklaan",
        "18",
        "Portieklamp kapot.",
        False,
        [("in_progress", "Aannemer ingeschakeld."), ("resolved", "Lamp vervangen.")],
    ),
    (
        "Overlast",
        "Millinxstraat",
        "9",
        "Geluidsoverlast van een scooterclub 's avonds.",
        False,
        [("not_applicable", "Geen taak van de gemeente: doorgegeven aan de wijkagent.")],
    ),
    (
        "Zwerfvuil",
        "Mijnsherenlaan",
        "30",
        "Afval uit omgevallen prullenbak.",
        False,
        [
            ("resolved", "Prullenbak geleegd."),
            ("in_progress", "Weer vol na een dag: we plaatsen een grotere bak."),
        ],
    ),
    (
        "Anders",
        "Pretorialaan",
        "5",
        "Verwilderde boomspiegel, planten hangen over de stoep.",
        False,
        [("resolved", "Groenonderhoud heeft gesnoeid.")],
    ),
]
# The categories the running team's client routes to its own service desk.
HANDED_OFF = ("Verlichting", "Lekkage of schade")
SMALL_TEAM_STREETS = ["Tijmstraat", "Saliestraat", "Dillestraat", "Kervelstraat"]
CONVERSATIONS = [
    ("litter", "good", "Buurman zet zijn vuilniszak voortaan in de container.", False),
    ("parking", "neutral", "Scooter op de stoep; eigenaar zou hem verplaatsen.", False),
    ("noise", "bad", "Muziek op het balkon; bewoner werd boos en schold.", True),
    ("behaviour", "good", "Jongeren in het portiek ruimden hun blikjes op.", False),
    ("litter", "good", "Mevrouw wist niet waar de grofvuilpunten zijn; uitgelegd.", False),
]


def load(ctx: demo.DemoContext) -> None:
    for key in (demo.RUNNING, demo.RUNNING_SMALL):
        programme = ctx.programmes[key]
        if not EffortRule.objects.filter(programme=programme).exists():
            _team_at_work(ctx, key, programme)
            ctx.created += 1
    demo_team.load(ctx)
    _membership_over_time(ctx, ctx.programmes[demo.RUNNING])


# The team over the months: one member on holiday until next month, one who moved away.
PAUSED = "samira.haddou@zuidstad.example"
LEFT = "dirk.smit@zuidstad.example"


def _membership_over_time(ctx, programme) -> None:
    """After the rounds were walked: one member paused until a date next month (holiday),
    one who left three weeks ago (moved, gear returned); their rounds and signals stay."""
    rows = {m.user.email: m for m in TeamMember.objects.filter(programme=programme)}
    paused, left = rows.get(PAUSED), rows.get(LEFT)
    if paused is None or left is None or left.state == "left":
        return
    next_month = (ctx.today.replace(day=1) + timedelta(days=32)).replace(day=14)
    membership_pause(
        actor=paused.user, member=paused, until=next_month, reason="Vakantie in Marokko"
    )
    MembershipEvent.objects.filter(member=paused, to_state="paused").update(at=ctx.at(2, 20))
    membership_leave(
        actor=ctx.leader,
        member=left,
        left_on=ctx.today - timedelta(days=20),
        reason="Verhuisd naar een andere wijk",
        gear_returned=True,
    )
    MembershipEvent.objects.filter(member=left, to_state="left").update(at=ctx.at(20, 12))
    ctx.created += 2


def _team_at_work(ctx, key, programme) -> None:
    leader = ctx.leader
    services.categories_ensure(programme=programme)
    services.effort_rule_save(
        actor=leader,
        programme=programme,
        min_rounds=2,
        min_hours=Decimal("3"),
        min_team_meetings=0,
        reward="Een cadeaubon van € 25 per maand",
    )
    ready = [m.user for m in roster(programme=programme).filter(ready_for_rounds=True)]
    # Keep the printed demo member first: they start most rounds.
    ready.sort(key=lambda u: (u.email.split("@")[0] != "teamlid", u.name))
    meeting_point, area, lat, lon = PLACES[key]
    first_tuesday = ctx.today - timedelta(days=7 * WEEKS_BACK + ctx.today.weekday() - 1)
    days_ago = (ctx.today - first_tuesday).days
    slots = services.round_slot_create(
        actor=leader,
        programme=programme,
        starts_at=ctx.at(days_ago, 19),
        meeting_point=meeting_point,
        area=area,
        weeks=WEEKS_BACK + WEEKS_AHEAD,
    )
    slots += services.round_slot_create(
        actor=leader,
        programme=programme,
        starts_at=ctx.at(days_ago - 4, 10, 30),
        meeting_point=meeting_point,
        area=f"{programme.neighbourhood}-Zuid",
        duration_minutes=120,
        weeks=WEEKS_BACK + WEEKS_AHEAD,
    )
    slots = list(RoundSlot.objects.filter(programme=programme).order_by("starts_at"))
    now = timezone.now()
    rng = ctx.rng(f"rounds-{key}")
    rounds = []
    walked = [s for s in slots if s.starts_at + timedelta(minutes=s.duration_minutes) < now]
    for i, slot in enumerate(walked):
        if i % 5 == 4:
            continue  # not every scheduled round is walked
        walkers = [ready[i % len(ready)], *rng.sample(ready, min(2, len(ready)))]
        walkers = list(dict.fromkeys(walkers))
        started = slot.starts_at + timedelta(minutes=rng.randint(0, 10))
        round_, _new = services.round_start(
            actor=walkers[0],
            programme=programme,
            uuid=uuid.uuid4(),
            started_at=started,
            walkers=walkers[1:],
            slot=slot,
        )
        services.round_end(
            actor=walkers[0],
            round_=round_,
            ended_at=started + timedelta(minutes=slot.duration_minutes - rng.randint(0, 25)),
        )
        rounds.append(round_)
    morning = ctx.at(0, 9, 30)
    if now > morning + timedelta(minutes=90) and not any(
        r.started_at >= ctx.at(ctx.today.day - 1, 0) for r in rounds
    ):
        # Early in the month: a round walked this morning, so this month's effort shows too.
        round_, _new = services.round_start(
            actor=ready[0],
            programme=programme,
            uuid=uuid.uuid4(),
            started_at=morning,
            walkers=ready[1:2],
        )
        services.round_end(actor=ready[0], round_=round_, ended_at=morning + timedelta(minutes=75))
        rounds.append(round_)
    for slot in [s for s in slots if s.starts_at > now + timedelta(hours=1)][:4]:
        for user in ready[:2]:
            services.round_signup(actor=user, slot=slot)
    # The day-before reminders of the next rounds count as sent, so the periodic job does not
    # print them under the demo logins right after the start.
    RoundSignup.objects.filter(
        slot__programme=programme, slot__starts_at__lt=now + timedelta(hours=48)
    ).update(reminded_at=now)
    if key == demo.RUNNING:
        _handoff(ctx, programme)
    _signals(ctx, key, programme, rounds, lat, lon)
    # The desk's mails go out now, whatever runs the tasks (or nothing yet): the hand-offs
    # show as delivered from the start. Each is claimed once, so a queued task skips it.
    waiting = Handoff.objects.filter(signal__programme=programme, state=Handoff.State.WAITING)
    for pk in waiting.values_list("pk", flat=True):
        handoff_services.handoff_deliver(handoff_id=pk)
    _conversations(ctx, programme, rounds)
    _reward(ctx, programme, ready)


def _handoff(ctx, programme) -> None:
    """The client's own system: its service desk's mailbox takes the lighting and damage
    signals, assigned to the department that handles them (every such signal gets a delivered
    hand-off and shows it, to the client, the project leader and the member who reported)."""
    staff = ctx.staff_of(programme)
    client = programme.organisation
    department = handoff_services.department_create(
        actor=staff, organisation=client, name="Wijkbeheer", members=[staff]
    )
    channel, _secret = handoff_services.handoff_channel_create(
        actor=staff,
        organisation=client,
        kind=HandoffChannel.Kind.MAIL_DESK,
        name="Meldpunt openbare ruimte",
        target=f"meldpunt@{client.slug}.example",
    )
    for name in HANDED_OFF:
        category = programme.signal_categories.filter(name=name).first()
        if category is not None:
            handoff_services.category_route_create(
                actor=staff,
                channel=channel,
                programme=programme,
                category=category,
                assign_department=department,
            )


def _signals(ctx, key, programme, rounds, lat, lon) -> None:
    staff = ctx.staff_of(programme)
    categories = {c.name: c for c in programme.signal_categories.all()}
    fallback = programme.signal_categories.order_by("-position").first()
    rng = ctx.rng(f"signals-{key}")
    specs = SIGNALS if key == demo.RUNNING else SIGNALS[::2]
    streets = SMALL_TEAM_STREETS
    recent = sorted(rounds, key=lambda r: r.started_at)
    older = recent[: max(1, len(recent) - 3)]
    followed = [spec for spec in specs if spec[-1]]
    for i, (category, street, number, description, urgent, steps) in enumerate(specs):
        # The open signals come from the last rounds; those followed up spread over earlier ones.
        if steps:
            k = followed.index((category, street, number, description, urgent, steps))
            round_ = older[(k * len(older)) // len(followed)]
        else:
            round_ = recent[-1 - i % 3]
        reporter = rng.choice(list(round_.walkers.all()))
        reported_at = round_.started_at + timedelta(minutes=10 + 7 * (i % 6))
        signal, _new = services.signal_report(
            actor=reporter,
            programme=programme,
            uuid=uuid.uuid4(),
            category=categories.get(category, fallback),
            description=description,
            reported_at=reported_at,
            urgent=urgent,
            latitude=round(lat + rng.uniform(-0.004, 0.004), 6),
            longitude=round(lon + rng.uniform(-0.006, 0.006), 6),
            street=street if key == demo.RUNNING else streets[i % len(streets)],
            house_number=number,
            round_=round_,
        )
        SignalEvent.objects.filter(signal=signal).update(created_at=reported_at)
        if i % 2 == 0:
            services.signal_photo_add(
                actor=reporter,
                signal=signal,
                uuid=uuid.uuid4(),
                upload=demo.demo_jpeg(
                    f"signal-{signal.pk}", colour="#4f7942", label=category, size=(480, 360)
                ),
            )
            if steps:  # reviewed before the client saw it; the newest wait for the leader
                SignalPhoto.objects.filter(signal=signal).update(
                    review=SignalPhoto.Review.CLEAR,
                    reviewed_at=reported_at + timedelta(hours=2),
                    reviewed_by=ctx.leader,
                )
        when = reported_at
        for step, (status, note) in enumerate(steps):
            when = min(when + timedelta(days=1 + step, hours=2), timezone.now())
            services.signal_transition(
                actor=staff,
                signal=signal,
                status=status,
                text=note,
                assigned_to=staff if step == 0 else None,
            )
            last = SignalEvent.objects.filter(signal=signal).order_by("-id").first()
            SignalEvent.objects.filter(pk=last.pk).update(created_at=when)
        signal.refresh_from_db()
        if signal.closed_at is not None:
            Signal.objects.filter(pk=signal.pk).update(closed_at=when)


def _conversations(ctx, programme, rounds) -> None:
    recent = sorted(rounds, key=lambda r: r.started_at)[-len(CONVERSATIONS) :]
    for round_, (topic, outcome, note, aggression) in zip(recent, CONVERSATIONS, strict=False):
        walker = round_.started_by
        services.conversation_report(
            actor=walker,
            programme=programme,
            uuid=uuid.uuid4(),
            topic=topic,
            outcome=outcome,
            note=note,
            aggression=aggression,
            reported_at=round_.started_at + timedelta(minutes=35),
            round_=round_,
        )


def _reward(ctx, programme, ready) -> None:
    """Last month's reward for the members who met the effort obligation."""
    last_month = ctx.today.replace(day=1) - timedelta(days=1)
    for user in ready:
        try:
            services.reward_hand_out(
                actor=ctx.staff_of(programme),
                programme=programme,
                user=user,
                year=last_month.year,
                month=last_month.month,
            )
        except ValidationError:
            continue  # did not meet the obligation that month
