"""What a survey's stored tallies (`SurveyTally`) count, written once for the three that keep
them: a response as it comes in (`of_response`), and every tally counted afresh from the
answers (`counted`: the migration that filled them, the data generator's bulk rows, and the
tests that hold the kept tallies against a fresh count).

A tally is (dimension, question id or None, value) -> how many: per closed question how many
chose each option (a multiple choice counts once for each option in it), per question how many
answered it, and per survey the responses per channel and per street (the empty street too,
shown as a dash)."""

import hashlib
from collections import Counter

from django.db.models import Count

OPTION, ANSWERED, CHANNEL, STREET = "o", "a", "c", "s"
TEXT = "text"  # the kind of question whose answers are not counted per value


def key(dimension: str, question_id: int | None, value: str) -> str:
    """The tally's name in the table: a digest, so an option or street of any length fits."""
    raw = f"{dimension}\x00{question_id or ''}\x00{value}"
    return hashlib.sha256(raw.encode()).hexdigest()


def options_of(value) -> list[str]:
    """The options one answer chose: each of a multiple choice's list, else the one value."""
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def of_response(*, answers: dict, kinds: dict, channel: str, street: str) -> Counter:
    """What one response adds: `answers` maps question id to a given value, `kinds` question
    id to its kind."""
    counts = Counter({(CHANNEL, None, channel): 1, (STREET, None, street): 1})
    for question_id, value in answers.items():
        counts[(ANSWERED, question_id, "")] += 1
        if kinds[question_id] != TEXT:
            for option in options_of(value):
                counts[(OPTION, question_id, option)] += 1
    return counts


def counted(*, answers, responses, kinds: dict) -> Counter:
    """Every tally of one survey counted from its rows: `answers` and `responses` are the
    survey's querysets (of whichever model class the caller has), `kinds` maps each question
    id to its kind. Grouped in SQL; a closed question's rows are combinations of options, an
    open question's one count."""
    counts = Counter()
    closed = [pk for pk, kind in kinds.items() if kind != TEXT]
    per_value = (
        answers.filter(question_id__in=closed)
        .values("question_id", "value")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("question_id", "value", "n")
    )
    for question_id, value, n in per_value:
        counts[(ANSWERED, question_id, "")] += n
        for option in options_of(value):
            counts[(OPTION, question_id, option)] += n
    per_question = (
        answers.exclude(question_id__in=closed)
        .values("question_id")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("question_id", "n")
    )
    for question_id, n in per_question:
        counts[(ANSWERED, question_id, "")] += n
    for column, dimension in (("channel", CHANNEL), ("street", STREET)):
        grouped = responses.values(column).annotate(n=Count("*")).order_by()
        for value, n in grouped.values_list(column, "n"):
            counts[(dimension, None, value)] += n
    return counts


def rows(model, *, organisation_id: int, survey_id: int, counts: Counter, n: int | None = None):
    """`counts` as unsaved rows of `model` (SurveyTally, or its state in a migration), each
    with its count or `n`."""
    return [
        model(
            organisation_id=organisation_id,
            survey_id=survey_id,
            question_id=question_id,
            dimension=dimension,
            value=value,
            key=key(dimension, question_id, value),
            n=counts[(dimension, question_id, value)] if n is None else n,
        )
        for dimension, question_id, value in counts
    ]
