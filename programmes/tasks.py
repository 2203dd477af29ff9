"""Celery tasks of the base app, and the task base class every tenant-aware task uses.

Tasks are thin: they take ids, re-enter the tenant scope and call a service.
"""

from celery import Task, shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django_scopes import scope


class TenantTask(Task):
    """Runs the task inside the scope of the organisation named by `organisation_id`.

    This is one of the three places a tenant scope is switched on (with the web middleware and
    commented blocks in management commands). A task without `organisation_id` runs without a
    scope, so any tenant query in it raises.
    """

    abstract = True
    acks_late = True
    reject_on_worker_lost = True

    def __call__(self, *args, **kwargs):
        organisation_id = kwargs.get("organisation_id")
        if organisation_id is None:
            return super().__call__(*args, **kwargs)
        with scope(organisation=organisation_id):
            return super().__call__(*args, **kwargs)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_rendered_mail(self, *, to: str, subject: str, text: str, html: str) -> None:
    """Send one rendered message; connection errors are retried with backoff."""
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    message.attach_alternative(html, "text/html")
    message.send()


@shared_task(base=TenantTask, bind=True)
def organisation_summary(self, *, organisation_id: int) -> dict:
    """Count what an organisation holds, inside its scope: a health check of the worker path
    (broker, worker, database, tenant scope) that the tests and benchmarks send through Redis."""
    from .models import AuditEntry, Invitation, Organisation

    org = Organisation.objects.get(pk=organisation_id)
    return {
        "organisation": org.slug,
        "audit_entries": AuditEntry.objects.count(),
        "invitations": Invitation.objects.count(),
        "worker": self.request.hostname or "eager",
    }


@shared_task
def noop() -> str:
    """A trivial task: the floor that benchmarks compare real tasks against."""
    return "ok"
