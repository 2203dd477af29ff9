"""Effort: what each member did in a month, the obligation it is measured against, and the
reward handed to those who met it."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.models import Invitee, Meeting, Programme, User
from programmes.selectors import roster, roster_member
from programmes.services.common import apply_changes

from ..models import EffortRule, RewardHandout, Round

EFFORT_RULE_FIELDS = ("min_rounds", "min_hours", "min_team_meetings", "reward")


@dataclass
class Effort:
    """One member's rounds, hours and team meetings in a month, and whether that met the rule."""

    user: User
    rounds: int = 0
    minutes: float = 0
    team_meetings: int = 0
    met: bool = False

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def month_bounds(year: int, month: int):
    """The start of `month` and of the month after, as aware datetimes in local time."""
    start = timezone.make_aware(dt.datetime(year, month, 1))
    end = timezone.make_aware(dt.datetime(year + month // 12, month % 12 + 1, 1))
    return start, end


def _efforts(*, programme: Programme, members, start, end) -> list[Effort]:
    """The efforts of `members` (roster rows) between `start` and `end`, in their order, from
    two grouped queries: the database sums the rounds and minutes per walker and counts the
    team meetings per member; nothing per round or per member is loaded into Python."""
    efforts = {m.user_id: Effort(user=m.user) for m in members}
    if not efforts:
        return []
    start_value = Value(start, output_field=DateTimeField())
    end_value = Value(end, output_field=DateTimeField())
    walked = (
        Round.walkers.through.objects.filter(
            round__programme=programme,
            round__ended_at__isnull=False,
            round__started_at__lt=end,
            round__ended_at__gt=start,
            user_id__in=list(efforts),
        )
        .values("user_id")
        .annotate(
            n_rounds=Count("round_id", filter=Q(round__started_at__gte=start)),
            walked=Sum(
                ExpressionWrapper(
                    Least(F("round__ended_at"), end_value)
                    - Greatest(F("round__started_at"), start_value),
                    output_field=DurationField(),
                )
            ),
        )
        .order_by()
    )
    for row in walked:
        effort = efforts[row["user_id"]]
        effort.rounds = row["n_rounds"]
        effort.minutes = row["walked"].total_seconds() / 60 if row["walked"] else 0
    attended = (
        Invitee.objects.filter(
            meeting__programme=programme,
            meeting__kind=Meeting.Kind.TEAM,
            attended=True,
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=end,
            user_id__in=list(efforts),
        )
        .values("user_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in attended:
        efforts[row["user_id"]].team_meetings = row["n"]
    rule = getattr(programme, "effort_rule", None)
    for effort in efforts.values():
        effort.met = rule is not None and (
            effort.rounds >= rule.min_rounds
            and effort.minutes >= float(rule.min_hours) * 60
            and effort.team_meetings >= rule.min_team_meetings
        )
    return list(efforts.values())


def effort_for_month(*, programme: Programme, year: int, month: int, members=None) -> list[Effort]:
    """Each active member's effort in a calendar month (only `members`' roster rows, e.g. one
    page of them, when given), by name. A round counts in the month it started; its minutes
    are split at the month boundary, so a round from 23:00 on the last day to 01:00 gives one
    hour to each month."""
    start, end = month_bounds(year, month)
    if members is None:
        members = roster(programme=programme)
    return _efforts(programme=programme, members=members, start=start, end=end)


def effort_of(*, programme: Programme, user: User, year: int, month: int) -> Effort | None:
    """`user`'s effort in a calendar month, computed for that member alone; None for someone
    not (or no longer) on the team."""
    member = roster_member(programme=programme, user=user)
    if member is None:
        return None
    start, end = month_bounds(year, month)
    (effort,) = _efforts(programme=programme, members=[member], start=start, end=end)
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
