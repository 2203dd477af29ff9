"""The neighbourhood survey: built and read by the project leader, answered by residents
online (a public link or QR code) or entered by staff from paper and the door."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from programmes import statements
from programmes.closure import refuse_if_closed
from programmes.exports import SafeWriter, csv_safe
from programmes.links import reverse_absolute
from programmes.mixins import ProgrammeMixin, PublicMixin
from programmes.models import ReadEntry
from programmes.permissions import Perm
from programmes.qr import qr_data_uri
from programmes.ratelimits import form_limited, public_form_hit
from programmes.selectors import may_manage_programme
from programmes.services import document_request
from programmes.services.reads import ReadSubject, record_read
from programmes.statements import id_mark
from programmes.views.common import form_errors_to, posted_id

from . import selectors, services, survey_rows
from .documents import SURVEY_REPORT
from .forms import QuestionForm, SurveyAnswerForm
from .models import Survey, SurveyResponse
from .rows import prospect_rows


class _SurveyMixin(ProgrammeMixin):
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}

    def get_survey(self) -> Survey:
        return selectors.get_survey_for(programme=self.get_programme(), pk=self.kwargs["survey_pk"])

    def public_url(self, survey) -> str:
        return reverse_absolute(
            "recruitment:survey_answer",
            kwargs={"org": survey.organisation.slug, "public_id": survey.public_id},
        )


class SurveyListView(ProgrammeMixin, TemplateView):
    template_name = "recruitment/surveys.html"
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            surveys=selectors.surveys_of(programme=self.get_programme()), **kwargs
        )

    def post(self, request, *args, **kwargs):
        title = request.POST.get("title", "").strip()[:200]
        if not title:
            messages.error(request, _("Give the survey a title."))
            return redirect(request.path)
        survey = services.survey_create(
            actor=request.user, programme=self.get_programme(), title=title
        )
        return redirect(
            "recruitment:survey_edit",
            org=kwargs["org"],
            programme_pk=kwargs["programme_pk"],
            survey_pk=survey.pk,
        )


class SurveyEditView(_SurveyMixin, TemplateView):
    template_name = "recruitment/survey_edit.html"

    def get_context_data(self, form=None, **kwargs):
        survey = self.get_survey()
        url = self.public_url(survey)
        return super().get_context_data(
            survey=survey,
            questions=selectors.questions_of(survey=survey),
            form=form or QuestionForm(),
            public_url=url,
            qr=qr_data_uri(url),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        survey = self.get_survey()
        if "follow_up" in request.POST:
            try:
                follow_up = services.survey_follow_up_create(actor=request.user, survey=survey)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect(request.path)
            messages.success(
                request,
                _(
                    "The follow-up has the same questions as the baseline. Publish it when "
                    "the time has come; its results are then compared with the baseline."
                ),
            )
            return self.redirect_to("recruitment:survey_edit", survey_pk=follow_up.pk)
        try:
            if "status" in request.POST:
                services.survey_set_status(
                    actor=request.user, survey=survey, status=request.POST["status"]
                )
                messages.success(
                    request,
                    _("The survey is now: %(status)s.") % {"status": survey.get_status_display()},
                )
            elif "remove" in request.POST:
                question = selectors.find_question(survey=survey, pk=posted_id(request, "remove"))
                if question is not None:
                    services.question_remove(actor=request.user, question=question)
            else:
                form = QuestionForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(form=form))
                try:
                    services.question_add(actor=request.user, survey=survey, **form.cleaned_data)
                except ValidationError as error:
                    form_errors_to(form, error)
                    return self.render_to_response(self.get_context_data(form=form))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(request.path)


_RESPONSE = SurveyResponse._meta.label_lower  # the read log's name of a respondent


def _prospect_dicts(rows) -> list[dict]:
    return [dict(zip(selectors.PROSPECT_COLUMNS, row, strict=True)) for row in rows]


class SurveyResultsView(_SurveyMixin, TemplateView):
    template_name = "recruitment/survey_results.html"

    def get_context_data(self, **kwargs):
        survey = self.get_survey()
        # The page of prospects and their number, compiled once: the number counted along
        # their index (one statement with the number on every row read all their rows).
        prospects = statements.paginate(
            self.request,
            "recruitment.prospects",
            selectors.survey_prospect_rows,
            {id_mark(0): survey.pk},
            convert=_prospect_dicts,
        )
        record_read(  # the respondents whose contact details the page shows
            user=self.request.user,
            subjects=[
                ReadSubject(_RESPONSE, p["pk"], p["organisation_id"], p["contact_email"])
                for p in prospects.object_list
            ],
            what=ReadEntry.What.RESPONDENT,
            request=self.request,
        )
        results = selectors.survey_counts(survey=survey)
        return super().get_context_data(
            survey=survey,
            results=results,
            # The lists written in Python (survey_rows): as template loops they were most of
            # the page's rendering.
            channels_html=survey_rows.channels_html(results["by_channel"]),
            questions_html=survey_rows.questions_html(results["questions"]),
            streets_html=survey_rows.streets_html(results["by_street"]),
            comparison=selectors.survey_comparison(survey=survey),
            prospects=prospects,
            prospect_rows=prospect_rows(prospects.object_list, csrf_token=get_token(self.request)),
            report=selectors.survey_report(survey=survey),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        survey = self.get_survey()
        if "report" in request.POST:
            document_request(
                actor=request.user,
                organisation=survey.organisation,
                programme=survey.programme,
                kind=SURVEY_REPORT,
                ref=str(survey.pk),
            )
            messages.info(request, _("The PDF is being made; it appears here when it is ready."))
            return redirect(request.path)
        if "conclusions" in request.POST:
            services.survey_conclusions_save(
                actor=request.user, survey=survey, conclusions=request.POST["conclusions"]
            )
            messages.success(request, _("The conclusions were saved."))
        else:
            response = selectors.get_response_for(survey=survey, pk=posted_id(request, "convert"))
            try:
                services.prospect_convert(actor=request.user, response=response)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request, _("%(name)s is now in recruitment.") % {"name": response.contact_name}
                )
        return redirect(request.path)


class SurveyEntryView(_SurveyMixin, TemplateView):
    """Staff enter an answer given on paper or at the door."""

    template_name = "recruitment/survey_entry.html"

    def get_context_data(self, form=None, **kwargs):
        survey = self.get_survey()
        return super().get_context_data(
            survey=survey, form=form or SurveyAnswerForm(survey=survey, staff=True), **kwargs
        )

    def post(self, request, *args, **kwargs):
        survey = self.get_survey()
        form = SurveyAnswerForm(request.POST, survey=survey, staff=True)
        if form.is_valid():
            try:
                services.survey_respond(
                    survey=survey,
                    answers=form.answers(),
                    channel=form.cleaned_data["channel"],
                    street=form.cleaned_data["street"],
                    entered_by=request.user,
                    contact=form.contact(),
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(request, _("The answers were saved. Enter the next one."))
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))


class SurveyCsvView(_SurveyMixin, View):
    """All responses as CSV: one row per response, one column per question; every cell
    through `programmes.exports`, so no typed text runs as a spreadsheet formula. Streamed:
    a survey of thousands of households is never held in memory whole."""

    def get(self, request, *args, **kwargs):
        survey = self.get_survey()
        questions = list(selectors.questions_of(survey=survey))
        name = slugify(f"{_('Neighbourhood survey results')} {survey.programme.neighbourhood}")
        header = [_("Received"), _("Channel"), _("Street"), *[q.text for q in questions]]
        rows = selectors.survey_rows(survey=survey)  # built here, inside the tenant scope
        zone = timezone.get_current_timezone()

        def lines():
            buffer = _Line()
            writer = SafeWriter(buffer)
            yield "\ufeff"  # spreadsheet programs read the accents right
            writer.writerow(header)
            yield buffer.take()
            for created_at, channel, street, values in rows:
                writer.writerow(
                    [
                        timezone.localtime(created_at, zone).strftime("%Y-%m-%d %H:%M"),
                        channel,
                        street,
                        *[_csv(values.get(q.pk)) for q in questions],
                    ]
                )
                yield buffer.take()

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response


class _Line:
    """What the CSV writer wrote since the last `take()`."""

    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


def _csv(value) -> str:
    """One answer as a safe cell: several choices joined, nothing a spreadsheet would run."""
    return str(csv_safe(value))


ANSWER_LIMIT = 20  # sends per visitor and survey per 10 minutes: a venue's Wi-Fi is one visitor
ANSWER_WINDOW = 10 * 60


class SurveyAnswerView(PublicMixin, View):
    """The public questionnaire behind the survey's link or QR code."""

    def _survey(self, public_id):
        return selectors.get_public_survey(public_id=public_id)

    def _page(self, request, survey, form, done=False, status=200):
        template = (
            "recruitment/survey_closed.html"
            if survey.status == Survey.Status.CLOSED
            else "recruitment/survey_thanks.html"
            if done
            else "recruitment/survey_answer.html"
        )
        return render(
            request,
            template,
            {
                "survey": survey,
                "form": form,
                "client": request.organisation,
                "consent_text": services.join_consent_text(survey=survey),
            },
            status=status,
        )

    def get(self, request, org, public_id):
        survey = self._survey(public_id)
        return self._page(request, survey, SurveyAnswerForm(survey=survey))

    def post(self, request, org, public_id):
        survey = self._survey(public_id)
        refuse_if_closed(survey.programme)  # a closed programme's survey takes no answers
        if survey.status != Survey.Status.OPEN:
            return self._page(request, survey, None)
        form = SurveyAnswerForm(request.POST, survey=survey)
        if not may_manage_programme(user=request.user, programme=survey.programme) and not (
            public_form_hit(
                request,
                action="survey",
                page=f"{survey.organisation_id}:{survey.pk}",
                limit=ANSWER_LIMIT,
                window=ANSWER_WINDOW,
            )
        ):
            return self._page(request, survey, form_limited(form), status=429)
        if form.is_valid():
            services.survey_respond(
                survey=survey,
                answers=form.answers(),
                channel=SurveyResponse.Channel.ONLINE,
                street=form.cleaned_data["street"],
                contact=form.contact(),
            )
            return self._page(request, survey, None, done=True)
        return self._page(request, survey, form)
