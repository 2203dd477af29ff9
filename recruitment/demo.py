"""Demo data of recruitment: an open campaign with its channels and door-to-door log,
applications in every stage of the selection, an information meeting and a neighbourhood
survey with answers; in the running programme a baseline survey and its closed follow-up, so
the comparison shows the change. Called by the `demo_data` command (see `programmes.demo`)."""

from datetime import timedelta

from programmes import demo
from programmes.models import Meeting
from programmes.services import meeting_create, meeting_reply

from . import selectors, services
from .models import Application, ApplicationEvent, Channel, DoorVisit, Survey, SurveyResponse
from .workflow import Stage

STREETS = ["Lindenhoflaan", "Kastanjestraat", "Berkenstraat", "Esdoornplein"]

# name, street, number, source, stage, days ago (the e-mail address follows the name)
APPLICANTS = [
    ("Greetje Peters", "Kastanjestraat", "4", "online", "applied", 2),
    ("Tom Wouters", "Berkenstraat", "17", "paper", "applied", 5),
    ("Aylin Kaya", "Lindenhoflaan", "88", "online", "invited", 12),
    ("Wim de Groot", "Esdoornplein", "3", "door", "invited", 14),
    ("Nadia Boukhari", "Kastanjestraat", "21", "online", "interview", 18),
    ("Pieter Hendriks", "Lindenhoflaan", "12", "online", "proposed", 21),
    ("Sophie Maas", "Berkenstraat", "2", "door", "proposed", 22),
    ("Ahmed Benali", "Esdoornplein", "9", "online", "selected", 25),
    ("Ingrid Willems", "Kastanjestraat", "30", "paper", "declined", 26),
    ("Rob Claassen", "Berkenstraat", "41", "online", "stopped", 27),
]
# How each of APPLICANTS heard of the campaign ("" = did not say), for the figures per channel.
HEARD_VIA = [
    "letter",
    "letter",
    "social",
    "door",
    "neighbour",
    "poster",
    "door",
    "letter",
    "",
    "website",
]
MOTIVATIONS = [
    "Ik woon hier al twintig jaar en wil dat de buurt weer schoon wordt.",
    "Ik ken veel mensen in de straat en wil graag iets terugdoen.",
    "Mijn kinderen spelen buiten; ik wil dat het veilig is.",
    "Ik heb tijd over sinds mijn pensioen en loop graag door de wijk.",
]


def load(ctx: demo.DemoContext) -> None:
    _impact(ctx, ctx.programmes[demo.RUNNING])
    programme = ctx.programmes[demo.RECRUITING]
    if programme.applications.exists() or programme.surveys.exists():
        return
    leader = ctx.leader
    services.campaign_save(
        actor=leader,
        programme=programme,
        is_open=True,
        intro="Woon je in Lindenhof en wil je je buurt schoon, heel en gezellig houden? "
        "Meld je aan voor het BewonersTeam: je krijgt een training, een bodywarmer en "
        "een beloning.",
    )
    for kind, days, reach in [
        (Channel.Kind.WEBSITE, 30, "Website van De Linde"),
        (Channel.Kind.LETTER, 28, "1.300 brieven"),
        (Channel.Kind.SOCIAL, 25, "Buurtgroep Lindenhof, 400 leden"),
        (Channel.Kind.POSTER, 21, "12 posters in portieken"),
        (Channel.Kind.DOOR, 14, "Kastanjestraat en Berkenstraat"),
    ]:
        services.channel_add(
            actor=leader,
            programme=programme,
            kind=kind,
            date=ctx.today - timedelta(days=days),
            reach=reach,
        )
    _doors(ctx, programme)
    meeting = _information_meeting(ctx, programme)
    _applications(ctx, programme, meeting)
    _survey(ctx, programme)
    ctx.created += 1


def _doors(ctx, programme) -> None:
    rng = ctx.rng("doors")
    outcomes = list(DoorVisit.Outcome.values)
    for street in ("Kastanjestraat", "Berkenstraat"):
        for number in range(1, 16, 2):
            services.door_visit_log(
                actor=ctx.leader,
                programme=programme,
                street=street,
                house_number=str(number),
                outcome=rng.choices(outcomes, weights=[5, 3, 2, 1])[0],
            )
    DoorVisit.objects.filter(programme=programme).update(visited_at=ctx.at(14, 16))


def _information_meeting(ctx, programme):
    starts = ctx.at(-6, 19, 30)
    return meeting_create(
        actor=ctx.leader,
        programme=programme,
        kind=Meeting.Kind.INFORMATION,
        title="Informatiebijeenkomst BewonersTeam Lindenhof",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1, minutes=30),
        location="Wijkcentrum De Lindehof, Lindenhoflaan 1",
        capacity=30,
        description="Kom horen wat een BewonersTeam doet en stel je vragen.",
    )


def _applications(ctx, programme, meeting) -> None:
    staff = ctx.staff_of(programme)
    by_stage = {}
    for i, (name, street, number, source, stage, days) in enumerate(APPLICANTS):
        email = name.lower().replace(" ", ".") + "@example.org"
        application = services.application_submit(
            programme=programme,
            consent=services.consent_text(
                programme=programme, campaign=services.campaign_for(programme=programme)
            ),
            source=source,
            actor=None if source == "online" else ctx.leader,
            name=name,
            email=email,
            phone=f"06-1234{5600 + i}",
            street=street,
            house_number=number,
            postcode="5615 AB",
            motivation=MOTIVATIONS[i % len(MOTIVATIONS)],
            availability="Doordeweeks 's avonds en op zaterdag",
            heard_via=HEARD_VIA[i],
        )
        Application.objects.filter(pk=application.pk).update(created_at=ctx.at(days, 20, 15))
        ApplicationEvent.objects.filter(application=application).update(
            created_at=ctx.at(days, 20, 15)
        )
        by_stage.setdefault(stage, []).append(application)
    # Everyone past "applied" was invited to the information meeting.
    later = [a for stage, apps in by_stage.items() if stage != "applied" for a in apps]
    later = [a for a in later if a not in by_stage.get("stopped", [])]
    services.applicants_invite(
        actor=ctx.leader,
        meeting=meeting,
        applications=Application.objects.filter(pk__in=[a.pk for a in later]),
    )
    for invitee in meeting.invitees.all()[:5]:
        meeting_reply(invitee=invitee, attending=True, guests=1 if invitee.pk % 2 else 0)
    for application in [
        *by_stage["interview"],
        *by_stage["proposed"],
        *by_stage["selected"],
        *by_stage["declined"],
    ]:
        services.application_move(actor=ctx.leader, application=application, stage=Stage.INTERVIEW)
    advice = "Betrokken bewoner, kent de buurt goed. Wij adviseren aannemen."
    for application in [*by_stage["proposed"], *by_stage["selected"], *by_stage["declined"]]:
        services.application_move(
            actor=ctx.leader, application=application, stage=Stage.PROPOSED, advice=advice
        )
    for application in by_stage["selected"]:
        services.application_decide(
            actor=staff,
            application=application,
            approve=True,
            reason="Past goed in het team.",
            hold_seconds=0,  # decided days ago: nothing left to undo
        )
    for application in by_stage["declined"]:
        services.application_decide(
            actor=staff,
            application=application,
            approve=False,
            reason="Woont buiten het gebied van het team.",
            hold_seconds=0,
        )
    for application in by_stage["stopped"]:
        services.application_move(
            actor=ctx.leader,
            application=application,
            stage=Stage.NOT_SELECTED,
            note="Trok zich terug: geen tijd meer.",
            hold_seconds=0,  # history too: its mail is not held for undo
        )
    # The steps after applying happened in the days after it, not all today.
    for event in ApplicationEvent.objects.filter(
        application__programme=programme, from_stage__gt=""
    ).select_related("application"):
        applied = event.application.created_at
        step = list(Stage.values).index(event.to_stage)
        ApplicationEvent.objects.filter(pk=event.pk).update(
            created_at=min(applied + timedelta(days=2 * step, hours=1), ctx.at(0, 9))
        )


def _survey(ctx, programme) -> None:
    survey = services.survey_create(
        actor=ctx.leader, programme=programme, title="Buurtonderzoek Lindenhof"
    )
    services.survey_set_status(actor=ctx.leader, survey=survey, status="open")
    questions = list(survey.questions.all())
    rng = ctx.rng("survey")
    good = ["De groene binnentuinen", "Aardige buren", "Dicht bij het centrum", "Rustig"]
    bad = ["Afval naast de containers", "Fietsen in de portieken", "Hangjongeren", "Hondenpoep"]
    channels = list(SurveyResponse.Channel.values)
    for n in range(36):
        answers = {}
        for q in questions:
            if q.kind == "text":
                answers[q.pk] = rng.choice(good if n % 2 else bad) if rng.random() < 0.7 else ""
            elif q.kind == "scale":
                answers[q.pk] = str(rng.choices("12345", weights=[1, 3, 5, 4, 2])[0])
            elif q.kind == "single":
                answers[q.pk] = rng.choice(q.options)
            elif q.kind == "multiple":
                answers[q.pk] = rng.sample(q.options, rng.randint(1, 3))
            elif q.kind == "yesno":
                answers[q.pk] = (
                    "ja" if rng.random() < (0.8 if not q.asks_to_join else 0.3) else "nee"
                )
        wants_contact = n in (3, 11, 19, 27)
        if wants_contact:
            answers[next(q.pk for q in questions if q.asks_to_join)] = "ja"
        response = services.survey_respond(
            survey=survey,
            answers=answers,
            channel=channels[n % len(channels)],
            street=STREETS[n % len(STREETS)],
            entered_by=None if channels[n % len(channels)] == "online" else ctx.leader,
            contact={
                "consent": True,
                "name": f"Bewoner {n + 1}",
                "email": f"bewoner{n + 1}@example.org",
                "phone": "",
            }
            if wants_contact
            else None,
        )
        SurveyResponse.objects.filter(pk=response.pk).update(
            created_at=ctx.at(20 - n // 3, 10 + n % 9)
        )
    first = selectors.survey_prospects(survey=survey).first()
    if first is not None:
        application = services.prospect_convert(actor=ctx.leader, response=first)
        Application.objects.filter(pk=application.pk).update(created_at=first.created_at)
        ApplicationEvent.objects.filter(application=application).update(created_at=first.created_at)


# The team at work: how residents answered before it started (baseline) and months later
# (follow-up), as weights per option; the follow-up leans towards safer, cleaner, fewer
# problems, so the comparison has a change to show.
_BEFORE = {
    "scale": [3, 5, 4, 2, 1],
    "single": [1, 4, 4, 2],
    "multiple": [6, 4, 3, 5, 4, 2],
    "yesno": (0.6, 0.15),  # share "ja": would a team be good / would you join
}
_AFTER = {
    "scale": [1, 2, 4, 5, 3],
    "single": [2, 5, 3, 1],
    "multiple": [3, 2, 1, 3, 3, 1],
    "yesno": (0.8, 0.2),
}


def _answer_all(ctx, survey, *, weights, count, days_ago, salt) -> None:
    """`count` responses to `survey` drawn with `weights`, dated around `days_ago`."""
    questions = list(survey.questions.all())
    rng = ctx.rng(salt)
    channels = list(SurveyResponse.Channel.values)
    for n in range(count):
        answers = {}
        for q in questions:
            if q.kind == "text":
                answers[q.pk] = rng.choice(["Aardige buren", "Het park", "Afval"]) if n % 3 else ""
            elif q.kind == "scale":
                answers[q.pk] = rng.choices([1, 2, 3, 4, 5], weights=weights["scale"])[0]
            elif q.kind == "single":
                answers[q.pk] = rng.choices(q.options, weights=weights["single"])[0]
            elif q.kind == "multiple":
                picked = {rng.choices(q.options, weights=weights["multiple"])[0] for _ in range(2)}
                answers[q.pk] = [o for o in q.options if o in picked]
            elif q.kind == "yesno":
                share = weights["yesno"][1 if q.asks_to_join else 0]
                answers[q.pk] = "ja" if rng.random() < share else "nee"
        channel = channels[n % len(channels)]
        response = services.survey_respond(
            survey=survey,
            answers=answers,
            channel=channel,
            street=["Tarwestraat", "Korte Tarwestraat", "Pretorialaan"][n % 3],
            entered_by=None if channel == "online" else ctx.leader,
        )
        SurveyResponse.objects.filter(pk=response.pk).update(
            created_at=ctx.at(days_ago - n // 8, 10 + n % 9)
        )


def _impact(ctx, programme) -> None:
    """The running team's baseline survey (before it started, closed) and its follow-up
    (measured again these weeks, closed): the impact comparison has real figures."""
    if programme.surveys.exists():
        return
    leader = ctx.leader
    baseline = services.survey_create(
        actor=leader, programme=programme, title="Buurtonderzoek Tarwewijk (nulmeting)"
    )
    services.survey_set_status(actor=leader, survey=baseline, status="open")
    _answer_all(ctx, baseline, weights=_BEFORE, count=40, days_ago=145, salt="baseline")
    services.survey_set_status(actor=leader, survey=baseline, status="closed")
    services.survey_conclusions_save(
        actor=leader,
        survey=baseline,
        conclusions="Bewoners voelen zich matig veilig en vinden de buurt vies; zwerfvuil en "
        "overlast worden het meest genoemd.",
    )
    follow_up = services.survey_follow_up_create(
        actor=leader, survey=baseline, title="Buurtonderzoek Tarwewijk (vervolgmeting)"
    )
    services.survey_set_status(actor=leader, survey=follow_up, status="open")
    _answer_all(ctx, follow_up, weights=_AFTER, count=36, days_ago=12, salt="follow-up")
    services.survey_set_status(actor=leader, survey=follow_up, status="closed")
    Survey.objects.filter(pk=baseline.pk).update(created_at=ctx.at(150, 9))
    Survey.objects.filter(pk=follow_up.pk).update(created_at=ctx.at(16, 9))
    ctx.created += 1
