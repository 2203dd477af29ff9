"""Reads of the recruitment app that the pages share.

Each read is scoped by a programme (or survey) the page already fetched for the acting user;
fetching by a posted id goes through `get_<thing>_for(...)`, which answers 404 both for
"missing" and for "not yours", so an outsider cannot tell the two apart.
"""

import uuid

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Lower, Replace, Trim
from django.http import Http404
from django.utils import timezone

from programmes.models import Document, Meeting, Organisation, Programme

from .documents import RECRUITMENT_FLYER, RECRUITMENT_POSTER, SURVEY_REPORT
from .models import Application, Channel, Question, Survey, SurveyResponse
from .workflow import Stage


def _squashed(field: str):
    """The field in lower case without spaces: "Jan  Jansen" and "jan jansen" are one name."""
    return Replace(Lower(field), Value(" "), Value(""))


def applications_for_selection(*, programme: Programme):
    """The programme's applications that were not merged into another, each annotated with
    the first other application that looks like the same resident: `duplicate_email_id` (the
    same e-mail address, case-insensitive) and `duplicate_address_id` (the same name and house
    number, at the same postcode or street). Found in SQL, in the one query of the list."""
    base = Application.objects.filter(programme=programme, merged_into__isnull=True).annotate(
        email_norm=Lower(Trim("email")),
        name_norm=_squashed("name"),
        house_norm=_squashed("house_number"),
        postcode_norm=_squashed("postcode"),
        street_norm=_squashed("street"),
    )
    others = base.exclude(pk=OuterRef("pk"))
    same_email = others.filter(email_norm=OuterRef("email_norm")).exclude(email_norm="")
    same_address = (
        others.filter(name_norm=OuterRef("name_norm"), house_norm=OuterRef("house_norm"))
        .exclude(name_norm="")
        .filter(
            (Q(postcode_norm=OuterRef("postcode_norm")) & ~Q(postcode_norm=""))
            | (Q(street_norm=OuterRef("street_norm")) & ~Q(street_norm=""))
        )
    )
    return base.annotate(
        duplicate_email_id=Subquery(_first_pk(same_email)),
        duplicate_address_id=Subquery(_first_pk(same_address)),
    )


def _first_pk(queryset):
    return queryset.order_by("created_at", "pk").values("pk")[:1]


# --- Applications ---------------------------------------------------------------------------


def get_application_for(*, programme: Programme, pk, stages=None) -> Application:
    """The application `pk` of `programme` (at one of `stages`, when given); 404 otherwise."""
    qs = Application.objects.filter(programme=programme)
    if stages is not None:
        qs = qs.filter(stage__in=list(stages))
    found = qs.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def applications_to_invite(*, programme: Programme) -> QuerySet[Application]:
    """The applicants of `programme` an information meeting is for: applied or invited."""
    return Application.objects.filter(programme=programme, stage__in=[Stage.APPLIED, Stage.INVITED])


def candidates_for_client(*, programme: Programme) -> tuple[list, list]:
    """What the client sees: the proposed candidates, and the decided ones by name (merged
    applications left out)."""
    live = Application.objects.filter(programme=programme, merged_into__isnull=True)
    proposed = list(live.filter(stage=Stage.PROPOSED))
    decided = list(live.filter(stage__in=[Stage.SELECTED, Stage.NOT_SELECTED]).order_by("name"))
    return proposed, decided


def proposed_counts(*, organisation: Organisation):
    """Per programme of `organisation`: how many candidates wait for the client's decision
    (rows with programme_id, programme__name and waiting; one query)."""
    return (
        Application.objects.filter(organisation=organisation, stage=Stage.PROPOSED)
        .values("programme_id", "programme__name")
        .annotate(waiting=Count("pk"))
        .order_by("programme__name")
    )


# --- Campaign -------------------------------------------------------------------------------


def get_public_programme(*, organisation: Organisation, pk) -> Programme:
    """The programme `pk` of the client whose public page is asked for; 404 otherwise."""
    found = organisation.programmes.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def information_meetings_ahead(*, programme: Programme) -> QuerySet[Meeting]:
    """The programme's information meetings that have not begun, soonest first."""
    return programme.meetings.filter(kind="information", starts_at__gte=timezone.now()).order_by(
        "starts_at"
    )


def recruitment_material(*, programme: Programme) -> dict[str, Document | None]:
    """The programme's recruitment flyer and poster (None when not made yet)."""
    return {
        "flyer": programme.documents.filter(kind=RECRUITMENT_FLYER).first(),
        "poster": programme.documents.filter(kind=RECRUITMENT_POSTER).first(),
    }


def channels_of(*, programme: Programme) -> QuerySet[Channel]:
    """The channels the programme's campaign used."""
    return Channel.objects.filter(programme=programme)


# --- Neighbourhood survey -------------------------------------------------------------------


def surveys_of(*, programme: Programme) -> QuerySet[Survey]:
    """The programme's neighbourhood surveys."""
    return programme.surveys.all()


def get_survey_for(*, programme: Programme, pk) -> Survey:
    """The survey `pk` of `programme`; 404 otherwise."""
    found = programme.surveys.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def get_public_survey(*, public_id) -> Survey:
    """The survey behind a public link (in the active scope), with its programme; 404 for a
    malformed or unknown link and for a draft."""
    try:
        uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    found = Survey.objects.filter(public_id=public_id).select_related("programme").first()
    if found is None or found.status == Survey.Status.DRAFT:
        raise Http404
    return found


def questions_of(*, survey: Survey) -> QuerySet[Question]:
    """The survey's questions in order."""
    return survey.questions.all()


def find_question(*, survey: Survey, pk) -> Question | None:
    """The question `pk` of `survey`, or None (removed already, or not this survey's)."""
    return survey.questions.filter(pk=pk).first()


def get_response_for(*, survey: Survey, pk) -> SurveyResponse:
    """The response `pk` to `survey`; 404 otherwise."""
    found = survey.responses.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def responses_with_answers(*, survey: Survey) -> QuerySet[SurveyResponse]:
    """Every response to `survey`, oldest first, with its answers (two queries)."""
    return survey.responses.prefetch_related("answers").order_by("created_at")


def survey_report(*, survey: Survey) -> Document | None:
    """The PDF report of `survey`, once asked for."""
    return survey.programme.documents.filter(kind=SURVEY_REPORT, ref=str(survey.pk)).first()
