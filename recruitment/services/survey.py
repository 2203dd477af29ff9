"""The neighbourhood survey: questionnaire, responses and the respondents who would join (the
results are counted as the responses come in, in the survey's tallies, and read by
`recruitment.selectors.survey_counts`)."""

from collections import Counter, defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.models import Programme, User
from programmes.services.common import apply_changes

from .. import tallies
from ..models import Answer, Application, Question, Survey, SurveyResponse, SurveyTally
from .applications import _application_open

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

    survey = Survey(organisation=programme.organisation, programme=programme, title=title.strip())
    # Its public id is a fresh uuid4 (the database keeps it unique): no look-up needed.
    survey.full_clean(exclude=["organisation", "programme"], validate_unique=False)
    survey.save()
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
def survey_follow_up_create(*, actor: User, survey: Survey, title: str = "") -> Survey:
    """A follow-up (vervolgmeting) of a closed `survey`: a new draft with exactly its
    questions (kinds, texts, options, order, required, "asks to join"), each linked to the
    question it copies, so the comparison matches them by that link whatever is added or
    removed in the draft afterwards. `title` defaults to the baseline's with "(follow-up)"."""
    if survey.status != Survey.Status.CLOSED:
        raise ValidationError(_("Only a closed survey can be measured again."))
    title = title.strip() or _("%(title)s (follow-up)") % {"title": survey.title}
    follow_up = Survey(
        organisation=survey.organisation,
        programme=survey.programme,
        title=title[:200],
        intro=survey.intro,
        baseline=survey,
    )
    follow_up.full_clean(exclude=["organisation", "programme", "baseline"], validate_unique=False)
    follow_up.save()
    Question.objects.bulk_create(
        Question(
            organisation=survey.organisation,
            survey=follow_up,
            position=q.position,
            kind=q.kind,
            text=q.text,
            options=list(q.options),
            required=q.required,
            asks_to_join=q.asks_to_join,
            baseline_question=q,
        )
        for q in survey.questions.order_by("position", "pk")
    )
    audit_log(
        actor=actor,
        organisation=survey.organisation,
        action="survey.follow_up_created",
        obj=follow_up,
        data={"baseline": survey.pk},
    )
    return follow_up


@transaction.atomic
def question_add(*, actor: User, survey, kind: str, text: str, options=(), required=False):
    """Add a question at the end of a draft survey; a choice needs two options or more."""
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
    audit_log(
        actor=actor,
        organisation=survey.organisation,
        action="survey.question_added",
        obj=survey,
        data={"question": question.pk, "kind": kind},
    )
    return question


@transaction.atomic
def question_remove(*, actor: User, question) -> None:
    """Remove a question from a draft survey."""
    survey = question.survey
    if survey.status != survey.Status.DRAFT:
        raise ValidationError(_("Questions can only be changed while the survey is a draft."))
    audit_log(
        actor=actor,
        organisation=survey.organisation,
        action="survey.question_removed",
        obj=survey,
        data={"question": question.pk, "text": question.text[:200]},
    )
    question.delete()


@transaction.atomic
def survey_set_status(*, actor: User, survey, status: str):
    """Move the survey one step: from draft to open, from open to closed."""
    order = ["draft", "open", "closed"]
    if status not in order or order.index(status) != order.index(survey.status) + 1:
        raise ValidationError(_("A survey goes from draft to open to closed."))
    survey.save(update_fields=apply_changes(survey, {"status": status}, allowed=("status",)))
    audit_log(actor=actor, organisation=survey.organisation, action=f"survey.{status}", obj=survey)
    return survey


@transaction.atomic
def survey_conclusions_save(*, actor: User, survey, conclusions: str) -> Survey:
    """Save the project leader's conclusions from the survey's results (at most 5000
    characters); saving them unchanged records nothing."""
    changed = apply_changes(survey, {"conclusions": conclusions[:5000]}, allowed=("conclusions",))
    if not changed:
        return survey
    survey.save(update_fields=changed)
    audit_log(actor=actor, organisation=survey.organisation, action="survey.concluded", obj=survey)
    return survey


def join_consent_text(*, survey) -> str:
    """The consent a respondent gives to be contacted about joining the team."""
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
    door-to-door answers while it is open or closed. `answers` maps question id to value.
    Audited (by whoever entered it; the system for an online one) without the answers: the
    entry says a response with or without contact details came in, and when."""

    if channel == SurveyResponse.Channel.ONLINE and survey.status != survey.Status.OPEN:
        raise ValidationError(_("This survey is closed."))
    if survey.status == survey.Status.DRAFT:
        raise ValidationError(_("This survey has not been published yet."))
    contact = contact or {}
    consent = bool(contact.get("consent"))
    given = {qid: value for qid, value in answers.items() if value not in (None, "", [])}
    # The survey's own questions among those answered: their kind (what the tallies count)
    # and whether one asks to join.
    questions = {
        pk: (kind, asks_to_join)
        for pk, kind, asks_to_join in survey.questions.filter(pk__in=list(given)).values_list(
            "pk", "kind", "asks_to_join"
        )
    }
    given = {pk: value for pk, value in given.items() if pk in questions}
    would_join = any(asks and given[pk] == "ja" for pk, (_kind, asks) in questions.items())
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
        would_join=would_join,
    )
    Answer.objects.bulk_create(
        Answer(organisation=survey.organisation, response=response, question_id=qid, value=value)
        for qid, value in given.items()
    )
    kinds = {pk: kind for pk, (kind, _asks) in questions.items()}
    _tallies_add(
        survey,
        tallies.of_response(answers=given, kinds=kinds, channel=channel, street=response.street),
    )
    audit_log(
        actor=entered_by,
        organisation=survey.organisation,
        action="survey.response_received",
        obj=survey,
        data={"response": response.pk, "channel": channel, "contact": consent},
    )
    return response


def _tally_rows(survey, counts: Counter, *, n=None) -> list[SurveyTally]:
    return tallies.rows(
        SurveyTally, organisation_id=survey.organisation_id, survey_id=survey.pk, counts=counts, n=n
    )


def _tallies_add(survey, counts: Counter) -> None:
    """Add `counts` to the survey's tallies in two statements whatever their number, safe
    against a response arriving at the same moment: the missing rows are made at 0 (a row
    another made first is left alone), then every row is raised in the database (n = n + 1),
    never read and written back."""
    SurveyTally.objects.bulk_create(_tally_rows(survey, counts, n=0), ignore_conflicts=True)
    by_amount = defaultdict(list)  # one UPDATE per amount added: nearly always just 1
    for tally, amount in counts.items():
        by_amount[amount].append(tallies.key(*tally))
    for amount, keys in by_amount.items():
        SurveyTally.objects.filter(
            organisation=survey.organisation, survey=survey, key__in=keys
        ).update(n=F("n") + amount)


@transaction.atomic
def survey_tallies_rebuild(*, survey) -> int:
    """Count the survey's tallies afresh from its answers and responses (for rows written in
    bulk, past `survey_respond`); returns how many tallies it holds."""
    counts = tallies.counted(
        answers=Answer.objects.filter(organisation=survey.organisation, question__survey=survey),
        responses=SurveyResponse.objects.filter(organisation=survey.organisation, survey=survey),
        kinds=dict(survey.questions.values_list("pk", "kind")),
    )
    SurveyTally.objects.filter(organisation=survey.organisation, survey=survey).delete()
    SurveyTally.objects.bulk_create(_tally_rows(survey, counts))
    return len(counts)


@transaction.atomic
def prospect_convert(*, actor: User, response) -> Application:
    """Make an application from a survey respondent; the consent they gave travels along."""
    if response.application_id:
        raise ValidationError(_("This respondent is already in recruitment."))
    if not response.contact_consent_at:
        raise ValidationError(_("This respondent did not give consent to be contacted."))
    programme = response.survey.programme
    application = _application_open(
        programme=programme,
        source=Application.Source.SURVEY,
        consent_text=response.contact_consent_text,
        consent_at=response.contact_consent_at,
        actor=actor,
        note=_("From the neighbourhood survey"),
        exclude=["house_number", "postcode"],
        name=response.contact_name,
        email=response.contact_email,
        phone=response.contact_phone,
        street=response.street,
        house_number="",
        postcode="",
        motivation=_("Said yes to joining in the survey."),
    )
    response.save(
        update_fields=apply_changes(
            response, {"application": application}, allowed=("application",)
        )
    )
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="application.from_survey",
        obj=application,
    )
    return application
