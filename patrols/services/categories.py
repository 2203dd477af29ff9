"""The signal categories of a programme: the defaults a new team starts from, and edits."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from programmes.audit import audit_log
from programmes.models import Programme, User

from ..models import SignalCategory

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
    """The programme's categories, made from the defaults (in Dutch) when it has none."""
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
    """Add or change a signal category of a programme."""
    if category is None:
        category = SignalCategory(
            organisation=programme.organisation, programme=programme, parent=parent
        )
    for name, value in fields.items():
        setattr(category, name, value)
    if category.parent_id and category.parent.programme_id != programme.pk:
        raise ValidationError({"parent": _("Choose a category of this team.")})
    category.full_clean(exclude=["organisation", "programme"])
    category.save()
    audit_log(
        actor=actor, organisation=programme.organisation, action="category.saved", obj=category
    )
    return category
