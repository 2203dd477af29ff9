"""Effort: what each member did in a month, the obligation it is measured against, and the
reward handed to those who met it."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.models import Programme, User
from programmes.selectors import roster_member, schedulable_members
from programmes.services.common import apply_changes

from ..models import EffortRule, RewardHandout
from ..selectors.effort import Effort, efforts_of_members

EFFORT_RULE_FIELDS = (
    "min_rounds",
    "min_hours",
    "min_team_meetings",
    "count_activity_hours",
    "count_meeting_hours",
    "reward",
)


def month_bounds(year: int, month: int):
    """The start of `month` and of the month after, as aware datetimes in local time."""
    start = timezone.make_aware(dt.datetime(year, month, 1))
    end = timezone.make_aware(dt.datetime(year + month // 12, month % 12 + 1, 1))
    return start, end


def effort_for_month(
    *, programme: Programme, year: int, month: int, members=None, rules=None
) -> list[Effort]:
    """Each member held to the obligation's effort in a calendar month (only `members`' roster
    rows, e.g. one page of them, when given), by name: the measure of
    `patrols.selectors.effort` (a round counts in the month it started; its minutes are split
    at the month boundary, so a round from 23:00 on the last day to 01:00 gives one hour to
    each month; activity hours and attended team meetings as the rule says). `rules`: the
    programme's rule as `effort_rules` answers it, when the caller read it already."""
    if members is None:
        members = schedulable_members(programme=programme, on=dt.date(year, month, 1))
    return efforts_of_members(
        programme=programme, members=members, year=year, month=month, rules=rules
    )


def effort_of(*, programme: Programme, user: User, year: int, month: int) -> Effort | None:
    """`user`'s effort in a calendar month, computed for that member alone; None for someone
    not (or no longer) on the team."""
    member = roster_member(programme=programme, user=user)
    if member is None:
        return None
    (effort,) = efforts_of_members(programme=programme, members=[member], year=year, month=month)
    return effort


@transaction.atomic
def effort_rule_save(*, actor: User, programme: Programme, **fields) -> EffortRule:
    """Set the effort obligation and reward of a programme."""
    rule = EffortRule.objects.filter(programme=programme).first() or EffortRule(
        organisation=programme.organisation, programme=programme
    )
    created = rule.pk is None
    changed = apply_changes(rule, fields, allowed=EFFORT_RULE_FIELDS)
    if not created and not changed:
        return rule
    rule.full_clean(exclude=["organisation", "programme"])
    rule.save(update_fields=None if created else changed)
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="effort_rule.saved",
        obj=rule,
        data={k: str(v) for k, v in fields.items()},
    )
    return rule


@transaction.atomic
def reward_hand_out(
    *, actor: User, programme: Programme, user: User, year: int, month: int, handed_out: bool = True
):
    """Mark (or unmark) a member's reward for a month as handed out; only for a member who met
    the effort obligation that month. Taking the mark back is audited too."""
    first = dt.date(year, month, 1)
    if not handed_out:
        handout = RewardHandout.objects.filter(programme=programme, user=user, month=first).first()
        if handout is not None:
            audit_log(
                actor=actor,
                organisation=programme.organisation,
                action="reward.withdrawn",
                obj=handout,
                data={"member": user.pk, "month": first.isoformat()},
            )
            handout.delete()
        return None
    effort = effort_of(programme=programme, user=user, year=year, month=month)
    if effort is None or not effort.met:
        raise ValidationError(_("This member did not meet the effort obligation that month."))
    handout, created = RewardHandout.objects.get_or_create(
        organisation=programme.organisation,
        programme=programme,
        user=user,
        month=first,
        defaults={"handed_out_by": actor},
    )
    if created:
        audit_log(
            actor=actor,
            organisation=programme.organisation,
            action="reward.handed_out",
            obj=handout,
        )
    return handout
