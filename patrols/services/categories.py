"""The signal categories of a programme: the defaults a new team starts from, and edits."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from programmes.audit import audit_log
from programmes.models import Programme, User
from programmes.services.common import apply_changes

from ..models import SignalCategory

CATEGORY_FIELDS = ("name", "handling_days", "position", "is_active")

# Default categories (seeds: what teams signal), two levels; each programme can edit its own.
DEFAULT_CATEGORIES = [
    (
        gettext_noop("Litter and bulky waste"),
        5,
        [gettext_noop("Bulky waste"), gettext_noop("Litter")],
    ),
    (gettext_noop("Lighting"), 10, []),
    (gettext_noop("Leak or damage"), 3, []),
    (gettext_noop("Bikes or belongings on galleries"), 10, []),
    (gettext_noop("Vandalism or graffiti"), 10, []),
    (gettext_noop("Nuisance"), 5, []),
    (gettext_noop("Unsafe situation"), 1, []),
    (gettext_noop("Other"), 10, []),
]


@transaction.atomic
def categories_ensure(*, programme: Programme) -> list[SignalCategory]:
    """The programme's categories, made from the defaults (in Dutch) when it has none.

    Not audited: defaults made on first use are nobody's decision; a change to one is."""
    existing = list(programme.signal_categories.all())
    if existing:
        return existing
    made = []
    with translation.override("nl"):
        for position, (name, days, children) in enumerate(DEFAULT_CATEGORIES):
            parent = SignalCategory.objects.create(
                organisation=programme.organisation,
                programme=programme,
                name=_(name),
                handling_days=days,
                position=position,
            )
            made.append(parent)
            for child_position, child in enumerate(children):
                made.append(
                    SignalCategory.objects.create(
                        organisation=programme.organisation,
                        programme=programme,
                        parent=parent,
                        name=_(child),
                        handling_days=days,
                        position=child_position,
                    )
                )
    return made


@transaction.atomic
def category_save(
    *, actor: User, programme: Programme, category=None, parent=None, **fields
) -> SignalCategory:
    """Add or change a signal category of a programme; a change that changes nothing is not
    saved (nor audited). The audit entry lists the fields that changed."""
    created = category is None
    if created:
        category = SignalCategory(
            organisation=programme.organisation, programme=programme, parent=parent
        )
    changed = apply_changes(category, fields, allowed=CATEGORY_FIELDS)
    if not created and not changed:
        return category
    if category.parent_id and category.parent.programme_id != programme.pk:
        raise ValidationError({"parent": _("Choose a category of this team.")})
    category.full_clean(exclude=["organisation", "programme"])
    category.save(update_fields=None if created else changed)
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="category.saved",
        obj=category,
        data={"fields": changed},
    )
    return category
