"""Signals: reported by a member (their photos: `.photos`), then followed up by the client's
staff through the workflow (`patrols.workflow`); the reporter hears when theirs is resolved."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.calendar import add_working_days
from programmes.links import reverse_absolute
from programmes.mail import mail_queue
from programmes.models import Programme, TeamMember, User
from programmes.services.workflow import Workflow, workflow_history_append, workflow_transition

from ..models import Round, Signal, SignalCategory, SignalEvent
from ..notifications import signal_assigned_notify, signal_reported_nudge, signal_status_notify
from ..workflow import CLOSED, Status, check_transition
from .confirmations import near_open_signal
from .handoff import handoffs_plan
from .records import _member, _reported, _store_once

# Where a signal keeps its status and its history, for the base's workflow transition.
SIGNAL_WORKFLOW = Workflow(
    state="status",
    history=SignalEvent,
    subject="signal",
    from_field="from_status",
    to_field="to_status",
    action="signal",
)


def signal_report(
    *,
    actor: User,
    programme: Programme,
    uuid,
    category: SignalCategory,
    description: str,
    reported_at,
    urgent=False,
    latitude=None,
    longitude=None,
    street="",
    house_number="",
    round_: Round | None = None,
    member: TeamMember | None = None,
):
    """Store a signal from a team member; the handling-time target follows its category.

    Only the category is required: a member on a round saves in a few taps, so the
    description and the place (position or street) are optional; a missing place is shown
    to the client as such rather than holding the signal back on the phone. Only a member
    ready for rounds reports. `member`: the reporter's roster row if the caller has just
    read it (checked again here, not looked up again).
    """
    _member(programme=programme, user=actor, ready=True, member=member)
    if category.programme_id != programme.pk or not category.is_active:
        raise ValidationError({"category": _("Choose a category of this team.")})
    if round_ is not None and round_.programme_id != programme.pk:
        raise ValidationError({"round": _("This round belongs to another team.")})
    if (latitude is None) != (longitude is None):
        raise ValidationError({"latitude": _("This position is not on the map.")})
    payload = {
        "programme": programme.pk,
        "category": category.pk,
        "description": description,
        "reported_at": reported_at.isoformat(),
        "urgent": bool(urgent),
        "latitude": None if latitude is None else f"{float(latitude):.6f}",
        "longitude": None if longitude is None else f"{float(longitude):.6f}",
        "street": street,
        "house_number": house_number,
        "round": str(round_.uuid) if round_ else None,
    }

    def create(digest):
        # Stored all the same (a queued offline signal is never dropped), flagged when an open
        # signal of its category lies close by: the client sees it may be the same thing. The
        # look-up rides in the insert; the stored value is read only when someone asks.
        same = near_open_signal(
            programme_id=programme.pk,
            category_id=category.pk,
            latitude=payload["latitude"],
            longitude=payload["longitude"],
        )
        signal = _reported(
            Signal,
            uuid=uuid,
            digest=digest,
            programme=programme,
            actor=actor,
            round_=round_,
            # All read in scope and checked above: the programme through the member's row.
            checked=(
                "organisation",
                "programme",
                "round",
                "category",
                "reported_by",
                "possible_duplicate_of",
            ),
            category=category,
            description=description.strip(),
            urgent=bool(urgent),
            latitude=payload["latitude"],
            longitude=payload["longitude"],
            street=street.strip(),
            house_number=house_number.strip(),
            reported_at=reported_at,
            due_date=add_working_days(timezone.localdate(reported_at), category.handling_days),
            possible_duplicate_of_id=same,
        )
        if same is not None:
            signal.__dict__.pop("possible_duplicate_of_id")  # deferred: read when asked
        workflow_history_append(
            workflow=SIGNAL_WORKFLOW, obj=signal, actor=actor, previous="", new=Status.NEW
        )
        audit_log(
            actor=actor, organisation=signal.organisation, action="signal.reported", obj=signal
        )
        handoffs_plan(signal=signal)  # to the client's own system, where a route says so
        signal_reported_nudge(signal=signal)  # urgent: the client's staff hear at once
        return signal

    return _store_once(Signal, uuid=uuid, payload=payload, create=create, look_first=False)


@transaction.atomic
def signal_transition(
    *, actor: User, signal: Signal, status: str, text: str = "", assigned_to: User | None = None
) -> Signal:
    """Move a signal through the workflow; the reporter hears when it is resolved."""
    signal = Signal.objects.select_for_update().get(pk=signal.pk)
    previous = signal.status
    previous_assignee = signal.assigned_to_id
    if status == previous and (assigned_to is None or assigned_to == signal.assigned_to):
        raise ValidationError({"status": _("Choose a new status or another colleague.")})

    def check(current: str, new: str) -> None:
        # Only a new status is a move in the table; handing the signal to a colleague is not.
        if new != current:
            check_transition(current, new, text)
        if assigned_to is not None and assigned_to.organisation_id != signal.organisation_id:
            raise ValidationError({"assigned_to": _("Assign the signal to a colleague.")})

    # Closed when it goes from open to closed; a closed signal handed to a colleague keeps the
    # day it was closed (its handling time); reopening clears it, so the figures count a
    # signal by its last close.
    if status not in CLOSED:
        closed_at = None
    elif previous in CLOSED:
        closed_at = signal.closed_at
    else:
        closed_at = timezone.now()
    fields = {"closed_at": closed_at}
    if assigned_to is not None:
        fields["assigned_to"] = assigned_to
    workflow_transition(
        workflow=SIGNAL_WORKFLOW,
        obj=signal,
        actor=actor,
        new=status,
        check=check,
        fields=fields,
        allowed=("assigned_to", "closed_at"),
        history={"assigned_to": assigned_to, "text": text.strip()},
    )
    if status == Status.FORWARDED and previous != Status.FORWARDED:
        handoffs_plan(signal=signal, actor=actor)
    signal_status_notify(signal=signal, previous=previous, text=text)
    if assigned_to is not None and assigned_to.pk not in (
        previous_assignee,
        getattr(actor, "pk", None),
    ):
        signal_assigned_notify(signal=signal, assignee=assigned_to)
    reporter = signal.reported_by  # None once the reporter's account was deleted
    if status == Status.RESOLVED and previous != Status.RESOLVED and reporter is not None:
        mail_queue(
            organisation=signal.organisation,
            programme=signal.programme,
            to=reporter.email,
            to_name=reporter.name,
            language=reporter.language,
            template="patrols/signal_resolved",
            context={
                "signal": signal,
                "text": text,
                "link": reverse_absolute(
                    "patrols:team_signal",
                    kwargs={"org": signal.organisation.slug, "signal_pk": signal.pk},
                ),
            },
        )
    return signal
