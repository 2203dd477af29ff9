"""Programme pages in the workspace: create, edit, intake, plan and meetings by form."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from programmes.models import Meeting, Milestone, Programme
from programmes.permissions import Role


def _url(name, world, **kwargs):
    return reverse(name, kwargs={"org": world.client.slug, **kwargs})


def test_create_programme_then_intake(client, world, unscoped):
    pl = world.users[Role.PROJECT_LEADER]
    client.force_login(pl)
    bad = client.post(
        _url("programme_create", world),
        {"name": "", "start_date": "morgen", "project_leaders": [pl.pk]},
    )
    page = bad.content.decode()
    assert (
        bad.status_code == 200
        and "Dit veld is verplicht." in page
        and "Voer een geldige datum in." in page
    )
    response = client.post(
        _url("programme_create", world),
        {
            "name": "Team Oost",
            "neighbourhood": "Oost",
            "municipality": "Stad",
            "postcode_areas": "1234",
            "start_date": "2026-09-07",
            "project_leaders": [pl.pk],
            "client_contacts": [world.users[Role.CLIENT_STAFF].pk],
        },
    )
    programme = Programme.objects.get(name="Team Oost")
    assert response.status_code == 302
    assert response["Location"] == _url("programme_intake", world, programme_pk=programme.pk)
    response = client.post(
        response["Location"],
        {
            "vision": "Schoon en veilig",
            "starting_points": "",
            "complete": "on",
            "goals-TOTAL_FORMS": "2",
            "goals-INITIAL_FORMS": "0",
            "goals-0-description": "Minder afval",
            "goals-0-measure": "",
            "goals-1-description": "",
            "goals-1-measure": "",
            "partners-TOTAL_FORMS": "1",
            "partners-INITIAL_FORMS": "0",
            "partners-0-name": "Henk",
            "partners-0-role": "caretaker",
            "partners-0-email": "geen-mail",
        },
    )
    assert (
        response.status_code == 200
        and "Voer een geldig e-mailadres in." in response.content.decode()
    )
    assert 'value="Henk"' in response.content.decode()
    programme.refresh_from_db()
    assert programme.intake_completed_at is None


def test_other_leaders_cannot_be_chosen(client, world, other_world, unscoped):
    pl = world.users[Role.PROJECT_LEADER]
    client.force_login(pl)
    response = client.post(
        _url("programme_create", world),
        {
            "name": "X",
            "neighbourhood": "N",
            "municipality": "M",
            "start_date": "2026-09-07",
            "project_leaders": [other_world.users[Role.PROJECT_LEADER].pk],
        },
    )
    assert (
        response.status_code == 200 and "Selecteer een geldige keuze" in response.content.decode()
    )
    assert not Programme.objects.filter(name="X").exists()


def test_plan_pages(client, world, programme, unscoped):
    pl = world.users[Role.PROJECT_LEADER]
    client.force_login(pl)
    client.post(_url("plan_generate", world, programme_pk=programme.pk))
    milestone = Milestone.objects.filter(programme=programme).first()
    page = client.get(_url("programme_plan", world, programme_pk=programme.pk)).content.decode()
    assert milestone.title in page
    done = client.post(
        _url("milestone_done", world, programme_pk=programme.pk, milestone_pk=milestone.pk),
        {"done": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert done.status_code == 200 and f'id="milestone-{milestone.pk}"' in done.content.decode()
    milestone.refresh_from_db()
    assert milestone.is_done
    moved = client.post(
        _url("milestone_update", world, programme_pk=programme.pk, milestone_pk=milestone.pk),
        {"phase": milestone.phase, "title": milestone.title, "due_date": "2026-12-24", "owner": ""},
    )
    assert moved.status_code == 302
    milestone.refresh_from_db()
    assert milestone.due_date == dt.date(2026, 12, 24)
    bad = client.post(
        _url("programme_plan", world, programme_pk=programme.pk),
        {"phase": "x", "title": "", "due_date": "31-31-2026"},
    )
    assert bad.status_code == 200 and "Dit veld is verplicht." in bad.content.decode()
    again = client.post(_url("plan_generate", world, programme_pk=programme.pk), follow=True)
    assert "Dit programma heeft al een plan." in again.content.decode()
    client.post(
        _url("milestone_delete", world, programme_pk=programme.pk, milestone_pk=milestone.pk)
    )
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


def test_meeting_form_and_invite(
    client, world, programme, unscoped, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(world.users[Role.PROJECT_LEADER])
    start = timezone.localtime() + dt.timedelta(days=3)
    data = {
        "kind": "information",
        "title": "Info",
        "starts_at": start.strftime("%Y-%m-%dT19:00"),
        "ends_at": start.strftime("%Y-%m-%dT18:00"),
        "location": "Buurthuis",
        "capacity": "2",
    }
    bad = client.post(_url("meeting_create", world, programme_pk=programme.pk), data)
    assert "De bijeenkomst moet eindigen na het begin." in bad.content.decode()
    data["ends_at"] = start.strftime("%Y-%m-%dT21:00")
    ok = client.post(_url("meeting_create", world, programme_pk=programme.pk), data)
    meeting = Meeting.objects.get(title="Info")
    assert ok.status_code == 302
    detail = _url("meeting_detail", world, programme_pk=programme.pk, meeting_pk=meeting.pk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(detail, {"name": "Ans", "email": "ans@example.org", "language": "nl"})
    assert len(mailoutbox) == 1 and mailoutbox[0].subject == "Uitnodiging: Info"
    dup = client.post(detail, {"name": "Ans", "email": "ANS@example.org", "language": "nl"})
    assert "is al uitgenodigd" in dup.content.decode()


def test_client_staff_cannot_use_workspace_programme_pages(client, world, programme, unscoped):
    client.force_login(world.users[Role.CLIENT_STAFF])
    assert client.get(_url("programme_detail", world, programme_pk=programme.pk)).status_code == 403
    assert (
        client.get(
            reverse(
                "portal_programme", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
            )
        ).status_code
        == 200
    )


def test_admin_edits_the_plan_template(client, world, unscoped):
    from programmes.models import TemplateMilestone

    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    page = client.get(reverse("plan_template"))
    assert "Intakegesprek met de opdrachtgever" in page.content.decode()
    rows = {
        "rows-TOTAL_FORMS": "2",
        "rows-INITIAL_FORMS": "0",
        "rows-0-phase": "recruitment",
        "rows-0-title": "Flyers",
        "rows-0-offset_days": "10",
        "rows-1-phase": "kickoff",
        "rows-1-title": "Feest",
        "rows-1-offset_days": "-1",
    }
    bad = client.post(reverse("plan_template"), rows)
    assert "Zorg ervoor dat deze waarde minstens 0 is." in bad.content.decode()
    rows["rows-1-offset_days"] = "80"
    assert client.post(reverse("plan_template"), rows).status_code == 302
    titles = list(
        TemplateMilestone.objects.filter(organisation=world.consultancy).values_list(
            "title", flat=True
        )
    )
    assert titles == ["Flyers", "Feest"]


def test_team_member_invited_into_a_programme_joins_its_team(
    client, world, programme, unscoped, mailoutbox, django_capture_on_commit_callbacks
):
    import re

    from programmes.models import TeamMember

    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    data = {
        "name": "Tineke",
        "email": "tineke@example.org",
        "role": "team_member",
        "organisation": world.client.pk,
        "language": "nl",
    }
    missing = client.post(reverse("invitation_create"), data)
    assert "Kies het programma van het team" in missing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(reverse("invitation_create"), {**data, "programme": programme.pk})
    assert ok.status_code == 302
    client.logout()
    path = re.search(r"/invitation/\S+/", mailoutbox[-1].body).group(0)
    client.post(
        path, {"name": "Tineke", "password1": "Buurt-Team-2026!", "password2": "Buurt-Team-2026!"}
    )
    member = TeamMember.objects.get(user__email="tineke@example.org")
    assert member.programme == programme and not member.ready_for_rounds
    page = client.get(
        reverse("patrols:team_home", kwargs={"org": world.client.slug})
    ).content.decode()
    assert programme.name in page
