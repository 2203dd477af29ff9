"""Reads of the recruitment app that the pages share."""

from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Lower, Replace, Trim

from programmes.models import Programme

from .models import Application


def _squashed(field: str):
    """The field in lower case without spaces: "Jan  Jansen" and "jan jansen" are one name."""
    return Replace(Lower(field), Value(" "), Value(""))


def applications_for_selection(*, programme: Programme):
    """The programme's applications that were not merged into another, each annotated with
    the first other application that looks like the same resident: `duplicate_email_id` (the
    same e-mail address, case-insensitive) and `duplicate_address_id` (the same name and house
    number, at the same postcode or street). Found in SQL, in the one query of the list."""
    base = Application.objects.filter(programme=programme, merged_into__isnull=True).annotate(
        email_norm=Lower(Trim("email")),
        name_norm=_squashed("name"),
        house_norm=_squashed("house_number"),
        postcode_norm=_squashed("postcode"),
        street_norm=_squashed("street"),
    )
    others = base.exclude(pk=OuterRef("pk"))
    same_email = others.filter(email_norm=OuterRef("email_norm")).exclude(email_norm="")
    same_address = (
        others.filter(name_norm=OuterRef("name_norm"), house_norm=OuterRef("house_norm"))
        .exclude(name_norm="")
        .filter(
            (Q(postcode_norm=OuterRef("postcode_norm")) & ~Q(postcode_norm=""))
            | (Q(street_norm=OuterRef("street_norm")) & ~Q(street_norm=""))
        )
    )
    return base.annotate(
        duplicate_email_id=Subquery(_first_pk(same_email)),
        duplicate_address_id=Subquery(_first_pk(same_address)),
    )


def _first_pk(queryset):
    return queryset.order_by("created_at", "pk").values("pk")[:1]
