"""Recruitment: the campaign of a programme, applications from residents, the selection.

Applicants give personal data for one purpose, the selection; the consent text they saw is
stored with the moment they gave it, and every application says until when it is kept.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Case, Value, When
from django.db.models.functions import Concat, Lower, Replace, Trim
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import Programme, TenantModel

from . import tallies
from .workflow import Stage


class Campaign(TenantModel):
    """How a programme recruits: whether the public application page is open, what it says."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="campaign")
    is_open = models.BooleanField(_("the application page is open"), default=False)
    intro = models.TextField(
        _("introduction on the application page"),
        blank=True,
        help_text=_("Why join the BewonersTeam, in a few sentences."),
    )
    headline = models.CharField(
        _("headline on flyer and poster"), max_length=120, default="Doe mee met het BewonersTeam!"
    )
    material_text = models.TextField(
        _("text on flyer and poster"),
        default="Samen zorgen we voor een schone, veilige en gezellige buurt. "
        "Je loopt af en toe een ronde, meldt wat er mis is en spreekt buren aan. "
        "Je krijgt een training en een beloning.",
    )
    photo = models.ImageField(_("photo on flyer and poster"), upload_to="recruitment/", blank=True)
    retention_months = models.PositiveSmallIntegerField(
        _("keep applications for (months)"),
        default=12,
        help_text=_("Applications of people who are not selected are deleted after this."),
    )

    class Meta:
        verbose_name = _("recruitment campaign")
        verbose_name_plural = _("recruitment campaigns")

    def __str__(self) -> str:
        return str(self.programme)


def _squashed(field: str):
    """The field in lower case without spaces: "Jan  Jansen" and "jan jansen" are one name."""
    return Replace(Lower(field), Value(" "), Value(""))


class HeardVia(models.TextChoices):
    """How an applicant heard of the campaign: the campaign's channel kinds (`Channel.Kind`,
    same values, so the two line up) plus a neighbour or acquaintance."""

    WEBSITE = "website", _("Website")
    SOCIAL = "social", _("Social media")
    NEWSLETTER = "newsletter", _("The client's newsletter")
    LETTER = "letter", _("Letters")
    POSTER = "poster", _("Posters")
    DOOR = "door", _("Door to door")
    PAPER = "paper", _("Local paper")
    NEIGHBOUR = "neighbour", _("Via a neighbour or acquaintance")
    OTHER = "other", _("Other")


class Application(TenantModel):
    class Source(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("On paper")
        DOOR = "door", _("At the door")
        SURVEY = "survey", _("Neighbourhood survey")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="applications")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    street = models.CharField(_("street"), max_length=200)
    house_number = models.CharField(_("house number"), max_length=20)
    postcode = models.CharField(_("postcode"), max_length=10)
    motivation = models.TextField(_("why do you want to join?"), max_length=3000)
    availability = models.CharField(_("when are you available?"), max_length=300, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ONLINE)
    # How the applicant heard of the campaign (optional): the campaign's channel kinds plus a
    # neighbour and "other", so the campaign page can tell which channel brought applicants.
    heard_via = models.CharField(
        _("how did you hear about us?"), max_length=20, choices=HeardVia.choices, blank=True
    )
    consent_text = models.TextField(_("consent given"))
    consent_at = models.DateTimeField(_("consent given at"))
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.APPLIED
    )
    advice = models.TextField(_("project leader's advice"), blank=True)
    client_reason = models.TextField(_("client's reason"), blank=True)
    keep_until = models.DateField(_("kept until"))
    created_at = models.DateTimeField(_("applied at"), default=timezone.now)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
        help_text="A second application of the same resident, folded into this one.",
    )
    merged_at = models.DateTimeField(_("merged at"), null=True, blank=True)
    # The keys a second application of the same resident is found by, kept by the database
    # itself on every write (also bulk inserts and merges), so the selection asks an index
    # instead of comparing every application with every other.
    email_key = models.GeneratedField(
        expression=Lower(Trim("email")),
        output_field=models.CharField(max_length=254),
        db_persist=True,
    )
    name_key = models.GeneratedField(
        expression=Concat(_squashed("name"), Value("|"), _squashed("house_number")),
        output_field=models.CharField(max_length=221),
        db_persist=True,
    )
    # The stage's place in the order an applicant goes through them (Stage's order), kept by
    # the database: the selection lists all stages in that order from an index, where a CASE
    # in the ORDER BY sorted every application of the programme for each page.
    stage_rank = models.GeneratedField(
        expression=Case(
            *[When(stage=value, then=Value(i)) for i, value in enumerate(Stage.values)],
            default=Value(len(Stage.values)),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["organisation", "programme", "stage", "created_at"],
                name="application_programme_stage",
            ),
            models.Index(
                fields=["organisation", "programme", "stage_rank", "-created_at", "-id"],
                name="application_selection_order",
            ),
            models.Index(
                fields=["organisation", "programme", "email_key"], name="application_email_key"
            ),
            models.Index(
                fields=["organisation", "programme", "name_key"], name="application_name_key"
            ),
            # The campaign page counts the live applications per channel heard of and stage
            # from this index alone: merged ones are not in it, and the column its condition
            # names is, so the count reads no row.
            models.Index(
                fields=["organisation", "programme", "heard_via", "stage", "merged_into"],
                condition=models.Q(merged_into__isnull=True),
                name="application_live_heard_via",
            ),
            # The selection's counts per stage of the live applications, from the index alone
            # (the column the condition names is in it, so no row is read to test it).
            models.Index(
                fields=["organisation", "programme", "stage", "merged_into"],
                condition=models.Q(merged_into__isnull=True),
                name="application_live_stage",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ApplicationEvent(TenantModel):
    """One step of an application: append-only."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The selection's "decided in the last minutes": the tenant's recent events, a
            # range of this index rather than every event of the organisation.
            models.Index(fields=["organisation", "created_at"], name="appevent_org_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage} -> {self.to_stage}"


class Survey(TenantModel):
    """The neighbourhood survey (buurtonderzoek) of a programme."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="surveys")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    conclusions = models.TextField(_("conclusions of the project leader"), blank=True)
    # A follow-up (vervolgmeting) asks the baseline's questions again later, to show the
    # change. RESTRICT, not SET_NULL: deleting a baseline on its own would silently turn its
    # follow-up into a survey without a comparison; deleting the whole programme (both
    # surveys go through its cascade) stays possible, which PROTECT would refuse.
    baseline = models.ForeignKey(
        "self",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("baseline"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("neighbourhood survey")
        verbose_name_plural = _("neighbourhood surveys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Question(TenantModel):
    class Kind(models.TextChoices):
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        SCALE = "scale", _("Scale 1 to 5")
        TEXT = "text", _("Open answer")
        YESNO = "yesno", _("Yes or no")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind of question"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=300)
    options = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)
    asks_to_join = models.BooleanField(
        _("asks whether the resident would join the team"), default=False
    )
    # The baseline's question this one was copied from, in a follow-up: the comparison
    # matches the two by this link, not by position or text. A question added to the
    # follow-up by hand has none and is shown without a baseline.
    baseline_question = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(TenantModel):
    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("On paper")
        DOOR = "door", _("At the door")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    street = models.CharField(_("street"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-mail address"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    contact_consent_text = models.TextField(blank=True)
    contact_consent_at = models.DateTimeField(null=True, blank=True)
    application = models.OneToOneField(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_response",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Said yes to the question whether they would join the team: set as the response comes in
    # (the questions are fixed once a survey is published), so the prospects are read along
    # their own index rather than looked up in every contactable response's answers.
    would_join = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        # The results page counts the responses per channel and per street from these alone
        # (the tallies do that now; the CSV and a rebuild still group them), and reads its
        # prospects (who would join and left contact details) in order without the others.
        indexes = [
            models.Index(
                fields=["organisation", "survey", "channel"], name="surveyresponse_channel"
            ),
            models.Index(fields=["organisation", "survey", "street"], name="surveyresponse_street"),
            models.Index(
                fields=["organisation", "survey", "created_at", "id"],
                condition=models.Q(contact_consent_at__isnull=False, would_join=True),
                name="surveyresponse_prospect",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey}: {self.get_channel_display()}"


class Answer(TenantModel):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField()

    class Meta:
        # The results page counts the answers per question and value.
        indexes = [
            models.Index(fields=["organisation", "question", "value"], name="answer_question_value")
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"


class SurveyTally(TenantModel):
    """A stored count of a survey's results, kept by every response as it comes in: per
    question how many chose each option (`OPTION`, a multiple choice once per option) and how
    many answered (`ANSWERED`), and per survey the responses per channel and per street. The
    results page reads these few rows instead of grouping every answer (30,000 at 5,000
    responses); `recruitment.tallies` counts them from the answers, to fill and to check."""

    class Dimension(models.TextChoices):  # the codes `recruitment.tallies` counts under
        OPTION = tallies.OPTION, _("option")
        ANSWERED = tallies.ANSWERED, _("answered")
        CHANNEL = tallies.CHANNEL, _("channel")
        STREET = tallies.STREET, _("street")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="tallies")
    # The question's tallies go with it.
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="tallies"
    )
    dimension = models.CharField(max_length=1, choices=Dimension.choices)
    value = models.TextField(blank=True)  # the option, channel or street counted
    # A digest of (dimension, question, value): one row per thing counted, of bounded length
    # whatever the option's or street's length, so the upsert can name it.
    key = models.CharField(max_length=64)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "survey", "key"], name="surveytally_unique"
            )
        ]
        # The streets with the most responses, in order, without sorting every street.
        indexes = [
            models.Index(
                fields=["organisation", "survey", "dimension", "-n"], name="surveytally_ranked"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.dimension} {self.question_id} {self.value}: {self.n}"


class Channel(TenantModel):
    """One way the campaign reaches residents: online or offline, with a date and its reach."""

    class Kind(models.TextChoices):
        WEBSITE = "website", _("Website")
        SOCIAL = "social", _("Social media")
        NEWSLETTER = "newsletter", _("The client's newsletter")
        LETTER = "letter", _("Letters")
        POSTER = "poster", _("Posters")
        DOOR = "door", _("Door to door")
        PAPER = "paper", _("Local paper")
        OTHER = "other", _("Other")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="recruitment_channels"
    )
    kind = models.CharField(_("channel"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    reach = models.CharField(
        _("reach"),
        max_length=300,
        blank=True,
        help_text=_("For example: 1,300 letters, 400 followers."),
    )

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class DoorVisit(TenantModel):
    """A door knocked on during the door-to-door round."""

    class Outcome(models.TextChoices):
        NOT_HOME = "not_home", _("Not at home")
        NOT_INTERESTED = "not_interested", _("Not interested")
        INTERESTED = "interested", _("Interested")
        APPLIED = "applied", _("Applied on the spot")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="door_visits")
    street = models.CharField(_("street"), max_length=200)
    house_number = models.CharField(_("house number"), max_length=20)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    visited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["street", "house_number"]
        # The campaign page counts the doors per street and outcome.
        indexes = [
            models.Index(
                fields=["organisation", "programme", "street", "outcome"],
                name="doorvisit_programme_street",
            )
        ]

    def __str__(self) -> str:
        return f"{self.street} {self.house_number}"
