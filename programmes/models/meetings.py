"""Meetings of a programme and the people invited to them, with a waiting list."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .programme import Programme
from .tenant import TenantModel


class Meeting(TenantModel):
    class Kind(models.TextChoices):
        INFORMATION = "information", _("Information meeting")
        INTRODUCTION = "introduction", _("Introduction meeting")
        WORKSHOP = "workshop", _("Workshop")
        INSTRUCTION = "instruction", _("Instruction meeting")
        KICKOFF = "kickoff", _("Kickoff")
        TEAM = "team", _("Team meeting")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("place"), max_length=200)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("The number of places, guests included. Empty: no limit."),
    )
    description = models.TextField(_("description"), blank=True)
    series = models.ForeignKey(
        "MeetingSeries",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("series"),
    )
    agenda = models.TextField(_("agenda"), blank=True, max_length=10000)
    notes = models.TextField(_("notes"), blank=True, max_length=20000)
    notes_saved_at = models.DateTimeField(_("notes saved"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Invitee(TenantModel):
    """A person invited to a meeting, with or without an account.

    The reply link carries a random token of which only the hash is stored; it answers for this
    invitee only.
    """

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Coming")
        WAITLISTED = "waitlisted", _("On the waiting list")
        DECLINED = "declined", _("Not coming")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=8, default="nl")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.INVITED
    )
    guests = models.PositiveSmallIntegerField(_("guests"), default=0)
    responded_at = models.DateTimeField(null=True, blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("invitee")
        verbose_name_plural = _("invitees")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "email"], name="one_invitation_per_email")
        ]
        # The meeting's page lists its invitees a page at a time in this order.
        indexes = [
            models.Index(
                fields=["organisation", "meeting", "status", "waitlisted_at", "name", "id"],
                name="invitee_meeting_order",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def seats(self) -> int:
        return 1 + self.guests


class MeetingSeries(TenantModel):
    """Team meetings that recur: monthly on the nth weekday (the first Tuesday) or every few
    weeks on a weekday, at one local time (Europe/Amsterdam), so 19:30 stays 19:30 when the
    clocks change. Its meetings are ordinary `Meeting` rows made when the series is planned,
    bounded to `MAX_MEETINGS` and two years."""

    MAX_MEETINGS = 60
    MAX_YEARS = 2

    class Rule(models.TextChoices):
        MONTHLY = "monthly", _("Monthly, on a weekday of the month")
        WEEKS = "weeks", _("Every few weeks")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    class Nth(models.IntegerChoices):
        FIRST = 1, _("first")
        SECOND = 2, _("second")
        THIRD = 3, _("third")
        FOURTH = 4, _("fourth")
        LAST = -1, _("last")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="meeting_series"
    )
    title = models.CharField(_("title"), max_length=200)
    location = models.CharField(_("place"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    rule = models.CharField(_("repeats"), max_length=10, choices=Rule.choices)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    nth = models.SmallIntegerField(
        _("which one of the month"), choices=Nth.choices, null=True, blank=True
    )
    interval_weeks = models.PositiveSmallIntegerField(
        _("every how many weeks"), null=True, blank=True
    )
    first_date = models.DateField(_("from"))
    until = models.DateField(_("until"))
    start_time = models.TimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration in minutes"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        ordering = ["first_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__gte=models.F("first_date")),
                name="meeting_series_until_after_first",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Agreement(TenantModel):
    """Something agreed at a meeting: what, who does it, by when. An open agreement is
    followed up at the next meeting of its series (or the programme's next team meeting):
    `follow_up` points there and moves on, counted in `times_carried`, while it stays open."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="agreements")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agreements")
    follow_up = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements_to_follow_up",
        verbose_name=_("followed up at"),
    )
    text = models.CharField(_("agreement"), max_length=500)
    owner_name = models.CharField(_("who"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField(_("by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    times_carried = models.PositiveSmallIntegerField(_("carried over"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["programme", "status"], name="agreement_prog_status")]

    def __str__(self) -> str:
        return self.text
