"""The recruitment campaign: its settings and consent text, channels and the door-to-door
round."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.models import Programme, User
from programmes.services.common import apply_changes

from ..models import Campaign, Channel, DoorVisit

CAMPAIGN_FIELDS = ("is_open", "intro", "headline", "material_text", "photo", "retention_months")


def consent_text(*, programme: Programme, campaign: Campaign) -> str:
    """The consent an applicant gives, in words they can read (stored with the application)."""
    return _(
        "I agree that %(consultancy)s and %(client)s use my name, contact details, address, "
        "motivation and availability to select the members of %(programme)s. They are not used "
        "for anything else and are deleted %(months)s months after my application if I am not "
        "selected."
    ) % {
        "consultancy": programme.organisation.consultancy.name,
        "client": programme.organisation.name,
        "programme": programme.name,
        "months": campaign.retention_months,
    }


def campaign_for(*, programme: Programme) -> Campaign:
    """The programme's recruitment campaign, made on first use (not audited: the empty
    defaults are nobody's decision; `campaign_save` is)."""
    campaign, _created = Campaign.objects.get_or_create(
        organisation=programme.organisation, programme=programme
    )
    return campaign


@transaction.atomic
def campaign_save(*, actor: User, programme: Programme, **fields) -> Campaign:
    """Save the campaign settings (open or closed, texts, photo, retention); the audit entry
    lists the fields that changed, and saving it unchanged records nothing."""
    campaign = campaign_for(programme=programme)
    changed = apply_changes(campaign, fields, allowed=CAMPAIGN_FIELDS)
    if not changed:
        return campaign
    campaign.full_clean(exclude=["organisation", "programme"])
    campaign.save(update_fields=changed)
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="campaign.saved",
        obj=campaign,
        data={"fields": changed},
    )
    return campaign


@transaction.atomic
def channel_add(*, actor: User, programme: Programme, kind: str, date, reach: str = ""):
    """Note a channel the campaign used (a flyer round, an article, a stand) and its reach."""
    channel = Channel(
        organisation=programme.organisation,
        programme=programme,
        kind=kind,
        date=date,
        reach=reach.strip(),
    )
    channel.full_clean()
    channel.save()
    audit_log(actor=actor, organisation=programme.organisation, action="channel.added", obj=channel)
    return channel


@transaction.atomic
def door_visit_log(
    *,
    actor: User,
    programme: Programme,
    street: str,
    house_number: str,
    outcome: str,
    note: str = "",
) -> DoorVisit:
    """Log a door; knocking on the same door again updates its outcome."""
    street, house_number = street.strip(), house_number.strip().upper()
    visit = DoorVisit.objects.filter(
        programme=programme, street__iexact=street, house_number=house_number
    ).first() or DoorVisit(
        organisation=programme.organisation,
        programme=programme,
        street=street,
        house_number=house_number,
    )
    again = visit.pk is not None
    apply_changes(
        visit,
        {
            "outcome": outcome,
            "note": note.strip(),
            "visited_by": actor,
            "visited_at": timezone.now(),
        },
        allowed=("outcome", "note", "visited_by", "visited_at"),
    )
    visit.full_clean()
    visit.save()
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="door.visited_again" if again else "door.visited",
        obj=visit,
        data={"outcome": outcome},
    )
    return visit
