"""Rows of recruitment: applications, doors knocked on, survey responses."""

import datetime as dt

from programmes.models import (
    Programme,
)
from recruitment.models import Answer as SurveyAnswer
from recruitment.models import Application, Channel, DoorVisit, Survey, SurveyResponse
from recruitment.services import survey_tallies_rebuild
from recruitment.workflow import Stage

from .base import _batched, _weighted
from .words import MOTIVATIONS, SIGNAL_TEXTS, STREETS


class RecruitmentRows:
    """Applications, door visits and survey responses in bulk."""

    def applications(self, programme: Programme, n: int, *, city) -> list[Application]:
        """Applications in every stage, from every source."""
        objs = []
        for i in range(n):
            created = self.moment()
            street, number, postcode = self.address(city)
            name = self.name()
            objs.append(
                Application(
                    organisation=programme.organisation,
                    programme=programme,
                    name=name,
                    email=f"{self.prefix}-bewoner{self._serial()}@example.org",
                    phone=f"06-{self.rng.randint(10000000, 99999999)}",
                    street=street,
                    house_number=number,
                    postcode=postcode,
                    motivation=self.rng.choice(MOTIVATIONS),
                    availability="Doordeweeks 's avonds en op zaterdag",
                    source=_weighted(self.rng, i, Application.Source.values, [6, 2, 2, 1]),
                    consent_text="Ik geef toestemming mijn gegevens te gebruiken voor de selectie.",
                    consent_at=created,
                    stage=_weighted(self.rng, i, Stage.values, [5, 2, 2, 1, 3, 2]),
                    keep_until=(created + dt.timedelta(days=365)).date(),
                    created_at=created,
                )
            )
        return self._bulk(Application, objs)

    def door_visits(self, programme: Programme, n: int, *, city, by=()) -> list[DoorVisit]:
        """Doors knocked on in the door-to-door round, with every outcome, and the campaign's
        channels (one of each kind)."""
        self._bulk(
            Channel,
            [
                Channel(
                    organisation=programme.organisation,
                    programme=programme,
                    kind=kind,
                    date=(self.now - dt.timedelta(days=30 + 7 * k)).date(),
                    reach="1.300 brieven" if kind == "letter" else "",
                )
                for k, kind in enumerate(Channel.Kind.values)
            ],
        )
        outcomes = DoorVisit.Outcome.values
        objs = []
        for i in range(n):
            street, number, _postcode = self.address(city)
            objs.append(
                DoorVisit(
                    organisation=programme.organisation,
                    programme=programme,
                    street=street,
                    house_number=number,
                    outcome=_weighted(self.rng, i, outcomes, [5, 3, 2, 1]),
                    visited_by=self.rng.choice(by) if by else None,
                    visited_at=self.moment(),
                )
            )
        return self._bulk(DoorVisit, objs)

    def survey_responses(self, survey: Survey, questions, n: int, *, city) -> int:
        """Responses through every channel, each answering the standard questions. Every
        tenth leaves contact details and every twentieth of all also would join, so a survey
        of any size has prospects (its results page lists them and logs that it showed them):
        a small survey drawn at random had none, and its page looked cheaper than it is."""
        channels = SurveyResponse.Channel.values
        made = 0
        for batch in _batched(range(n)):
            responses, given = [], []
            for i in batch:
                consent = i % 10 == 0
                joins = i % 20 == 0  # consented too: a prospect
                values = [
                    (q, "ja" if q.asks_to_join and joins else self._answer(q))
                    for q in questions
                    if q.kind != "text" or self.rng.random() < 0.5
                ]
                given.append(values)
                responses.append(
                    SurveyResponse(
                        organisation=survey.organisation,
                        survey=survey,
                        channel=_weighted(self.rng, i, channels, [5, 2, 3]),
                        street=self.rng.choice(STREETS),
                        contact_name=self.name() if consent else "",
                        contact_email=f"{self.prefix}-r{self._serial()}@example.org"
                        if consent
                        else "",
                        contact_consent_text="Ik wil benaderd worden." if consent else "",
                        contact_consent_at=self.now if consent else None,
                        # As survey_respond marks it: said yes to the joining question.
                        would_join=any(q.asks_to_join and v == "ja" for q, v in values),
                        created_at=self.moment(),
                    )
                )
            responses = SurveyResponse.objects.bulk_create(responses)
            answers = [
                SurveyAnswer(organisation=survey.organisation, response=r, question=q, value=v)
                for r, values in zip(responses, given, strict=True)
                for q, v in values
            ]
            self._bulk(SurveyAnswer, answers)
            made += len(responses)
        survey_tallies_rebuild(survey=survey)  # the rows went in past survey_respond
        self._count(SurveyResponse, made)
        return made

    def _answer(self, question):
        rng = self.rng
        if question.kind == "scale":
            return str(rng.choices("12345", weights=[1, 3, 5, 4, 2])[0])
        if question.kind == "single":
            return rng.choice(question.options)
        if question.kind == "multiple":
            return rng.sample(question.options, min(len(question.options), rng.randint(1, 3)))
        if question.kind == "yesno":
            return "ja" if rng.random() < (0.3 if question.asks_to_join else 0.8) else "nee"
        return rng.choice(SIGNAL_TEXTS[:-1])
