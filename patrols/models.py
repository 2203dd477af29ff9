"""Patrol rounds, signals, conversations and the effort obligation.

Records made on a phone carry a `uuid` the phone made; the server stores each once however
often it is sent, and keeps a hash of what was sent to tell a resend from a different record.

History outlives what it belongs to: a programme with rounds, signals, conversations, rewards
or activities cannot be deleted (`on_delete=PROTECT`; a programme ends by being closed), and
a deleted account leaves its records with no name (`SET_NULL`).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Floor
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import Programme, TenantModel

from .workflow import CLOSED, OPEN_STATUSES, Status


class SignalCategory(TenantModel):
    """A kind of signal, in two levels (a main category and its sub-categories)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="signal_categories"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("main category"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=100)
    handling_days = models.PositiveSmallIntegerField(_("handling time in working days"), default=5)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("signal category")
        verbose_name_plural = _("signal categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name


class EffortRule(TenantModel):
    """The effort obligation of a programme's members per calendar month, and the reward."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="effort_rule"
    )
    min_rounds = models.PositiveSmallIntegerField(_("rounds a month"), default=2)
    min_hours = models.DecimalField(_("hours a month"), max_digits=5, decimal_places=1, default=0)
    min_team_meetings = models.PositiveSmallIntegerField(_("team meetings a month"), default=0)
    # What else counts towards the hours a month besides the rounds' own time: the hours of
    # other activities a member logged, and the time of the team meetings they attended.
    count_activity_hours = models.BooleanField(
        _("activity hours count towards the hours"), default=True
    )
    count_meeting_hours = models.BooleanField(
        _("attended team meetings count towards the hours"), default=True
    )
    reward = models.CharField(_("reward"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("effort obligation")
        verbose_name_plural = _("effort obligations")

    def __str__(self) -> str:
        return str(self.programme)


# A round is walked by at least two members unless its schedule says otherwise.
DEFAULT_MIN_WALKERS = 2


class RoundSlot(TenantModel):
    """A scheduled round that team members sign up for."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="round_slots")
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration in minutes"), default=90)
    meeting_point = models.CharField(_("meeting point"), max_length=200)
    area = models.CharField(_("area"), max_length=200, blank=True)
    min_walkers = models.PositiveSmallIntegerField(
        _("minimum number of walkers"), default=DEFAULT_MIN_WALKERS
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("scheduled round")
        verbose_name_plural = _("scheduled rounds")
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M} {self.meeting_point}"


class RoundSignup(TenantModel):
    slot = models.ForeignKey(RoundSlot, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="round_signups"
    )
    created_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["slot", "user"], name="one_signup_per_slot")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.slot}"


class PhoneRecord(models.Model):
    """Fields of every record a phone sends: its own id and a hash of what it sent."""

    uuid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    payload_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class Round(PhoneRecord, TenantModel):
    """A round walked: who walked it, when it started and ended, and how it ended: a round
    with nothing to report is a round walked all the same (it counts for effort)."""

    class Outcome(models.TextChoices):
        NOTHING = "nothing", _("Nothing to report")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="rounds")
    slot = models.ForeignKey(
        RoundSlot, on_delete=models.SET_NULL, null=True, blank=True, related_name="rounds"
    )
    # Rounds, signals and conversations are the programme's history: they stay (without a
    # name) when the account of whoever walked or reported them is deleted.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    walkers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="rounds_walked")
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # The minimum that applied when the round started: its scheduled round's, or the default
    # (the rules: never alone). Kept with the round so a later change to the schedule does not
    # rewrite history; `too_few_walkers` compares it with the walkers.
    min_walkers = models.PositiveSmallIntegerField(
        _("minimum number of walkers"), default=DEFAULT_MIN_WALKERS
    )
    # Said when the round ended: empty when the walkers did not say (their signals and
    # conversations tell), "nothing" for a round that found nothing to report.
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, blank=True, default=""
    )
    remark = models.CharField(_("remark"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-started_at"]
        # The rounds page: a programme's rounds newest first, a page at a time.
        indexes = [
            models.Index(fields=["programme", "-started_at", "-id"], name="round_programme_newest")
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    @property
    def duration(self):
        return (self.ended_at - self.started_at) if self.ended_at else None

    @property
    def minutes(self) -> int | None:
        return round(self.duration.total_seconds() / 60) if self.ended_at else None

    @property
    def walker_count(self) -> int:
        """The number of walkers: the `n_walkers` annotation when the query made one."""
        n = getattr(self, "n_walkers", None)
        return self.walkers.count() if n is None else n

    @property
    def too_few_walkers(self) -> bool:
        """Walked with fewer walkers than the minimum."""
        return self.walker_count < self.min_walkers


def latitude_band(latitude):
    """The band of latitude (a thousandth of a degree, about 111 m) an expression's position
    lies in. The addresses within 75 m of a point lie in the point's band or the one north or
    south of it: equality on the band lets the index "signal_addresses_nearby" narrow by
    longitude too, where a range of latitude would read a whole strip of the programme."""
    return Floor(latitude * 1000)


class Signal(PhoneRecord, TenantModel):
    """Something a team member saw that needs follow-up by the client."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="signals")
    round = models.ForeignKey(
        Round, on_delete=models.SET_NULL, null=True, blank=True, related_name="signals"
    )
    category = models.ForeignKey(
        SignalCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("description"), max_length=2000, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    house_number = models.CharField(_("house number"), max_length=20, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="signals_reported",
    )
    reported_at = models.DateTimeField(_("reported"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signals_assigned",
    )
    # The client's department a route assigned the signal to (patrols.models_handoff).
    assigned_department = models.ForeignKey(
        "patrols.Department",
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signals",
    )
    due_date = models.DateField(_("to be handled by"))
    closed_at = models.DateTimeField(null=True, blank=True)
    # An open signal of the same category close by when this one arrived: the member may have
    # reported the same thing again (a queued offline signal is stored all the same, flagged).
    possible_duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("possibly the same as"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        ordering = ["-reported_at"]
        indexes = [
            models.Index(fields=["programme", "status", "-reported_at"]),
            # The notification sweeps read across tenants: the signals of the last day
            # (`signals_notify_new`, every 5 minutes) and the open ones just past their date
            # (`signals_notify_overdue`, hourly), each a short range of one index.
            models.Index(fields=["created_at"], name="signal_created"),
            models.Index(
                fields=["due_date"], condition=Q(status__in=OPEN_STATUSES), name="signal_open_due"
            ),
            # What waits for the client: open, urgent and overdue counts and filters.
            models.Index(
                fields=["organisation", "status", "urgent", "due_date"], name="signal_open_work"
            ),
            # The client's list: this tenant's signals newest first (and the keyset "older
            # than this one" at any depth), with or without a status filter.
            models.Index(fields=["organisation", "-reported_at", "-id"], name="signal_org_newest"),
            models.Index(
                fields=["organisation", "status", "-reported_at", "-id"],
                name="signal_org_status_newest",
            ),
            # The map: the newest signals with a position.
            models.Index(
                fields=["organisation", "-reported_at", "-id"],
                condition=Q(latitude__isnull=False),
                name="signal_org_newest_placed",
            ),
            # The nearest earlier address of a signal given without a street
            # (selectors.nearest_addresses): the columns after longitude only let the query
            # be answered from the index alone (INCLUDE would warn on SQLite).
            models.Index(
                F("programme"),
                latitude_band(F("latitude")),
                F("longitude"),
                F("latitude"),
                F("reported_at"),
                F("street"),
                F("house_number"),
                condition=Q(street__gt=""),
                name="signal_addresses_nearby",
            ),
            # The round screen: a programme's open signals with a position, newest first; and
            # the check of a new signal against an open one of its category close by.
            models.Index(
                fields=["programme", "-reported_at", "-id"],
                condition=Q(status__in=OPEN_STATUSES, latitude__isnull=False),
                name="signal_open_placed",
            ),
            models.Index(
                fields=["programme", "category", "latitude"],
                condition=Q(status__in=OPEN_STATUSES, latitude__isnull=False),
                name="signal_open_same_category",
            ),
            # The signals closed in a period (the figures' handling times, their summaries'
            # refresh after a reopen).
            models.Index(
                fields=["organisation", "closed_at"],
                condition=Q(closed_at__isnull=False),
                name="signal_org_closed",
            ),
        ]

    def __str__(self) -> str:
        if not self.description:
            return str(self.category)
        return f"{self.category}: {self.description[:40]}"

    @property
    def is_overdue(self) -> bool:
        return self.status not in CLOSED and self.due_date < timezone.localdate()


class PhotoReview(models.TextChoices):
    PENDING = "pending", _("not reviewed yet")
    BLURRED = "blurred", _("blurred")
    CLEAR = "clear", _("nothing to blur")


# The reviews after which the client's staff may see a photo.
RELEASED_REVIEWS = (PhotoReview.BLURRED, PhotoReview.CLEAR)


class SignalPhoto(PhoneRecord, TenantModel):
    """A photo of a signal. The upload is kept as received (`original`, with whatever
    metadata the phone put in it, GPS included) only until a task has re-encoded it into
    `image`; until then, and when that failed, nothing of it is served to anybody."""

    class Status(models.TextChoices):
        PROCESSING = "processing", _("being processed")
        READY = "ready", _("ready")
        FAILED = "failed", _("could not be processed")

    Review = PhotoReview

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="photos")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROCESSING
    )
    # The upload as received: never served, deleted once processed (or given up on).
    original = models.FileField(upload_to="signals/incoming/", blank=True)
    image = models.ImageField(upload_to="signals/%Y/%m/", blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    # The re-encoding's attempts (the task's retries and the sweep's together), as documents.
    attempts = models.PositiveSmallIntegerField(default=0)
    attempted_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The consultancy's look before the client sees it (faces, house numbers, number plates
    # blurred, or nothing to blur): the client's staff and the service desk get a photo only
    # once it is reviewed (`released`). See patrols/services/photo_review.py.
    review = models.CharField(
        _("review"), max_length=12, choices=Review.choices, default=Review.PENDING
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            # The sweep: photos still being processed, oldest first.
            models.Index(
                fields=["created_at"],
                condition=Q(status="processing"),
                name="signalphoto_processing",
            ),
        ]

    def __str__(self) -> str:
        return f"photo {self.uuid}"

    @property
    def released(self) -> bool:
        """Whether the client may see it: processed and reviewed."""
        return self.status == self.Status.READY and self.review in RELEASED_REVIEWS


class SignalConfirmation(PhoneRecord, TenantModel):
    """A member saw an open signal again ("same as this one") and said so, instead of
    reporting it twice: once per member per round."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="confirmations")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    round = models.ForeignKey(
        Round, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed"))
    note = models.TextField(_("note"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")
        ordering = ["confirmed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["signal", "member", "round"], name="one_confirmation_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.signal_id} confirmed"


class SignalEvent(TenantModel):
    """One step in a signal's history: append-only."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The changes since a moment, across tenants (the figures' summaries are
            # refreshed from the signals that changed since their last run).
            models.Index(fields=["created_at"], name="signalevent_created"),
        ]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"


class Conversation(PhoneRecord, TenantModel):
    """A team member addressed a resident; who the resident is, is not asked."""

    class Topic(models.TextChoices):
        LITTER = "litter", _("Litter or bulky waste")
        NOISE = "noise", _("Noise")
        PARKING = "parking", _("Parking or bikes")
        BEHAVIOUR = "behaviour", _("Behaviour in shared spaces")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        GOOD = "good", _("Went well")
        NEUTRAL = "neutral", _("Neutral")
        BAD = "bad", _("Did not go well")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="conversations")
    round = models.ForeignKey(
        Round, on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    outcome = models.CharField(_("how it went"), max_length=20, choices=Outcome.choices)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    aggression = models.BooleanField(_("aggression"), default=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported"))

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-reported_at"]
        indexes = [
            # A programme's conversations in a period (figures and exports).
            models.Index(fields=["programme", "reported_at"], name="conversation_programme_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} ({self.get_outcome_display()})"


class RewardHandout(TenantModel):
    """The reward of one month handed to a member who met the effort obligation."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    # What was handed out stays on record when the member's account is deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    month = models.DateField(help_text="The first day of the month.")
    handed_out_at = models.DateTimeField(default=timezone.now)
    handed_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "user", "month"], name="one_reward_a_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.month:%Y-%m}"


# The bounds of one activity's hours: a quarter of an hour to a whole day.
ACTIVITY_MIN_HOURS = Decimal("0.25")
ACTIVITY_MAX_HOURS = Decimal("24")


class Activity(TenantModel):
    """Work for the team besides the rounds that a member logs with its hours (informing the
    neighbours, an initiative, a meeting with a partner); its hours count towards the effort
    obligation when the programme's rule says so. Counted in the month of its (local) date."""

    class Kind(models.TextChoices):
        INFORMING = "informing", _("Informing neighbours")
        INITIATIVE = "initiative", _("An initiative")
        PARTNER = "partner", _("Meeting with a partner")
        OTHER = "other", _("Other")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="activities")
    # The programme's history: the hours stay (without a name) when the account is deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(ACTIVITY_MIN_HOURS), MaxValueValidator(ACTIVITY_MAX_HOURS)],
    )
    description = models.CharField(_("what you did"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-date", "-id"]
        indexes = [
            # The effort per member and month: a programme's activities in a range of dates.
            models.Index(fields=["programme", "date"], name="activity_programme_date"),
            # The member's own list, newest first.
            models.Index(fields=["user", "-date", "-id"], name="activity_user_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gte=ACTIVITY_MIN_HOURS, hours__lte=ACTIVITY_MAX_HOURS),
                name="activity_hours_bounded",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"
