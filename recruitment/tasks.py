"""Periodic jobs of the recruitment app."""

from celery import shared_task
from django_scopes import scopes_disabled

from .services import applications_delete_expired as delete_expired


@shared_task(acks_late=True)
def applications_delete_expired() -> int:
    """Periodic: delete applications whose retention period has passed (GDPR)."""
    # Retention is enforced across every tenant at once: scoping is off on purpose for this
    # sweep, which only deletes rows past their own keep-until date.
    with scopes_disabled():
        return delete_expired()
