"""Periodic job of the guidance: plan the evaluations the schedules ask for and tell the
project leaders. Imported when the app is ready (`programmes.guidance_pages`), so the worker
and the in-process beat know it by its name."""

from celery import shared_task
from django_scopes import scope, scopes_disabled

from .models import Programme, ProgrammeClosure
from .services.guidance import evaluations_plan_due


@shared_task(acks_late=True)
def evaluations_plan_due_all() -> int:
    """Periodic (daily): plan the due evaluations of every open programme; idempotent per
    programme and date (see `evaluations_plan_due`)."""
    # Finding the programmes spans every tenant: scoping is off for the look-up only; each
    # programme is planned inside its own organisation's scope.
    with scopes_disabled():
        closed = ProgrammeClosure.objects.values("programme_id")
        rows = list(
            Programme.objects.exclude(pk__in=closed)
            .filter(progress_events__event="kickoff_held")
            .values_list("pk", "organisation_id")
            .distinct()
        )
    planned = 0
    for programme_id, organisation_id in rows:
        with scope(organisation=organisation_id):
            programme = Programme.objects.select_related("organisation").get(pk=programme_id)
            planned += evaluations_plan_due(programme=programme)
    return planned
