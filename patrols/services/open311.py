"""Open311 channels: the client's service list fetched and mapped to our categories, and the
statuses of the requests we filed polled back into the signals' workflow.

Polling takes over each remote change once: a hand-off remembers the remote status and
updated_datetime it took over last, and a status moves the signal only when it differs from
the one known before (a request is "open" when it has just been filed). The move goes through
the same service as a status pushed to the inbound endpoint (`handoff_status_receive`: the
mapping of the channel, the signal's workflow, the note, the audit entry).
"""

import logging

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.models import User
from programmes.services.common import apply_changes

from ..handoff import inbound, open311
from ..models import SignalCategory
from ..models_handoff import Handoff, HandoffChannel
from ..workflow import OPEN_STATUSES
from .handoff import handoff_status_receive

logger = logging.getLogger(__name__)

# Hand-offs polled per channel and run (in batches of open311.BATCH), taking turns.
POLL_MAX = 500
# What a request is before the system says otherwise.
REMOTE_FILED = "open"


def _open311(channel: HandoffChannel) -> None:
    if channel.kind != HandoffChannel.Kind.OPEN311:
        raise ValidationError(_("This is not an Open311 channel."))


def _fetch_problem(error: "open311.Open311Error") -> str:
    """Why the list could not be had, in the user's language (the system's own words kept)."""
    if error.kind == error.REFUSED:
        return _("the address is not a public internet address, or cannot be found.")
    if error.kind == error.UNREACHABLE:
        return _("your system could not be reached, or did not answer in time.")
    if error.kind == error.STATUS:
        reason = _("your system answered with error %(status)s.") % {"status": error.status}
        if error.said:
            reason += " " + _("It says: “%(said)s”") % {"said": error.said}
        return reason
    return _("the answer is not an Open311 (GeoReport v2) service list.")


def open311_services_fetch(*, actor: User, channel: HandoffChannel) -> list[dict]:
    """Fetch the system's service list and keep it on the channel (for the mapping form).
    ValidationError with the reason when the system cannot be asked or answers no list.
    The call is made outside any transaction (it may take the timeouts), then written."""
    _open311(channel)
    try:
        services = open311.services_fetch(channel)
    except open311.Open311Error as error:
        raise ValidationError(
            _("The service list could not be fetched: %(reason)s")
            % {"reason": _fetch_problem(error)}
        ) from error
    with transaction.atomic():
        changed = apply_changes(
            channel,
            {"services": services, "services_fetched_at": timezone.now()},
            allowed=("services", "services_fetched_at"),
        )
        channel.save(update_fields=changed)
        audit_log(
            actor=actor,
            organisation=channel.organisation,
            action="handoff_channel.services_fetched",
            obj=channel,
            data={"services": len(services)},
        )
    return services


@transaction.atomic
def open311_services_map(
    *, actor: User, channel: HandoffChannel, mapping: dict[int, str]
) -> HandoffChannel:
    """Choose per category of ours the system's service (`mapping`: {category id: service
    code}, "" for none). Only codes of the fetched list and the client's own categories."""
    _open311(channel)
    codes = {s["code"] for s in channel.services}
    ours = set(
        SignalCategory.objects.filter(
            organisation_id=channel.organisation_id, pk__in=list(mapping)
        ).values_list("pk", flat=True)
    )
    service_map = {}
    for category_id, code in mapping.items():
        if not code:
            continue
        if category_id not in ours:
            raise ValidationError(_("Choose categories of your own teams."))
        if code not in codes:
            raise ValidationError(_("Choose one of the services your system offers."))
        service_map[str(category_id)] = code
    changed = apply_changes(channel, {"service_map": service_map}, allowed=("service_map",))
    if changed:
        channel.save(update_fields=changed)
        audit_log(
            actor=actor,
            organisation=channel.organisation,
            action="handoff_channel.services_mapped",
            obj=channel,
            data={"service_map": service_map},
        )
    return channel


def _remember(handoff: Handoff, **fields) -> None:
    changed = apply_changes(handoff, fields, allowed=tuple(fields))
    if changed:
        handoff.save(update_fields=changed)


def _take_over(channel: HandoffChannel, handoff: Handoff, remote: dict) -> bool:
    """Take one remote status over (once); True when the signal moved."""
    status, updated = remote["status"], remote["updated"]
    if status == handoff.remote_status and updated == handoff.remote_updated:
        return False
    moved = False
    with transaction.atomic():
        handoff = Handoff.objects.select_for_update().select_related("signal").get(pk=handoff.pk)
        if status == handoff.remote_status and updated == handoff.remote_updated:
            return False  # another poll took it over meanwhile
        known = handoff.remote_status or REMOTE_FILED
        ours = inbound.map_status(channel, status)
        if inbound.normal(status) != inbound.normal(known) and ours is not None:
            try:
                with transaction.atomic():
                    result = handoff_status_receive(
                        channel=channel,
                        handoff=handoff,
                        remote_status=status,
                        status=ours,
                        note=remote["notes"],
                    )
                    moved = result != "unchanged"
            except ValidationError as error:
                # The workflow does not allow it (e.g. closed here meanwhile): noted, not retried.
                logger.info("open311 %s: %s not taken over: %s", handoff.pk, status, error)
        _remember(handoff, remote_status=status[:50], remote_updated=updated[:50])
    return moved


def _resolve_tokens(channel: HandoffChannel, handoffs: list[Handoff]) -> None:
    for handoff in handoffs:
        try:
            request_id = open311.token_resolve(channel, handoff.remote_token)
        except open311.Open311Error as error:
            logger.info("open311 channel %s: token not resolved: %s", channel.pk, error)
            return
        if request_id:
            _remember(handoff, external_ref=request_id, remote_token="")


def _cursor_key(channel: HandoffChannel) -> str:
    return f"handoff:open311:cursor:{channel.pk}"


def _next_round(channel: HandoffChannel, handoffs) -> list[Handoff]:
    """At most POLL_MAX hand-offs, going on from where the last run stopped and wrapping
    around, so that with more open requests than a run reads none waits for ever. The
    place is kept in the cache: lost, the next run starts from the beginning."""
    key = _cursor_key(channel)
    cursor = cache.get(key) or 0
    chosen = list(handoffs.filter(pk__gt=cursor)[:POLL_MAX])
    if len(chosen) < POLL_MAX and cursor:
        chosen += list(handoffs.filter(pk__lte=cursor)[: POLL_MAX - len(chosen)])
    cache.set(key, chosen[-1].pk if chosen else 0, None)
    return chosen


def open311_poll(*, channel_id: int) -> int:
    """Poll one active Open311 channel (inside its tenant's scope): resolve the tokens still
    waiting, then read the statuses of the delivered requests whose signal is still open and
    take each change over once. Returns how many signals moved."""
    channel = HandoffChannel.objects.filter(
        pk=channel_id, kind=HandoffChannel.Kind.OPEN311, is_active=True
    ).first()
    if channel is None:
        return 0
    delivered = (
        Handoff.objects.filter(
            channel=channel, state=Handoff.State.DELIVERED, signal__status__in=OPEN_STATUSES
        )
        .select_related("signal", "signal__organisation")
        .order_by("pk")
    )
    waiting = list(delivered.filter(external_ref="").exclude(remote_token="")[: open311.BATCH])
    _resolve_tokens(channel, waiting)
    handoffs = _next_round(channel, delivered.exclude(external_ref=""))
    moved = 0
    for start in range(0, len(handoffs), open311.BATCH):
        batch = handoffs[start : start + open311.BATCH]
        try:
            remote = open311.statuses_fetch(channel, [h.external_ref for h in batch])
        except open311.Open311Error as error:
            logger.info("open311 channel %s: statuses not read: %s", channel.pk, error)
            break
        for handoff in batch:
            if handoff.external_ref in remote:
                moved += _take_over(channel, handoff, remote[handoff.external_ref])
    return moved


def open311_channels_to_poll() -> list[tuple[int, int]]:
    """(channel id, organisation id) of every active Open311 channel (the caller disables
    scoping: a sweep over every tenant)."""
    return list(
        HandoffChannel.objects.filter(kind=HandoffChannel.Kind.OPEN311, is_active=True)
        .order_by("pk")
        .values_list("pk", "organisation_id")
    )
