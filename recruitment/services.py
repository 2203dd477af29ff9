"""Every write of the recruitment app: applications and the selection with the client."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.mail import mail_queue
from programmes.models import Programme, User
from programmes.permissions import Role
from programmes.services import invitation_create, team_member_add

from .models import (
    Answer,
    Application,
    ApplicationEvent,
    Campaign,
    Channel,
    DoorVisit,
    Question,
    Survey,
    SurveyResponse,
)
from .workflow import Stage, check_move


def consent_text(*, programme: Programme, campaign: Campaign) -> str:
    """The consent an applicant gives, in words they can read (stored with the application)."""
    return _(
        "I agree that %(consultancy)s and %(client)s use my name, contact details, address, "
        "motivation and availability to select the members of %(programme)s. They are not used "
        "for anything else and are deleted %(months)s months after my application if I am not "
        "selected."
    ) % {
        "consultancy": programme.organisation.consultancy.name,
        "client": programme.organisation.name,
        "programme": programme.name,
        "months": campaign.retention_months,
    }


def campaign_for(*, programme: Programme) -> Campaign:
    campaign, _created = Campaign.objects.get_or_create(
        organisation=programme.organisation, programme=programme
    )
    return campaign


@transaction.atomic
def campaign_save(*, actor: User, programme: Programme, **fields) -> Campaign:
    campaign = campaign_for(programme=programme)
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.full_clean(exclude=["organisation", "programme"])
    campaign.save()
    audit_log(
        actor=actor, organisation=programme.organisation, action="campaign.saved", obj=campaign
    )
    return campaign


@transaction.atomic
def application_submit(
    *,
    programme: Programme,
    consent: str,
    source=Application.Source.ONLINE,
    actor: User | None = None,
    **fields,
) -> Application:
    """Store an application with the consent text the applicant saw; confirm by e-mail."""
    campaign = campaign_for(programme=programme)
    if source == Application.Source.ONLINE and not campaign.is_open:
        raise ValidationError(_("Applications for this team are closed."))
    if not consent:
        raise ValidationError(
            {"consent": _("Without your consent we cannot handle your application.")}
        )
    now = timezone.now()
    application = Application(
        organisation=programme.organisation,
        programme=programme,
        source=source,
        consent_text=consent,
        consent_at=now,
        keep_until=(now + timedelta(days=31 * campaign.retention_months)).date(),
        **fields,
    )
    application.email = application.email.strip().lower()
    application.full_clean()
    application.save()
    ApplicationEvent.objects.create(
        organisation=application.organisation,
        application=application,
        actor=actor,
        to_stage=Stage.APPLIED,
    )
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="application.received",
        obj=application,
        data={"source": source},
    )
    mail_queue(
        organisation=programme.organisation,
        programme=programme,
        to=application.email,
        to_name=application.name,
        template="recruitment/application_received",
        context={"application": application},
    )
    return application


def _move(*, actor, application: Application, stage: str, note: str, by_client: bool):
    application = Application.objects.select_for_update().get(pk=application.pk)
    check_move(application.stage, stage, by_client=by_client)
    previous = application.stage
    application.stage = stage
    application.save(update_fields=["stage"])
    ApplicationEvent.objects.create(
        organisation=application.organisation,
        application=application,
        actor=actor,
        from_stage=previous,
        to_stage=stage,
        note=note.strip(),
    )
    audit_log(
        actor=actor,
        organisation=application.organisation,
        action=f"application.{stage}",
        obj=application,
        data={"from": previous},
    )
    return application


@transaction.atomic
def application_move(
    *, actor: User, application: Application, stage: str, note: str = "", advice: str = ""
) -> Application:
    """The consultancy moves an applicant a step; proposing needs advice for the client."""
    if stage == Stage.PROPOSED:
        if not advice.strip():
            raise ValidationError({"advice": _("Give the client your advice on this applicant.")})
        Application.objects.filter(pk=application.pk).update(advice=advice.strip())
    application = _move(
        actor=actor, application=application, stage=stage, note=note, by_client=False
    )
    if stage == Stage.NOT_SELECTED:
        _outcome_mail(application)
    return application


@transaction.atomic
def application_decide(
    *, actor: User, application: Application, approve: bool, reason: str
) -> Application:
    """The client approves or declines a proposed applicant, with a reason. Approval invites
    the applicant to an account and onto the team; a decline sends a kind e-mail."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for your decision.")})
    stage = Stage.SELECTED if approve else Stage.NOT_SELECTED
    application = _move(
        actor=actor, application=application, stage=stage, note=reason, by_client=True
    )
    Application.objects.filter(pk=application.pk).update(client_reason=reason.strip())
    if approve:
        existing = User.objects.filter(email__iexact=application.email).first()
        if existing is None:
            invitation_create(
                actor=actor,
                organisation=application.organisation,
                email=application.email,
                name=application.name,
                role=Role.TEAM_MEMBER,
                programme=application.programme,
            )
        else:
            # Already a team member of this client (another programme): join this team too.
            team_member_add(actor=actor, programme=application.programme, user=existing)
    else:
        _outcome_mail(application)
    return application


def _outcome_mail(application: Application) -> None:
    mail_queue(
        organisation=application.organisation,
        programme=application.programme,
        to=application.email,
        to_name=application.name,
        template="recruitment/application_not_selected",
        context={"application": application},
    )


def applications_delete_expired(*, today=None) -> int:
    """Delete applications past their retention date that did not lead to a team membership
    (the consent covered the selection only)."""
    today = today or timezone.localdate()
    expired = Application.objects.filter(keep_until__lt=today).exclude(stage=Stage.SELECTED)
    count, _detail = expired.delete()
    return count


# --- Neighbourhood survey -----------------------------------------------------------------

# The standard questionnaire (seeds: what is good, what bothers you, safety, cleanliness,
# contact with neighbours, support for a team, would you join?). Stored in Dutch, editable.
SURVEY_TEMPLATE = [
    ("text", "Wat vindt u goed aan uw buurt?", []),
    ("text", "Wat ergert u in uw buurt?", []),
    ("scale", "Hoe veilig voelt u zich in uw buurt? (1 = onveilig, 5 = heel veilig)", []),
    ("scale", "Hoe schoon is uw buurt? (1 = vies, 5 = heel schoon)", []),
    ("single", "Hoeveel contact heeft u met uw buren?", ["Veel", "Af en toe", "Weinig", "Geen"]),
    (
        "multiple",
        "Welke problemen ziet u vaak?",
        [
            "Zwerfvuil",
            "Grofvuil",
            "Kapotte verlichting",
            "Overlast",
            "Fietsen op galerijen",
            "Vandalisme",
        ],
    ),
    ("yesno", "Zou een BewonersTeam in uw buurt goed zijn?", []),
    ("yesno", "Zou u mee willen doen met het BewonersTeam?", []),
]
JOIN_QUESTION = 7  # index of "would you join?" in SURVEY_TEMPLATE


@transaction.atomic
def survey_create(*, actor: User, programme: Programme, title: str) -> Survey:
    """A new survey for the programme, filled with the standard questionnaire."""

    survey = Survey.objects.create(
        organisation=programme.organisation, programme=programme, title=title.strip()
    )
    Question.objects.bulk_create(
        Question(
            organisation=programme.organisation,
            survey=survey,
            position=i,
            kind=kind,
            text=text,
            options=options,
            asks_to_join=i == JOIN_QUESTION,
        )
        for i, (kind, text, options) in enumerate(SURVEY_TEMPLATE)
    )
    audit_log(actor=actor, organisation=programme.organisation, action="survey.created", obj=survey)
    return survey


@transaction.atomic
def question_add(*, actor: User, survey, kind: str, text: str, options=(), required=False):

    if survey.status != survey.Status.DRAFT:
        raise ValidationError(_("Questions can only be changed while the survey is a draft."))
    options = [o.strip() for o in options if o.strip()]
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE) and len(options) < 2:
        raise ValidationError({"options": _("Give at least two options, one per line.")})
    position = (
        survey.questions.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    question = Question(
        organisation=survey.organisation,
        survey=survey,
        position=position,
        kind=kind,
        text=text.strip(),
        options=options if kind in ("single", "multiple") else [],
        required=required,
    )
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def question_remove(*, actor: User, question) -> None:
    if question.survey.status != question.survey.Status.DRAFT:
        raise ValidationError(_("Questions can only be changed while the survey is a draft."))
    question.delete()


@transaction.atomic
def survey_set_status(*, actor: User, survey, status: str):
    order = ["draft", "open", "closed"]
    if order.index(status) != order.index(survey.status) + 1:
        raise ValidationError(_("A survey goes from draft to open to closed."))
    survey.status = status
    survey.save(update_fields=["status"])
    audit_log(actor=actor, organisation=survey.organisation, action=f"survey.{status}", obj=survey)
    return survey


def join_consent_text(*, survey) -> str:
    return _(
        "I agree that %(consultancy)s and %(client)s contact me about joining %(programme)s "
        "with the name, e-mail address and phone number I gave here."
    ) % {
        "consultancy": survey.programme.organisation.consultancy.name,
        "client": survey.programme.organisation.name,
        "programme": survey.programme.name,
    }


@transaction.atomic
def survey_respond(
    *,
    survey,
    answers: dict,
    channel: str,
    street: str = "",
    entered_by: User | None = None,
    contact: dict | None = None,
):
    """Store one response. Online answers need an open survey; staff may enter paper and
    door-to-door answers while it is open or closed. `answers` maps question id to value."""

    if channel == SurveyResponse.Channel.ONLINE and survey.status != survey.Status.OPEN:
        raise ValidationError(_("This survey is closed."))
    if survey.status == survey.Status.DRAFT:
        raise ValidationError(_("This survey has not been published yet."))
    contact = contact or {}
    consent = bool(contact.get("consent"))
    response = SurveyResponse.objects.create(
        organisation=survey.organisation,
        survey=survey,
        channel=channel,
        street=street.strip(),
        entered_by=entered_by,
        contact_name=contact.get("name", "") if consent else "",
        contact_email=contact.get("email", "") if consent else "",
        contact_phone=contact.get("phone", "") if consent else "",
        contact_consent_text=join_consent_text(survey=survey) if consent else "",
        contact_consent_at=timezone.now() if consent else None,
    )
    Answer.objects.bulk_create(
        Answer(organisation=survey.organisation, response=response, question_id=qid, value=value)
        for qid, value in answers.items()
        if value not in (None, "", [])
    )
    return response


@dataclass
class QuestionResult:
    question: object
    counts: list  # (option, count, percent)
    answered: int = 0
    average: float | None = None
    texts: list | None = None


def survey_results(*, survey) -> dict:
    """Counts per option (and averages, open answers) per question; responses by channel and
    by street. Two queries, whatever the number of responses."""
    from collections import Counter, defaultdict

    questions = list(survey.questions.all())
    per_question = defaultdict(list)
    for question_id, value in Answer.objects.filter(response__survey=survey).values_list(
        "question_id", "value"
    ):
        per_question[question_id].append(value)
    results = []
    for q in questions:
        values = per_question[q.pk]
        result = QuestionResult(question=q, counts=[], answered=len(values))
        if q.kind in ("single", "multiple", "yesno", "scale"):
            counter = Counter()
            for v in values:
                for item in v if isinstance(v, list) else [v]:
                    counter[str(item)] += 1
            options = {
                "yesno": ["ja", "nee"],
                "scale": ["1", "2", "3", "4", "5"],
            }.get(q.kind, q.options)
            labels = {"ja": _("Yes"), "nee": _("No")}
            result.counts = [
                (
                    labels.get(o, o),
                    counter[o],
                    round(100 * counter[o] / len(values)) if values else 0,
                )
                for o in options
            ]
            if q.kind == "scale" and values:
                result.average = round(sum(int(v) for v in values) / len(values), 1)
        else:
            result.texts = values
        results.append(result)
    responses = survey.responses.all()
    by_channel = Counter(responses.values_list("channel", flat=True))
    by_street = Counter(s or "–" for s in responses.values_list("street", flat=True))
    return {
        "questions": results,
        "total": sum(by_channel.values()),
        "by_channel": [(SurveyResponse.Channel(c).label, n) for c, n in sorted(by_channel.items())],
        "by_street": sorted(by_street.items(), key=lambda kv: (-kv[1], kv[0])),
    }


def prospects(*, survey):
    """Respondents who would join and left contact details with consent."""
    join = survey.questions.filter(asks_to_join=True).values_list("pk", flat=True)
    return survey.responses.filter(
        contact_consent_at__isnull=False, answers__question_id__in=list(join), answers__value="ja"
    ).distinct()


@transaction.atomic
def prospect_convert(*, actor: User, response) -> Application:
    """Make an application from a survey respondent; the consent they gave travels along."""
    if response.application_id:
        raise ValidationError(_("This respondent is already in recruitment."))
    if not response.contact_consent_at:
        raise ValidationError(_("This respondent did not give consent to be contacted."))
    programme = response.survey.programme
    campaign = campaign_for(programme=programme)
    application = Application(
        organisation=programme.organisation,
        programme=programme,
        source=Application.Source.SURVEY,
        name=response.contact_name,
        email=response.contact_email,
        phone=response.contact_phone,
        street=response.street,
        house_number="",
        postcode="",
        motivation=_("Said yes to joining in the survey."),
        consent_text=response.contact_consent_text,
        consent_at=response.contact_consent_at,
        keep_until=(timezone.now() + timedelta(days=31 * campaign.retention_months)).date(),
    )
    application.full_clean(exclude=["house_number", "postcode"])
    application.save()
    ApplicationEvent.objects.create(
        organisation=application.organisation,
        application=application,
        actor=actor,
        to_stage=Stage.APPLIED,
        note=_("From the neighbourhood survey"),
    )
    response.application = application
    response.save(update_fields=["application"])
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="application.from_survey",
        obj=application,
    )
    return application


# --- Campaign channels and door to door ---------------------------------------------------


@transaction.atomic
def channel_add(*, actor: User, programme: Programme, kind: str, date, reach: str = ""):
    channel = Channel(
        organisation=programme.organisation,
        programme=programme,
        kind=kind,
        date=date,
        reach=reach.strip(),
    )
    channel.full_clean()
    channel.save()
    audit_log(actor=actor, organisation=programme.organisation, action="channel.added", obj=channel)
    return channel


@transaction.atomic
def door_visit_log(
    *,
    actor: User,
    programme: Programme,
    street: str,
    house_number: str,
    outcome: str,
    note: str = "",
) -> DoorVisit:
    """Log a door; knocking on the same door again updates its outcome."""
    street, house_number = street.strip(), house_number.strip().upper()
    visit = DoorVisit.objects.filter(
        programme=programme, street__iexact=street, house_number=house_number
    ).first() or DoorVisit(
        organisation=programme.organisation,
        programme=programme,
        street=street,
        house_number=house_number,
    )
    visit.outcome, visit.note, visit.visited_by = outcome, note.strip(), actor
    visit.visited_at = timezone.now()
    visit.full_clean()
    visit.save()
    return visit


def door_coverage(*, programme: Programme) -> list[dict]:
    """Per street: doors visited and how it went; one query."""
    from django.db.models import Count, Q

    return list(
        DoorVisit.objects.filter(programme=programme)
        .values("street")
        .annotate(
            doors=Count("id"),
            not_home=Count("id", filter=Q(outcome=DoorVisit.Outcome.NOT_HOME)),
            interested=Count(
                "id",
                filter=Q(outcome__in=[DoorVisit.Outcome.INTERESTED, DoorVisit.Outcome.APPLIED]),
            ),
        )
        .order_by("street")
    )


@transaction.atomic
def applicants_invite(*, actor: User, meeting, applications) -> int:
    """Invite applicants to the information meeting and move them to "invited"; people who
    were already invited are left alone. Returns how many were invited."""
    from programmes.services import invitee_add

    invited = 0
    existing = set(meeting.invitees.values_list("email", flat=True))
    for application in applications:
        if application.email in existing:
            continue
        invitee_add(actor=actor, meeting=meeting, name=application.name, email=application.email)
        if application.stage == Stage.APPLIED:
            _move(
                actor=actor,
                application=application,
                stage=Stage.INVITED,
                note=str(meeting),
                by_client=False,
            )
        invited += 1
    return invited
