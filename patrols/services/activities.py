"""Activities a member logs besides rounds (informing the neighbours, an initiative, a
meeting with a partner), with their hours: they count towards the effort obligation when the
programme's rule says so (`patrols.selectors.effort`)."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.input import validate_date_range
from programmes.models import Programme, User

from ..models import ACTIVITY_MAX_HOURS, ACTIVITY_MIN_HOURS, Activity
from .records import _member

# How far back a member may log an activity: last month's work is logged early this month.
ACTIVITY_MAX_AGE_DAYS = 62


@transaction.atomic
def activity_log(
    *,
    actor: User,
    programme: Programme,
    kind: str,
    hours,
    date: dt.date | None = None,
    description: str = "",
) -> Activity:
    """Log an activity of `actor` (a member of `programme`) on `date` (today in
    Europe/Amsterdam when not given: an activity logged at 23:30 on 31 October is October's)
    with its hours, a quarter of an hour to a day. Not in the future, nor longer ago than
    ACTIVITY_MAX_AGE_DAYS."""
    _member(programme=programme, user=actor)
    today = timezone.localdate()
    date = date or today
    try:
        validate_date_range(date)
    except ValidationError as error:
        raise ValidationError({"date": error.messages}) from None
    if date > today:
        raise ValidationError({"date": _("An activity is logged once it took place.")})
    if date < today - dt.timedelta(days=ACTIVITY_MAX_AGE_DAYS):
        raise ValidationError(
            {"date": _("Log activities of the last %(n)s days.") % {"n": ACTIVITY_MAX_AGE_DAYS}}
        )
    try:
        hours = Decimal(str(hours)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"hours": _("Enter a number of hours.")}) from None
    if not ACTIVITY_MIN_HOURS <= hours <= ACTIVITY_MAX_HOURS:
        raise ValidationError({"hours": _("Enter between a quarter of an hour and 24 hours.")})
    activity = Activity(
        organisation=programme.organisation,
        programme=programme,
        user=actor,
        kind=kind,
        date=date,
        hours=hours,
        description=(description or "").strip(),
    )
    activity.full_clean(exclude=["organisation", "programme", "user"])
    activity.save()
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="activity.logged",
        obj=activity,
        data={"kind": kind, "hours": str(hours), "date": date.isoformat()},
    )
    return activity
