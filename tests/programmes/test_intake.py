"""The intake page: saving it unchanged keeps every goal and partner, editing one row keeps
the others, and completing it needs no retyping and ticks the intake milestone."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from programmes import services
from programmes.models import Goal, Milestone, Partner, Progress, ProgressEvent
from programmes.permissions import Role


class _FormValues(HTMLParser):
    """The values a browser would post for the page's forms (no submit buttons): a list of
    (name, value) per form, in document order."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._textarea = None
        self._select = None
        self._select_value = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append([])
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.forms[-1].append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
        elif tag == "select" and a.get("name"):
            self._select, self._select_value = a["name"], None
        elif (
            # The selected option, or else the first one (what a browser posts).
            tag == "option"
            and self._select is not None
            and ("selected" in a or self._select_value is None)
            and not (self._select_value and self._select_value[1])
        ):
            self._select_value = (a.get("value", ""), "selected" in a)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            name, value = self._textarea
            self.forms[-1].append((name, value.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            self.forms[-1].append((self._select, (self._select_value or ("", False))[0]))
            self._select = None


def rendered_form(html: str, marker: str) -> dict:
    """The posted data of the first form that has a field named `marker`."""
    parser = _FormValues()
    parser.feed(html)
    for fields in parser.forms:
        if any(name == marker for name, _ in fields):
            data: dict[str, list[str]] = {}
            for name, value in fields:
                data.setdefault(name, []).append(value)
            return data
    raise AssertionError(f"no form with a field {marker!r}")


GOALS = [
    {"description": "Minder grofvuil op straat", "measure": "30% minder meldingen"},
    {"description": "Bewoners kennen elkaar", "measure": ""},
]
PARTNERS = [
    {
        "name": "Henk de Vries",
        "partner_organisation": "Woonstichting Noord",
        "role": "caretaker",
        "email": "henk@example.org",
        "phone": "010 123 4567",
    },
    {
        "name": "Fatima el Amrani",
        "partner_organisation": "Politie",
        "role": "community_officer",
        "email": "",
        "phone": "",
    },
]


@pytest.fixture
def intake(world, programme, unscoped):
    services.programme_intake_save(
        actor=world.users[Role.PROJECT_LEADER],
        programme=programme,
        vision="Een schone, veilige wijk.",
        starting_points="Vrijwillig en samen met de buurt.",
        goals=GOALS,
        partners=PARTNERS,
    )
    return programme


def _snapshot(programme):
    goals = list(Goal.objects.filter(programme=programme).values("id", "description", "measure"))
    partners = list(
        Partner.objects.filter(programme=programme)
        .order_by("id")
        .values("id", "name", "partner_organisation", "role", "email", "phone")
    )
    return goals, partners


def _url(name, programme):
    return reverse(name, kwargs={"org": programme.organisation.slug, "programme_pk": programme.pk})


def test_saving_the_page_unchanged_keeps_every_goal_and_partner(client, world, intake):
    client.force_login(world.users[Role.PROJECT_LEADER])
    before = _snapshot(intake)
    assert len(before[0]) == 2 and len(before[1]) == 2
    for _round in range(2):
        page = client.get(_url("programme_intake", intake)).content.decode()
        data = rendered_form(page, "goals-TOTAL_FORMS")
        response = client.post(_url("programme_intake", intake), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert _snapshot(intake) == before
    intake.refresh_from_db()
    assert intake.vision == "Een schone, veilige wijk."
    assert intake.starting_points == "Vrijwillig en samen met de buurt."
    followed = client.get(response["Location"]).content.decode()
    assert "De intake is opgeslagen." in followed
    assert "Minder grofvuil op straat" in followed and "Fatima el Amrani" in followed


def test_editing_one_partner_keeps_the_others(client, world, intake):
    client.force_login(world.users[Role.PROJECT_LEADER])
    goals_before, partners_before = _snapshot(intake)
    page = client.get(_url("programme_intake", intake)).content.decode()
    data = rendered_form(page, "partners-TOTAL_FORMS")
    henk = next(i for i in range(2) if data[f"partners-{i}-name"] == ["Henk de Vries"])
    data[f"partners-{henk}-phone"] = ["06 9876 5432"]
    data["partners-2-name"] = ["Wijkteam Welzijn"]
    data["partners-2-role"] = ["welfare"]
    response = client.post(_url("programme_intake", intake), data)
    assert response.status_code == 302
    goals, partners = _snapshot(intake)
    assert goals == goals_before
    assert len(partners) == 3
    by_id = {p["id"]: p for p in partners}
    for old in partners_before:
        kept = by_id[old["id"]]  # the same rows, edited in place
        expected = {**old, "phone": "06 9876 5432"} if old["name"] == "Henk de Vries" else old
        assert kept == expected
    assert partners[-1]["name"] == "Wijkteam Welzijn"


def test_deleting_a_goal_keeps_the_other(client, world, intake):
    client.force_login(world.users[Role.PROJECT_LEADER])
    page = client.get(_url("programme_intake", intake)).content.decode()
    data = rendered_form(page, "goals-TOTAL_FORMS")
    data["goals-1-DELETE"] = ["on"]
    assert client.post(_url("programme_intake", intake), data).status_code == 302
    assert [g.description for g in Goal.objects.filter(programme=intake)] == [
        GOALS[0]["description"]
    ]
    assert Partner.objects.filter(programme=intake).count() == 2


def test_a_posted_id_of_another_programme_never_edits_it(client, world, intake, other_world):
    """A tampered row id is a new row here, never an edit of someone else's goal."""
    other = services.programme_create(
        actor=other_world.users[Role.PROJECT_LEADER],
        client=other_world.client,
        project_leaders=[other_world.users[Role.PROJECT_LEADER]],
        name="Zuid",
        neighbourhood="Zuid",
        municipality="Zuidstad",
        start_date=intake.start_date,
    )
    services.programme_intake_save(
        actor=None,
        programme=other,
        vision="v",
        starting_points="",
        goals=[{"description": "Van een ander"}],
        partners=[],
    )
    foreign = Goal.objects.get(programme=other)
    client.force_login(world.users[Role.PROJECT_LEADER])
    page = client.get(_url("programme_intake", intake)).content.decode()
    data = rendered_form(page, "goals-TOTAL_FORMS")
    data["goals-2-id"] = [str(foreign.pk)]
    data["goals-2-description"] = ["Overgenomen"]
    assert client.post(_url("programme_intake", intake), data).status_code == 302
    foreign.refresh_from_db()
    assert foreign.description == "Van een ander" and foreign.programme_id == other.pk
    assert Goal.objects.filter(programme=intake).count() == 3


def test_completing_needs_no_retyping_and_ticks_the_intake_milestone(client, world, intake):
    services.plan_generate(actor=None, programme=intake)
    milestone = Milestone.objects.get(programme=intake, key=Progress.INTAKE_COMPLETED)
    assert not milestone.is_done
    client.force_login(world.users[Role.PROJECT_LEADER])
    page = client.get(_url("programme_intake", intake)).content.decode()
    assert "Intake afronden" in page
    data = rendered_form(page, "goals-TOTAL_FORMS")
    before = _snapshot(intake)
    response = client.post(_url("programme_intake", intake), {**data, "complete": "1"})
    assert response.status_code == 302
    assert (
        "De intake is opgeslagen en afgerond." in client.get(response["Location"]).content.decode()
    )
    intake.refresh_from_db()
    milestone.refresh_from_db()
    assert intake.intake_completed_at is not None
    assert milestone.is_done
    assert _snapshot(intake) == before
    again = client.get(_url("programme_intake", intake)).content.decode()
    assert "De intake is afgerond op" in again and "Intake afronden" not in again
    # Saving it again later changes nothing about the completion.
    data = rendered_form(again, "goals-TOTAL_FORMS")
    assert client.post(_url("programme_intake", intake), data).status_code == 302
    assert ProgressEvent.objects.filter(programme=intake).count() == 1


def test_completing_an_empty_intake_says_what_is_missing_and_keeps_the_input(
    client, world, programme, unscoped
):
    client.force_login(world.users[Role.PROJECT_LEADER])
    page = client.get(_url("programme_intake", programme)).content.decode()
    data = rendered_form(page, "goals-TOTAL_FORMS")
    data["starting_points"] = ["Samen met de buurt"]
    data["partners-0-name"] = ["Henk"]
    data["partners-0-role"] = ["caretaker"]
    response = client.post(_url("programme_intake", programme), {**data, "complete": "1"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "De intake is opgeslagen, maar niet afgerond" in page
    assert "Samen met de buurt" in page and 'value="Henk"' in page
    programme.refresh_from_db()
    assert programme.intake_completed_at is None


def test_plan_made_after_the_intake_was_completed_ticks_it_at_once(world, intake):
    services.programme_intake_complete(actor=None, programme=intake)
    services.plan_generate(actor=None, programme=intake)
    milestone = Milestone.objects.get(programme=intake, key=Progress.INTAKE_COMPLETED)
    assert milestone.is_done
    assert milestone.done_at == intake.intake_completed_at
