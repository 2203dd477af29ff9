"""The kickoff: gear sizes and what was handed out, the streets for the introduction flyer,
and the team's introduction (photo and how to reach the team)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.files import file_delete_on_commit
from programmes.images import reencode_image
from programmes.models import Programme, User
from programmes.selectors import is_on_roster, roster
from programmes.services.common import apply_changes

from ..models import Gear, StreetAssignment, TeamIntroduction


@transaction.atomic
def gear_sizes_save(
    *, user: User, programme: Programme, bodywarmer_size: str, shirt_size: str
) -> Gear:
    """A member chooses their bodywarmer and shirt sizes, for the order list; choosing the
    same sizes again records nothing."""
    if not is_on_roster(programme=programme, user=user):
        raise ValidationError(_("Only members of this team order gear."))
    gear, _created = Gear.objects.get_or_create(
        organisation=programme.organisation, programme=programme, user=user
    )
    changed = apply_changes(
        gear,
        {"bodywarmer_size": bodywarmer_size, "shirt_size": shirt_size},
        allowed=("bodywarmer_size", "shirt_size"),
    )
    if not changed:
        return gear
    gear.full_clean(exclude=["organisation", "programme", "user"])
    gear.save(update_fields=changed)
    audit_log(
        actor=user,
        organisation=programme.organisation,
        action="gear.sizes_chosen",
        obj=gear,
        data={"bodywarmer": gear.bodywarmer_size, "shirt": gear.shirt_size},
    )
    return gear


GEAR_ITEMS = ("bodywarmer_given", "shirt_given", "certificate_given", "folder_given")


@transaction.atomic
def gear_hand_out(*, actor: User, gear: Gear, item: str, given: bool) -> Gear:
    """Tick (or untick) one thing handed out at the kickoff: bodywarmer, shirt, certificate
    or information folder."""
    if item not in GEAR_ITEMS:
        raise ValidationError(_("Unknown item."))
    if apply_changes(gear, {item: given}, allowed=GEAR_ITEMS):
        gear.save(update_fields=[item])
        audit_log(
            actor=actor,
            organisation=gear.organisation,
            action="gear.handed_out",
            obj=gear,
            data={"item": item, "given": given},
        )
    return gear


@transaction.atomic
def gear_hand_out_to(
    *, actor: User, programme: Programme, user: User, item: str, given: bool
) -> Gear:
    """`gear_hand_out` for a member, also one who has not chosen sizes (yet): a certificate
    and a folder need no size."""
    if not is_on_roster(programme=programme, user=user):
        raise ValidationError(_("Only members of this team receive gear."))
    gear, _created = Gear.objects.get_or_create(
        organisation=programme.organisation, programme=programme, user=user
    )
    return gear_hand_out(actor=actor, gear=gear, item=item, given=given)


def gear_order_list(*, programme: Programme) -> dict:
    """How many bodywarmers and shirts of each size to order, counted in one SQL query:
    {"bodywarmer": [(size, n), ...], "shirt": [...], "bodywarmer_total": n, "shirt_total": n}."""
    sizes = Gear.Size.values
    fields = {"bodywarmer": "bodywarmer_size", "shirt": "shirt_size"}
    row = Gear.objects.filter(programme=programme).aggregate(
        **{
            f"{key}_{i}": Count("id", filter=Q(**{field: size}))
            for key, field in fields.items()
            for i, size in enumerate(sizes)
        }
    )
    order = {}
    for key in fields:
        order[key] = [(size, row[f"{key}_{i}"]) for i, size in enumerate(sizes)]
        order[f"{key}_total"] = sum(n for _size, n in order[key])
    return order


def street_coverage(*, programme: Programme) -> dict:
    """{"delivered": n, "total": n}: how many of the streets got the introduction flyer."""
    return StreetAssignment.objects.filter(programme=programme).aggregate(
        total=Count("id"), delivered=Count("id", filter=Q(delivered_at__isnull=False))
    )


MAX_STREETS = 1000


def _clean_streets(streets: list[str]) -> list[str]:
    cleaned = [s.strip() for s in dict.fromkeys(s.strip() for s in streets) if s.strip()]
    too_long = [s for s in cleaned if len(s) > 200]
    if too_long:
        raise ValidationError(
            _("A street name is at most 200 characters: %(street)s")
            % {"street": too_long[0][:40] + "…"}
        )
    if len(cleaned) > MAX_STREETS:
        raise ValidationError(_("At most %(n)s streets at a time.") % {"n": MAX_STREETS})
    return cleaned


@transaction.atomic
def streets_save(*, actor: User, programme: Programme, streets: list[str]) -> tuple[int, int]:
    """Make the list of streets for the flyer this list: new streets are divided among the
    team, listed ones keep their member and delivery, and streets left out are dropped unless
    they were delivered already. Returns (added, removed)."""
    wanted = _clean_streets(streets)
    removable = StreetAssignment.objects.filter(
        programme=programme, delivered_at__isnull=True
    ).exclude(street__in=wanted)
    removed, _detail = removable.delete()
    added = _streets_divide(programme=programme, streets=wanted) if wanted else 0
    if added or removed:
        audit_log(
            actor=actor,
            organisation=programme.organisation,
            action="streets.saved",
            obj=programme,
            data={"added": added, "removed": removed},
        )
    return added, removed


@transaction.atomic
def streets_divide(*, actor: User, programme: Programme, streets: list[str]) -> int:
    """Divide the streets among the active members in turn; streets already given keep their
    member. Returns how many new streets were given out (audited as "streets.divided" when
    there were any; `streets_save` records its own entry)."""
    added = _streets_divide(programme=programme, streets=streets)
    if added:
        audit_log(
            actor=actor,
            organisation=programme.organisation,
            action="streets.divided",
            obj=programme,
            data={"added": added},
        )
    return added


def _streets_divide(*, programme: Programme, streets: list[str]) -> int:
    members = list(roster(programme=programme).values_list("user_id", flat=True))
    if not members:
        raise ValidationError(_("There are no team members to divide the streets among."))
    known = set(
        StreetAssignment.objects.filter(programme=programme).values_list("street", flat=True)
    )
    new = [s for s in _clean_streets(streets) if s not in known]
    StreetAssignment.objects.bulk_create(
        StreetAssignment(
            organisation=programme.organisation,
            programme=programme,
            street=street,
            user_id=members[i % len(members)],
        )
        for i, street in enumerate(new)
    )
    return len(new)


@transaction.atomic
def street_delivered(
    *, user: User, assignment: StreetAssignment, delivered: bool
) -> StreetAssignment:
    """A member ticks (or unticks) a street of theirs as delivered; others' streets refused.
    Ticking it again records the new moment; unticking an open street records nothing."""
    if assignment.user_id != user.pk:
        raise ValidationError(_("This street is someone else's."))
    changed = apply_changes(
        assignment,
        {"delivered_at": timezone.now() if delivered else None},
        allowed=("delivered_at",),
    )
    if changed:
        assignment.save(update_fields=changed)
        audit_log(
            actor=user,
            organisation=assignment.organisation,
            action="street.delivered" if delivered else "street.undelivered",
            obj=assignment,
        )
    return assignment


def introduction_for(*, programme: Programme):
    """The team's introduction (photo and contact), or an unsaved empty one."""
    return TeamIntroduction.objects.filter(programme=programme).first() or TeamIntroduction(
        organisation=programme.organisation, programme=programme
    )


@transaction.atomic
def introduction_save(*, actor: User, programme: Programme, contact: str, photo=None):
    """The team photo (checked and re-encoded, without EXIF) and how to reach the team."""
    intro = introduction_for(programme=programme)
    old_photo = intro.photo.name
    if contact.strip():
        apply_changes(intro, {"contact": contact.strip()}, allowed=("contact",))
    if photo is not None:
        image = reencode_image(
            photo,
            max_bytes=15 * 1024 * 1024,
            max_side=2400,
            allowed=("JPEG", "PNG", "HEIF"),
            output="JPEG",
        )
        intro.photo.save(image.name, image, save=False)
    intro.save()
    if old_photo and old_photo != intro.photo.name:
        file_delete_on_commit(old_photo)  # the replaced photo, once this is committed
    audit_log(
        actor=actor, organisation=programme.organisation, action="introduction.saved", obj=intro
    )
    return intro
