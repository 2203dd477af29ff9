"""Periodic jobs of the patrols app."""

from celery import shared_task
from django_scopes import scope, scopes_disabled

from .services import round_reminder_send, round_reminders_due


@shared_task(acks_late=True)
def round_reminders_send() -> int:
    """Periodic: remind walkers the day before their round; idempotent per sign-up."""
    # Finding tomorrow's rounds spans every tenant: scoping is off for the look-up only; each
    # reminder is written inside its own organisation's scope.
    with scopes_disabled():
        due = list(round_reminders_due())
    for signup_id, organisation_id in due:
        with scope(organisation=organisation_id):
            round_reminder_send(signup_id=signup_id)
    return len(due)
