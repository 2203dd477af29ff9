"""Writes about personal data: a person's export and erasure (each logged as a handled
`PrivacyRequest` with an audit entry), a member's or applicant's own request for erasure
(waiting for the consultancy admin, who is notified), a client's retention terms, and the
retention run. The work itself is the register's (`programmes.privacy`)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import privacy
from ..audit import audit_log
from ..models import Organisation, PrivacyRequest, RetentionSetting, User


def person_for(*, organisation: Organisation, subject: str) -> privacy.Person:
    """Who `subject` names: an e-mail address (with an @) or a full name."""
    subject = subject.strip()
    if "@" in subject:
        return privacy.Person(organisation=organisation, email=subject)
    return privacy.Person(organisation=organisation, name=subject)


@transaction.atomic
def privacy_export(*, actor, organisation: Organisation, subject: str) -> tuple[bytes, int]:
    """The ZIP of everything about the person (`subject`: e-mail address or name) and the
    number of records in it; logged as a handled export request."""
    person = person_for(organisation=organisation, subject=subject)
    found = privacy.person_find(person)
    archive = privacy.person_archive(person)
    counts = {source.code: len(items) for source, items in found}
    request = PrivacyRequest(
        organisation=organisation,
        action=PrivacyRequest.Action.EXPORT,
        status=PrivacyRequest.Status.DONE,
        subject=subject[:254],
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        handled_by=actor if getattr(actor, "is_authenticated", False) else None,
        handled_at=timezone.now(),
        counts=counts,
    )
    request.full_clean()
    request.save()
    audit_log(
        actor=actor,
        organisation=organisation,
        action="privacy.exported",
        obj=request,
        data={"records": counts},
    )
    return archive, sum(counts.values())


@transaction.atomic
def privacy_erase(*, actor, organisation: Organisation, subject: str, confirm: str) -> dict:
    """Erase or anonymise everything about the person; `confirm` must repeat `subject` (typed
    by the admin). Waiting requests for the same person are marked handled; the log keeps what
    was removed, not whom."""
    if confirm.strip().lower() != subject.strip().lower():
        raise ValidationError(
            {"confirm": _("Type the e-mail address or name exactly as searched to confirm.")}
        )
    person = person_for(organisation=organisation, subject=subject)
    waiting = list(
        PrivacyRequest.objects.filter(
            organisation=organisation,
            action=PrivacyRequest.Action.ERASE,
            status=PrivacyRequest.Status.PENDING,
            subject__iexact=subject.strip(),
        )
    )
    counts = privacy.person_erase(person)
    now = timezone.now()
    for pending in waiting:
        pending.status = PrivacyRequest.Status.DONE
        pending.subject = privacy.ERASED
        pending.handled_by = actor
        pending.handled_at = now
        pending.counts = counts
        pending.save(update_fields=["status", "subject", "handled_by", "handled_at", "counts"])
    request = PrivacyRequest(
        organisation=organisation,
        action=PrivacyRequest.Action.ERASE,
        status=PrivacyRequest.Status.DONE,
        subject=privacy.ERASED,
        requested_by=actor,
        handled_by=actor,
        handled_at=now,
        counts=counts,
    )
    request.full_clean()
    request.save()
    audit_log(
        actor=actor,
        organisation=organisation,
        action="privacy.erased",
        obj=request,
        data={"records": counts},
    )
    return counts


def erasure_waiting(*, organisation: Organisation, email: str):
    """The person's erasure request that waits for the admin, if any (a read the applicant's
    page shares with the service below)."""
    return PrivacyRequest.objects.filter(
        organisation=organisation,
        action=PrivacyRequest.Action.ERASE,
        status=PrivacyRequest.Status.PENDING,
        subject__iexact=email,
    ).first()


@transaction.atomic
def erasure_request_create(*, user: User, organisation: Organisation, email: str):
    """A person asks from the app for their data to be erased: a waiting request the
    consultancy admin handles from the privacy page (told by a notification). Asking twice
    gives the one request."""
    existing = PrivacyRequest.objects.filter(
        organisation=organisation,
        action=PrivacyRequest.Action.ERASE,
        status=PrivacyRequest.Status.PENDING,
        subject__iexact=email,
    ).first()
    if existing:
        return existing
    request = PrivacyRequest(
        organisation=organisation,
        action=PrivacyRequest.Action.ERASE,
        subject=email[:254],
        requested_by=user if getattr(user, "is_authenticated", False) else None,
    )
    request.full_clean()
    request.save()
    audit_log(actor=user, organisation=organisation, action="privacy.requested", obj=request)
    from .notifications import notify_on_commit  # noqa: PLC0415 - notifications import the registry

    notify_on_commit(
        kind="privacy.erasure_requested",
        recipients=list(
            User.objects.filter(
                role="consultancy_admin",
                is_active=True,
                organisation_id=organisation.consultancy_id or organisation.pk,
            )
        ),
        organisation=organisation,
        title=_("Someone asks for their data to be erased"),
        url=reverse("privacy"),
        dedupe_key=f"privacy-request-{request.pk}",
    )
    return request


@transaction.atomic
def retention_terms_set(*, actor, organisation: Organisation, terms: dict) -> list[str]:
    """Set a client's retention terms ({rule code: days}), each within its rule's bounds;
    returns the codes that changed."""
    changed = []
    for code, days in terms.items():
        rule = privacy.retention_rule(code)
        if not rule.minimum <= days <= rule.maximum:
            raise ValidationError(
                {
                    code: _("Between %(min)s and %(max)s days.")
                    % {"min": rule.minimum, "max": rule.maximum}
                }
            )
        setting = RetentionSetting.objects.filter(organisation=organisation, rule=code).first()
        if setting is None:
            if days == rule.default:
                continue
            setting = RetentionSetting(organisation=organisation, rule=code, days=days)
        elif setting.days == days:
            continue
        setting.days = days
        setting.full_clean()
        setting.save()
        changed.append(code)
    if changed:
        audit_log(
            actor=actor,
            organisation=organisation,
            action="privacy.terms_set",
            obj=organisation,
            data={code: terms[code] for code in changed},
        )
    return changed


def retention_run(*, now=None):
    """Run the retention rules now (the beat job, or the admin's button); see the register."""
    return privacy.retention_run(now=now)
