"""Every write of the recruitment app: applications and the selection with the client."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programmes.audit import audit_log
from programmes.mail import mail_hold, mail_queue, render_mail
from programmes.models import Invitation, Meeting, Programme, TeamMember, User
from programmes.permissions import Role
from programmes.services import (
    invitation_create,
    invitation_revoke,
    outbox_cancel_held,
    outbox_held,
    team_member_add,
)

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
from .workflow import FINAL, Stage, check_move, decided_by_client


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
    *,
    actor: User,
    application: Application,
    stage: str,
    note: str = "",
    advice: str = "",
    hold_seconds: int | None = None,
) -> Application:
    """The consultancy moves an applicant a step; proposing needs advice for the client.
    "Not selected" mails the applicant: like the client's decision, the mail is held for
    `hold_seconds` (default DECISION_UNDO_SECONDS), so it can be undone until it leaves."""
    if stage == Stage.PROPOSED:
        if not advice.strip():
            raise ValidationError({"advice": _("Give the client your advice on this applicant.")})
        Application.objects.filter(pk=application.pk).update(advice=advice.strip())
    application = _move(
        actor=actor, application=application, stage=stage, note=note, by_client=False
    )
    if stage == Stage.NOT_SELECTED:
        with mail_hold(ref=decision_ref(application), seconds=hold_seconds):
            _outcome_mail(application)
    return application


def decision_ref(application: Application) -> str:
    """Tags the mail of the decision on `application` (the client's, or the project leader's
    "not selected"), so an undo can find it."""
    return f"recruitment.application:{application.pk}:decision"


@transaction.atomic
def application_decide(
    *,
    actor: User,
    application: Application,
    approve: bool,
    reason: str,
    hold_seconds: int | None = None,
) -> Application:
    """The client approves or declines a proposed applicant, with a reason. Approval invites
    the applicant to an account and onto the team; a decline sends a kind e-mail. The mail is
    held for `hold_seconds` (default DECISION_UNDO_SECONDS), so the decision can be undone
    until it leaves."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for your decision.")})
    stage = Stage.SELECTED if approve else Stage.NOT_SELECTED
    application = _move(
        actor=actor, application=application, stage=stage, note=reason, by_client=True
    )
    Application.objects.filter(pk=application.pk).update(client_reason=reason.strip())
    with mail_hold(ref=decision_ref(application), seconds=hold_seconds):
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
                # Already a team member of this client (another programme): join this team
                # too, and hear about it.
                team_member_add(actor=actor, programme=application.programme, user=existing)
                mail_queue(
                    organisation=application.organisation,
                    programme=application.programme,
                    to=existing.email,
                    to_name=existing.name,
                    language=existing.language,
                    template="recruitment/application_selected",
                    context={"application": application},
                )
        else:
            _outcome_mail(application)
    return application


def _decision_events(application_ids) -> dict:
    """The step that made each of these applications selected or not selected (one query)."""
    events = ApplicationEvent.objects.filter(
        application_id__in=list(application_ids), to_stage__in=FINAL
    ).order_by("created_at", "id")
    return {event.application_id: event for event in events}


@transaction.atomic
def application_decision_undo(
    *, actor: User, application: Application, by_client: bool = True
) -> Application:
    """Take back a decision while its mail is still held: the client's (`by_client`) or the
    project leader's "not selected". The mail is cancelled (never sent), an invitation made
    by an approval is withdrawn, a team place given by it is taken back, and the applicant
    returns to the step they were at. Refused once the mail has left, and for a decision the
    other side made."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    event = _decision_events([application.pk]).get(application.pk)
    if (
        application.stage not in FINAL
        or event is None
        or event.to_stage != application.stage
        or decided_by_client(event.from_stage, event.to_stage) != by_client
    ):
        raise ValidationError(
            _("There is no decision on %(name)s to undo.") % {"name": application.name}
        )
    outbox_cancel_held(actor=actor, ref=decision_ref(application))
    decided, previous = application.stage, event.from_stage
    if decided == Stage.SELECTED:
        invitation = (
            Invitation.objects.filter(
                email__iexact=application.email,
                programme=application.programme,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
            )
            .order_by("-pk")
            .first()
        )
        if invitation is not None:
            invitation_revoke(actor=actor, invitation=invitation)
        else:
            TeamMember.objects.filter(
                programme=application.programme,
                user__email__iexact=application.email,
                is_active=True,
            ).update(is_active=False)
    application.stage = previous
    if by_client:
        application.client_reason = ""
    application.save(update_fields=["stage", "client_reason"])
    ApplicationEvent.objects.create(
        organisation=application.organisation,
        application=application,
        actor=actor,
        from_stage=decided,
        to_stage=previous,
        note=_("Decision undone before the e-mail was sent."),
    )
    audit_log(
        actor=actor,
        organisation=application.organisation,
        action="application.decision_undone",
        obj=application,
        data={"from": decided},
    )
    return application


def decision_mail_preview(*, application: Application, approve: bool) -> dict:
    """The e-mail the applicant will get for this decision, as the confirmation shows it:
    subject and text (the personal link of an invitation shown as a placeholder)."""
    organisation, programme = application.organisation, application.programme
    context = {"application": application, "organisation": organisation, "programme": programme}
    if not approve:
        template = "recruitment/application_not_selected"
    elif User.objects.filter(email__iexact=application.email).exists():
        template = "recruitment/application_selected"
    else:
        template = "programmes/invitation"
        context.update(
            invitation={"name": application.name},
            role=Role(Role.TEAM_MEMBER).label,
            link=_("(a personal link)"),
            valid_days=settings.INVITATION_VALID_DAYS,
        )
    subject, text, _html = render_mail(
        template=template, context=context, language=translation.get_language() or "nl"
    )
    return {"subject": subject, "text": text}


def decisions_held(*, applications, by_client: bool | None = None) -> dict:
    """For each decided application whose mail is still held: until when (one query; one
    more to keep only the client's decisions or only the consultancy's, by `by_client`)."""
    refs = {decision_ref(a): a.pk for a in applications}
    held = {refs[ref]: until for ref, until in outbox_held(refs=refs).items()}
    if by_client is None or not held:
        return held
    events = _decision_events(held)
    return {
        pk: until
        for pk, until in held.items()
        if pk in events
        and decided_by_client(events[pk].from_stage, events[pk].to_stage) == by_client
    }


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
    ("text", "Wat vind je goed aan je buurt?", []),
    ("text", "Wat ergert je in je buurt?", []),
    ("scale", "Hoe veilig voel je je in je buurt? (1 = onveilig, 5 = heel veilig)", []),
    ("scale", "Hoe schoon is je buurt? (1 = vies, 5 = heel schoon)", []),
    ("single", "Hoeveel contact heb je met je buren?", ["Veel", "Af en toe", "Weinig", "Geen"]),
    (
        "multiple",
        "Welke problemen zie je vaak?",
        [
            "Zwerfvuil",
            "Grofvuil",
            "Kapotte verlichting",
            "Overlast",
            "Fietsen op galerijen",
            "Vandalisme",
        ],
    ),
    ("yesno", "Zou een BewonersTeam in je buurt goed zijn?", []),
    ("yesno", "Zou je mee willen doen met het BewonersTeam?", []),
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
    if status not in order or order.index(status) != order.index(survey.status) + 1:
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


@dataclass
class InviteResult:
    """What "invite all applicants" did: who was invited and why the others were skipped."""

    invited: int = 0
    already: int = 0  # had an invitation to this meeting already
    same_email: int = 0  # a second application with an e-mail address invited in this run
    no_email: int = 0


@transaction.atomic
def applicants_invite(*, actor: User, meeting, applications) -> InviteResult:
    """Invite applicants to the information meeting and move them to "invited". Idempotent:
    one invitation per e-mail address (case-insensitive), whoever was invited before is
    skipped, and so is an applicant without an e-mail address. The meeting row is locked, so
    a double click waits for the first run and then finds everybody invited."""
    from programmes.services import invitee_add, seats_taken

    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.starts_at <= timezone.now():
        raise ValidationError(
            _("%(meeting)s has already begun: plan a new information meeting.")
            % {"meeting": meeting.title}
        )
    if meeting.capacity is not None and seats_taken(meeting) >= meeting.capacity:
        raise ValidationError(
            _(
                "%(meeting)s is full (%(n)s places). Add places or plan another meeting, "
                "then invite the applicants."
            )
            % {"meeting": meeting.title, "n": meeting.capacity}
        )
    result = InviteResult()
    existing = {e.strip().lower() for e in meeting.invitees.values_list("email", flat=True)}
    added = set()
    for application in applications.filter(merged_into__isnull=True).order_by("created_at", "pk"):
        email = (application.email or "").strip().lower()
        if not email:
            result.no_email += 1
            continue
        if email in added:
            result.same_email += 1
        elif email in existing:
            result.already += 1
        else:
            try:
                with transaction.atomic():
                    invitee_add(actor=actor, meeting=meeting, name=application.name, email=email)
            except (ValidationError, IntegrityError):
                # Invited by someone else between our look and our write.
                result.already += 1
                existing.add(email)
            else:
                added.add(email)
                result.invited += 1
        if application.stage == Stage.APPLIED:
            _move(
                actor=actor,
                application=application,
                stage=Stage.INVITED,
                note=str(meeting),
                by_client=False,
            )
    return result


def invite_result_message(result: InviteResult) -> str:
    """The Dutch sentence that says how many were invited and why the others were not."""
    text = ngettext(
        "%(n)s applicant was invited.", "%(n)s applicants were invited.", result.invited
    ) % {"n": result.invited}
    skipped = []
    if result.already:
        skipped.append(
            ngettext(
                "%(n)s had an invitation already",
                "%(n)s had an invitation already",
                result.already,
            )
            % {"n": result.already}
        )
    if result.same_email:
        skipped.append(
            ngettext(
                "%(n)s second application with the same e-mail address",
                "%(n)s second applications with the same e-mail address",
                result.same_email,
            )
            % {"n": result.same_email}
        )
    if result.no_email:
        skipped.append(
            ngettext(
                "%(n)s has no e-mail address",
                "%(n)s have no e-mail address",
                result.no_email,
            )
            % {"n": result.no_email}
        )
    if skipped:
        text += " " + _("Skipped: %(reasons)s.") % {"reasons": ", ".join(skipped)}
    return text


# --- Duplicate applications ---------------------------------------------------------------

STAGE_ORDER = [Stage.APPLIED, Stage.INVITED, Stage.INTERVIEW, Stage.PROPOSED]


def _joined(first: str, second: str, limit: int) -> str:
    first, second = first.strip(), second.strip()
    if not second or second.lower() in first.lower():
        return first
    if not first:
        return second[:limit]
    return f"{first}\n\n{second}"[:limit]


@transaction.atomic
def applications_merge(*, actor: User, keep: Application, other: Application) -> Application:
    """Fold a second application of the same resident (`other`) into `keep`: what only the
    other has is carried over (contact details, motivation and availability, advice, survey
    answers, its history and notes, the newest consent and the longest retention), the
    furthest stage wins, and `other` is marked merged so it leaves every list."""
    pair = {
        a.pk: a for a in Application.objects.select_for_update().filter(pk__in=[keep.pk, other.pk])
    }
    keep, other = pair.get(keep.pk), pair.get(other.pk)
    if keep is None or other is None or keep.pk == other.pk:
        raise ValidationError(_("Choose two different applications."))
    if keep.programme_id != other.programme_id:
        raise ValidationError(_("Only applications for the same team can be merged."))
    if keep.merged_into_id or other.merged_into_id:
        raise ValidationError(_("One of these applications has been merged already."))
    if other.stage not in STAGE_ORDER[:-1] or keep.stage not in STAGE_ORDER[:-1]:
        raise ValidationError(
            _(
                "Applications that were proposed to the client or decided on cannot be merged. "
                "Take the proposal back first."
            )
        )
    previous = keep.stage
    for field in ("email", "phone", "street", "house_number", "postcode"):
        if not getattr(keep, field).strip():
            setattr(keep, field, getattr(other, field))
    keep.motivation = _joined(keep.motivation, other.motivation, 3000)
    keep.availability = _joined(keep.availability, other.availability, 300)
    keep.advice = _joined(keep.advice, other.advice, 5000)
    if other.consent_at > keep.consent_at:
        keep.consent_text, keep.consent_at = other.consent_text, other.consent_at
    keep.keep_until = max(keep.keep_until, other.keep_until)
    if STAGE_ORDER.index(other.stage) > STAGE_ORDER.index(keep.stage):
        keep.stage = other.stage
    keep.save(
        update_fields=[
            "email",
            "phone",
            "street",
            "house_number",
            "postcode",
            "motivation",
            "availability",
            "advice",
            "consent_text",
            "consent_at",
            "keep_until",
            "stage",
        ]
    )
    other.events.update(application=keep)
    if not SurveyResponse.objects.filter(application=keep).exists():
        SurveyResponse.objects.filter(application=other).update(application=keep)
    other.merged_into, other.merged_at = keep, timezone.now()
    other.save(update_fields=["merged_into", "merged_at"])
    ApplicationEvent.objects.create(
        organisation=keep.organisation,
        application=keep,
        actor=actor,
        from_stage=previous,
        to_stage=keep.stage,
        note=_("Merged with the application of %(name)s of %(date)s.")
        % {
            "name": other.name,
            "date": formats.date_format(timezone.localtime(other.created_at), "j F Y"),
        },
    )
    audit_log(
        actor=actor,
        organisation=keep.organisation,
        action="application.merged",
        obj=keep,
        data={"merged": other.pk, "stage_from": previous, "stage": keep.stage},
    )
    return keep
