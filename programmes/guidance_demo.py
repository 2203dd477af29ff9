"""Demo data of the guidance over the years, loaded at the end of the base's demo
(`programmes.demo.load`): for the running team an evaluation with the team that was held and
shared, one with the client that is planned, and an action plan of five actions in every
state; and an earlier programme of the same client that was closed, kept as an archive.
Idempotent: what exists is left alone."""

from datetime import timedelta

from .models import Action, Evaluation, Programme
from .services import guidance, programme_create


def load_guidance(ctx, *, running_key: str) -> None:
    programme = ctx.programmes[running_key]
    if not Evaluation.objects.filter(programme=programme).exists():
        _evaluations(ctx, programme)
    if not Action.objects.filter(programme=programme).exists():
        _actions(ctx, programme)
    _closed_programme(ctx, programme)


def _evaluations(ctx, programme: Programme) -> None:
    team = guidance.evaluation_plan(
        actor=ctx.leader,
        programme=programme,
        kind=Evaluation.Kind.TEAM,
        planned_on=ctx.today - timedelta(days=40),
    )
    guidance.evaluation_update(
        actor=ctx.leader,
        evaluation=team,
        held_on=ctx.today - timedelta(days=40),
        went_well="De vaste rondes op dinsdag- en donderdagavond lopen goed; bewoners "
        "herkennen het team aan de hesjes.\nMeldingen van grofvuil worden snel opgepakt.",
        to_improve="Meer bewoners aanspreken in plaats van alleen melden.\n"
        "Nieuwe leden sneller inwerken.",
        agreements="Elke ronde minstens één gesprek met een bewoner\n"
        "Nieuwe leden lopen de eerste maand mee met een ervaren lid\n"
        "Teamoverleg blijft elke eerste dinsdag van de maand",
    )
    guidance.evaluation_transition(actor=ctx.leader, evaluation=team, new="held")
    guidance.evaluation_transition(actor=ctx.leader, evaluation=team, new="shared")
    guidance.evaluation_plan(
        actor=ctx.leader,
        programme=programme,
        kind=Evaluation.Kind.CLIENT,
        planned_on=ctx.today + timedelta(days=14),
    )
    ctx.created += 2


def _actions(ctx, programme: Programme) -> None:
    partners = {p.role: p for p in programme.partners.all()}
    evaluation = Evaluation.objects.filter(programme=programme, kind="team").first()
    rows = [
        (
            "Grofvuilactie in de Tarwewijk",
            "Team en wijkbeheer",
            "neighbourhood_manager",
            Action.Status.DONE,
            -30,
            Action.Source.SURVEY,
            None,
        ),
        (
            "Extra verlichting in het steegje achter de Mijnsherenlaan",
            "Gemeente",
            "neighbourhood_manager",
            Action.Status.IN_PROGRESS,
            30,
            Action.Source.SURVEY,
            None,
        ),
        (
            "Buurtfeest op het plein",
            "Team",
            None,
            Action.Status.PLANNED,
            60,
            Action.Source.OTHER,
            None,
        ),
        (
            "Wijkagent sluit aan bij een ronde per maand",
            "Bas Koster",
            "community_officer",
            Action.Status.IN_PROGRESS,
            10,
            Action.Source.EVALUATION,
            evaluation,
        ),
        (
            "Hangplek bij de speeltuin opheffen",
            "Gemeente",
            None,
            Action.Status.DROPPED,
            -10,
            Action.Source.SURVEY,
            None,
        ),
    ]
    for title, owner, role, status, days, source, from_evaluation in rows:
        guidance.action_create(
            actor=ctx.leader,
            programme=programme,
            title=title,
            owner=owner,
            partner=partners.get(role),
            status=status,
            due_on=ctx.today + timedelta(days=days),
            source=source,
            evaluation=from_evaluation,
        )
    ctx.created += len(rows)


def _closed_programme(ctx, running: Programme) -> None:
    """An earlier team of the same client, closed at its end: read-only, marked "Closed"."""
    name = "BewonersTeam Bloemhof"
    if Programme.objects.filter(organisation=running.organisation, name=name).exists():
        return
    programme = programme_create(
        actor=ctx.leader,
        client=running.organisation,
        project_leaders=[ctx.leader],
        client_contacts=list(running.client_contacts.all()),
        name=name,
        neighbourhood="Bloemhof",
        municipality=running.municipality,
        postcode_areas="3072",
        start_date=ctx.today - timedelta(days=720),
    )
    evaluation = guidance.evaluation_plan(
        actor=ctx.leader,
        programme=programme,
        kind=Evaluation.Kind.CLIENT,
        planned_on=ctx.today - timedelta(days=45),
    )
    guidance.evaluation_update(
        actor=ctx.leader,
        evaluation=evaluation,
        went_well="Twee jaar lang vaste rondes; de buurt is zichtbaar schoner.",
        to_improve="De overdracht aan de bewonersvereniging had eerder mogen beginnen.",
        agreements="De bewonersvereniging neemt de rondes over",
    )
    guidance.evaluation_transition(actor=ctx.leader, evaluation=evaluation, new="held")
    guidance.evaluation_transition(actor=ctx.leader, evaluation=evaluation, new="shared")
    guidance.action_create(
        actor=ctx.leader,
        programme=programme,
        title="Overdracht aan de bewonersvereniging",
        owner="Projectleider",
        status=Action.Status.DONE,
        due_on=ctx.today - timedelta(days=35),
        source=Action.Source.EVALUATION,
        evaluation=evaluation,
    )
    guidance.programme_close(
        actor=ctx.leader,
        programme=programme,
        note="Dank voor twee mooie jaren in Bloemhof.",
    )
    ctx.created += 1
