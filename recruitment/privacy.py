"""Recruitment's personal data: applicants, survey respondents who left contact details and
the addresses of door-to-door visits; their retention and a person's export and erasure.
Registered with the base's register (`programmes.privacy`) from `RecruitmentConfig.ready()`.

An erased application is anonymised, not deleted: its stage, source and dates stay, so the
recruitment's counts do not change."""

from django.core import signing
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programmes import privacy as p

from .models import Application, ApplicationEvent, DoorVisit, SurveyResponse

NOT_PERSONAL = {
    "recruitment.Campaign": ("intro", "headline", "material_text", "photo"),
    "recruitment.Application": ("source", "stage", "consent_text"),
    "recruitment.ApplicationEvent": ("from_stage", "to_stage"),
    "recruitment.Survey": ("title", "intro", "status", "conclusions"),
    "recruitment.Question": ("kind", "text", "options"),
    "recruitment.SurveyResponse": ("channel", "contact_consent_text"),
    # Counts per option, channel and street: totals, no one's answer.
    "recruitment.SurveyTally": ("dimension", "value", "key"),
    "recruitment.Channel": ("kind", "reach"),
    "recruitment.DoorVisit": ("street", "outcome"),
}

# The applicant's own link (in the confirmation mail) to see, download or ask to erase their
# data: signed, so it needs no table, and valid as long as an application may be kept.
TOKEN_SALT = "recruitment.own-data"  # noqa: S105 - a namespace for the signature, not a secret
TOKEN_MAX_AGE = 2 * 366 * 24 * 60 * 60


def applicant_token(application) -> str:
    """The signed token of an application's own-data link."""
    return signing.dumps({"a": application.pk}, salt=TOKEN_SALT, compress=True)


def application_for_token(token: str, *, organisation):
    """The organisation's application a valid token names, or None (bad, expired, another
    organisation's, or since erased)."""
    try:
        pk = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)["a"]
    except (signing.BadSignature, KeyError, TypeError):
        return None
    return (
        Application.objects.filter(pk=pk, organisation=organisation)
        .exclude(email="")
        .select_related("organisation", "programme")
        .first()
    )


SELECTION = _("Project leader, consultancy and the client's staff deciding on candidates")


def _entries():
    return [
        p.PersonalData(
            "recruitment.Application",
            p.APPLICANT,
            (
                "name",
                "email",
                "phone",
                "street",
                "house_number",
                "postcode",
                "motivation",
                "availability",
                "heard_via",
                "advice",
                "client_reason",
            ),
            _("Selecting members for the team"),
            p.CONSENT,
            _("Deleted when the selection is over and the term has passed, unless selected"),
            SELECTION,
        ),
        p.PersonalData(
            "recruitment.ApplicationEvent",
            p.APPLICANT,
            ("note",),
            _("Notes on an application's steps"),
            p.CONSENT,
            _("With the application"),
            SELECTION,
            label=_("Step of an application"),
            fields_label=_("note"),
        ),
        p.PersonalData(
            "recruitment.SurveyResponse",
            p.RESPONDENT,
            ("street", "contact_name", "contact_email", "contact_phone"),
            _("Contacting a respondent who asked for it"),
            p.CONSENT,
            _("Contact details emptied after the term; the answers stay"),
            _("Project leader and consultancy"),
            label=_("Survey response"),
            fields_label=_("street, name, e-mail address, phone"),
        ),
        p.PersonalData(
            "recruitment.Answer",
            p.RESPONDENT,
            ("value",),
            _("The neighbourhood survey's results"),
            p.PUBLIC_TASK,
            _("During the programme"),
            _("Project leader, consultancy and, as totals, the client"),
            label=_("Survey answer"),
            fields_label=_("answer"),
        ),
        p.PersonalData(
            "recruitment.DoorVisit",
            p.RESIDENT,
            ("house_number", "note"),
            _("Planning door-to-door recruitment"),
            p.LEGITIMATE_INTEREST,
            _("House numbers and notes emptied after the term"),
            _("Project leader and consultancy"),
            label=_("Door-to-door visit"),
            fields_label=_("house number, note"),
        ),
    ]


# Retention ----------------------------------------------------------------------------------


def applications_expire(*, organisation, cutoff) -> int:
    """Applications not selected, past their own keep-until date or the client's term."""
    from .services import applications_delete_expired  # noqa: PLC0415 - services import models

    return applications_delete_expired(created_before=cutoff)


def survey_contacts_empty(*, organisation, cutoff) -> int:
    """Survey responses older than the term lose their contact details; answers stay."""
    old = SurveyResponse.objects.filter(organisation=organisation, created_at__lt=cutoff).exclude(
        contact_name="", contact_email="", contact_phone=""
    )
    return old.update(contact_name="", contact_email="", contact_phone="")


def door_visits_anonymise(*, organisation, cutoff) -> int:
    """Door visits older than the term keep their street and outcome, not the house number."""
    old = DoorVisit.objects.filter(organisation=organisation, visited_at__lt=cutoff).exclude(
        house_number="", note=""
    )
    return old.update(house_number="", note="")


# A person's records -------------------------------------------------------------------------


def applications_find(person) -> list:
    q = Q(pk__in=[])
    if person.email:
        q |= Q(email__iexact=person.email)
    if person.name:
        q |= Q(name__iexact=person.name)
    rows = Application.objects.filter(q, organisation=person.organisation).select_related(
        "programme"
    )
    found = []
    for a in rows:
        events = list(
            ApplicationEvent.objects.filter(application=a).values(
                "created_at", "from_stage", "to_stage", "note"
            )
        )
        found.append(
            p.Found(
                source="application",
                obj=a,
                label=f"{a.programme}: {a.name} ({a.get_stage_display()})",
                data={
                    "programme": str(a.programme),
                    "name": a.name,
                    "email": a.email,
                    "phone": a.phone,
                    "address": f"{a.street} {a.house_number}, {a.postcode}",
                    "motivation": a.motivation,
                    "availability": a.availability,
                    "heard_via": a.heard_via,
                    "stage": a.get_stage_display(),
                    "advice": a.advice,
                    "client_reason": a.client_reason,
                    "consent_text": a.consent_text,
                    "consent_at": a.consent_at,
                    "applied_at": a.created_at,
                    "history": events,
                },
                identifiers=[a.name, a.email, a.phone, f"{a.street} {a.house_number}"],
            )
        )
    return found


def application_erase(found) -> None:
    """Anonymise: the row, its stage and dates stay (the recruitment's counts)."""
    Application.objects.filter(pk=found.obj.pk).update(
        name=p.ERASED,
        email="",
        phone="",
        street="",
        house_number="",
        postcode="",
        motivation="",
        availability="",
        heard_via="",
        advice="",
        client_reason="",
    )
    ApplicationEvent.objects.filter(application_id=found.obj.pk).update(note="")


def responses_find(person) -> list:
    q = Q(pk__in=[])
    if person.email:
        q |= Q(contact_email__iexact=person.email)
    if person.name:
        q |= Q(contact_name__iexact=person.name)
    rows = SurveyResponse.objects.filter(q, organisation=person.organisation).select_related(
        "survey"
    )
    return [
        p.Found(
            source="survey_response",
            obj=r,
            label=f"{r.survey.title} ({r.created_at:%d-%m-%Y})",
            data={
                "survey": r.survey.title,
                "answered_at": r.created_at,
                "street": r.street,
                "name": r.contact_name,
                "email": r.contact_email,
                "phone": r.contact_phone,
                "answers": [
                    {"question": a.question.text, "answer": a.value}
                    for a in r.answers.select_related("question")
                ],
            },
            identifiers=[r.contact_name, r.contact_email, r.contact_phone],
        )
        for r in rows
    ]


def response_erase(found) -> None:
    """The contact details go; the answers stay in the survey's results, unlinked."""
    SurveyResponse.objects.filter(pk=found.obj.pk).update(
        contact_name="", contact_email="", contact_phone="", contact_consent_text=""
    )


def register() -> None:
    p.register_personal(*_entries())
    p.register_not_personal(NOT_PERSONAL)
    day = 1
    for rule in (
        p.RetentionRule(
            "applications",
            _("Applications not selected deleted"),
            p.APPLICANT,
            applications_expire,
            default=365 * day,
            minimum=90 * day,
            maximum=730 * day,
            order=10,
        ),
        p.RetentionRule(
            "survey_contacts",
            _("Survey contact details emptied"),
            p.RESPONDENT,
            survey_contacts_empty,
            default=180 * day,
            minimum=30 * day,
            maximum=365 * day,
            order=20,
        ),
        p.RetentionRule(
            "door_visits",
            _("House numbers of door visits emptied"),
            p.RESIDENT,
            door_visits_anonymise,
            default=180 * day,
            minimum=30 * day,
            maximum=365 * day,
            order=25,
        ),
    ):
        p.register_retention_rule(rule)
    for source in (
        p.PersonSource(
            "application", _("Applications"), p.APPLICANT, applications_find, application_erase, 20
        ),
        p.PersonSource(
            "survey_response",
            _("Survey responses with contact details"),
            p.RESPONDENT,
            responses_find,
            response_erase,
            30,
        ),
    ):
        p.register_person_source(source)
