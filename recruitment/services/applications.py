"""Applications: received (online, on paper, from the survey), kept no longer than
consented, and a second application of the same resident merged into the first.

An application's stage moves through the base's workflow transition
(`programmes.services.workflow`) with `APPLICATION_WORKFLOW`: the table in
`recruitment.workflow`, the history in `ApplicationEvent`, the audit as "application.<stage>".
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.links import reverse_absolute
from programmes.mail import mail_queue
from programmes.models import Programme, User
from programmes.services.common import apply_changes
from programmes.services.workflow import Workflow, workflow_history_append, workflow_transition

from ..models import Application, ApplicationEvent, SurveyResponse
from ..privacy import applicant_token
from ..workflow import Stage
from .campaign import campaign_for

# Where an application keeps its stage and its history, for the base's workflow transition.
APPLICATION_WORKFLOW = Workflow(
    state="stage",
    history=ApplicationEvent,
    subject="application",
    from_field="from_stage",
    to_field="to_stage",
    action="application",
)


def _application_open(
    *,
    programme: Programme,
    source: str,
    consent_text: str,
    consent_at=None,
    actor: User | None = None,
    note: str = "",
    exclude=None,
    **fields,
) -> Application:
    """Store a new application at the first step, with the consent it was given under (given
    now unless `consent_at` says when) and kept for the campaign's retention from now; its
    first step goes into the history. `exclude` names fields not checked (not asked for)."""
    campaign = campaign_for(programme=programme)
    now = timezone.now()
    application = Application(
        organisation=programme.organisation,
        programme=programme,
        source=source,
        consent_text=consent_text,
        consent_at=consent_at or now,
        keep_until=(now + timedelta(days=31 * campaign.retention_months)).date(),
        **fields,
    )
    application.full_clean(exclude=exclude)
    application.save()
    workflow_history_append(
        workflow=APPLICATION_WORKFLOW,
        obj=application,
        actor=actor,
        previous="",
        new=Stage.APPLIED,
        note=note,
    )
    return application


@transaction.atomic
def application_submit(
    *,
    programme: Programme,
    consent: str,
    source=Application.Source.ONLINE,
    actor: User | None = None,
    **fields,
) -> Application:
    """Store an application with the consent text the applicant saw; confirm by e-mail."""
    campaign = campaign_for(programme=programme)
    if source == Application.Source.ONLINE and not campaign.is_open:
        raise ValidationError(_("Applications for this team are closed."))
    if not consent:
        raise ValidationError(
            {"consent": _("Without your consent we cannot handle your application.")}
        )
    if "email" in fields:
        fields["email"] = fields["email"].strip().lower()
    application = _application_open(
        programme=programme, source=source, consent_text=consent, actor=actor, **fields
    )
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="application.received",
        obj=application,
        data={"source": source},
    )
    mail_queue(
        organisation=programme.organisation,
        programme=programme,
        to=application.email,
        to_name=application.name,
        template="recruitment/application_received",
        context={
            "application": application,
            "data_url": reverse_absolute(
                "recruitment:own_data",
                kwargs={
                    "org": programme.organisation.slug,
                    "token": applicant_token(application),
                },
            ),
        },
    )
    return application


# What the retention sweep deletes (or unlinks), by kind, as its audit entry counts them.
_RETENTION_KINDS = {
    Application._meta.label: "applications",
    ApplicationEvent._meta.label: "history_steps",
}


@transaction.atomic
def applications_delete_expired(*, today=None, created_before=None) -> int:
    """Delete applications past their retention date that did not lead to a team membership
    (the consent covered the selection only); returns how many rows went, the applications'
    history included.

    The periodic task runs this across every tenant. Each programme that lost applications
    gets one audit entry by the system (no actor), "retention.applications_deleted", with the
    counts per kind: applications, their history steps, and the survey answers that pointed
    at them (kept, without the link). The entry names no applicant: that is what was erased.
    """
    today = today or timezone.localdate()
    expired = Application.objects.filter(keep_until__lt=today)
    if created_before is not None:  # the client's own term (programmes.privacy), whichever first
        expired = Application.objects.filter(
            Q(keep_until__lt=today) | Q(created_at__lt=created_before)
        )
    expired = expired.exclude(stage=Stage.SELECTED)
    programmes = Programme.objects.filter(
        pk__in=expired.values("programme_id").distinct()
    ).select_related("organisation")
    total = 0
    for programme in programmes:
        mine = expired.filter(programme=programme)
        unlinked = SurveyResponse.objects.filter(application__in=mine).count()
        count, detail = mine.delete()
        if not count:
            continue
        counts = {kind: 0 for kind in _RETENTION_KINDS.values()}
        for label, n in detail.items():
            kind = _RETENTION_KINDS.get(label, label)
            counts[kind] = counts.get(kind, 0) + n
        counts["survey_responses_unlinked"] = unlinked
        audit_log(
            actor=None,
            organisation=programme.organisation,
            action="retention.applications_deleted",
            obj=programme,
            data={"kept_until_before": today.isoformat(), "deleted": counts},
        )
        total += count
    return total


# --- Duplicate applications ---------------------------------------------------------------

STAGE_ORDER = [Stage.APPLIED, Stage.INVITED, Stage.INTERVIEW, Stage.PROPOSED]
# What a merge carries over from the other application.
MERGED_FIELDS = (
    "email",
    "phone",
    "street",
    "house_number",
    "postcode",
    "motivation",
    "availability",
    "advice",
    "consent_text",
    "consent_at",
    "keep_until",
)


def _joined(first: str, second: str, limit: int) -> str:
    first, second = first.strip(), second.strip()
    if not second or second.lower() in first.lower():
        return first
    if not first:
        return second[:limit]
    return f"{first}\n\n{second}"[:limit]


@transaction.atomic
def applications_merge(*, actor: User, keep: Application, other: Application) -> Application:
    """Fold a second application of the same resident (`other`) into `keep`: what only the
    other has is carried over (contact details, motivation and availability, advice, survey
    answers, its history and notes, the newest consent and the longest retention), the
    furthest stage wins, and `other` is marked merged so it leaves every list."""
    pair = {
        a.pk: a for a in Application.objects.select_for_update().filter(pk__in=[keep.pk, other.pk])
    }
    keep, other = pair.get(keep.pk), pair.get(other.pk)
    if keep is None or other is None or keep.pk == other.pk:
        raise ValidationError(_("Choose two different applications."))
    if keep.programme_id != other.programme_id:
        raise ValidationError(_("Only applications for the same team can be merged."))
    if keep.merged_into_id or other.merged_into_id:
        raise ValidationError(_("One of these applications has been merged already."))
    if other.stage not in STAGE_ORDER[:-1] or keep.stage not in STAGE_ORDER[:-1]:
        raise ValidationError(
            _(
                "Applications that were proposed to the client or decided on cannot be merged. "
                "Take the proposal back first."
            )
        )
    previous = keep.stage
    carried = {
        field: getattr(other, field)
        for field in ("email", "phone", "street", "house_number", "postcode")
        if not getattr(keep, field).strip()
    }
    carried["motivation"] = _joined(keep.motivation, other.motivation, 3000)
    carried["availability"] = _joined(keep.availability, other.availability, 300)
    carried["advice"] = _joined(keep.advice, other.advice, 5000)
    if other.consent_at > keep.consent_at:
        carried["consent_text"], carried["consent_at"] = other.consent_text, other.consent_at
    carried["keep_until"] = max(keep.keep_until, other.keep_until)
    stage = previous
    if STAGE_ORDER.index(other.stage) > STAGE_ORDER.index(keep.stage):
        stage = other.stage
    # The other's history moves over first, so the merge step comes last in `keep`'s history.
    other.events.update(application=keep)
    if not SurveyResponse.objects.filter(application=keep).exists():
        SurveyResponse.objects.filter(application=other).update(application=keep)
    apply_changes(
        other,
        {"merged_into": keep, "merged_at": timezone.now()},
        allowed=("merged_into", "merged_at"),
    )
    other.save(update_fields=["merged_into", "merged_at"])
    # Not a move in the table: the furthest stage of the two, which both had reached.
    workflow_transition(
        workflow=APPLICATION_WORKFLOW,
        obj=keep,
        actor=actor,
        new=stage,
        check=None,
        fields=carried,
        allowed=MERGED_FIELDS,
        history={
            "note": _("Merged with the application of %(name)s of %(date)s.")
            % {
                "name": other.name,
                "date": formats.date_format(timezone.localtime(other.created_at), "j F Y"),
            }
        },
        action="application.merged",
        data={"merged": other.pk, "stage_from": previous, "stage": stage},
    )
    return keep
