"""The project leader's patrol pages and the client's effort overview."""

import datetime as dt
import uuid

from django.urls import reverse
from django.utils import timezone

from patrols import services as patrols
from patrols.models import EffortRule, RewardHandout, RoundSlot, SignalCategory
from programmes.permissions import Role


def _url(name, world, programme, **kw):
    return reverse(name, kwargs={"org": world.client.slug, "programme_pk": programme.pk, **kw})


def test_schedule_weekly_rounds(client, world, team):
    programme = team[0]
    client.force_login(world.users[Role.PROJECT_LEADER])
    start = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT19:00")
    bad = client.post(
        _url("patrols:programme_rounds", world, programme),
        {"starts_at": "2020-01-01T10:00", "meeting_point": "", "weeks": "99"},
    )
    page = bad.content.decode()
    assert "Plan de ronde in de toekomst." in page and "Dit veld is verplicht." in page
    ok = client.post(
        _url("patrols:programme_rounds", world, programme),
        {
            "starts_at": start,
            "duration_minutes": 90,
            "meeting_point": "Plein",
            "min_walkers": 2,
            "weeks": 4,
        },
    )
    assert ok.status_code == 302 and RoundSlot.objects.filter(programme=programme).count() == 4
    page = client.get(_url("patrols:programme_rounds", world, programme)).content.decode()
    assert "Plein" in page


def test_categories_page(client, world, team):
    programme = team[0]
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = _url("patrols:programme_categories", world, programme)
    assert "Verlichting" in client.get(url).content.decode()
    parent = SignalCategory.objects.get(programme=programme, name="Verlichting")
    client.post(
        url, {"parent": parent.pk, "name": "Lantaarnpaal", "handling_days": 3, "is_active": "on"}
    )
    assert SignalCategory.objects.filter(parent=parent, name="Lantaarnpaal").exists()
    client.post(url, {"toggle": parent.pk})
    parent.refresh_from_db()
    assert not parent.is_active


def test_effort_rule_and_reward(client, world, team):
    programme, member, _ = team
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = _url("patrols:programme_effort", world, programme)
    client.post(
        url, {"min_rounds": 1, "min_hours": "1.0", "min_team_meetings": 0, "reward": "Bioscoopbon"}
    )
    assert EffortRule.objects.get(programme=programme).reward == "Bioscoopbon"
    now = timezone.localtime()
    round_, _ = patrols.round_start(
        actor=member, programme=programme, uuid=uuid.uuid4(), started_at=now - dt.timedelta(hours=3)
    )
    patrols.round_end(actor=member, round_=round_, ended_at=now - dt.timedelta(hours=1))
    month = f"{(now - dt.timedelta(hours=3)).year}-{(now - dt.timedelta(hours=3)).month:02d}"
    client.force_login(world.users[Role.CLIENT_STAFF])
    portal = reverse(
        "patrols:portal_effort", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    page = client.get(portal, {"month": month}).content.decode()
    # The client's staff see a member by first name (they did not share more).
    assert member.first_name in page and member.name not in page and "Bioscoopbon" in page
    client.post(portal, {"reward_user": member.pk, "month": month, "handed_out": "1"})
    assert RewardHandout.objects.filter(user=member).count() == 1
    assert (
        client.post(portal, {"min_rounds": 9}).status_code == 403
    )  # the client cannot change the rule
    other = world.users[Role.CLIENT_STAFF]
    response = client.post(
        portal, {"reward_user": other.pk, "month": month, "handed_out": "1"}, follow=True
    )
    assert "niet gehaald" in response.content.decode()
    assert client.get(portal, {"month": "junk"}).status_code == 200


def test_round_reminder_the_day_before_once(
    world, team, mailoutbox, django_capture_on_commit_callbacks
):
    programme, member, _ = team
    (slot,) = patrols.round_slot_create(
        actor=world.users[Role.PROJECT_LEADER],
        programme=programme,
        starts_at=timezone.now() + dt.timedelta(hours=20),
        meeting_point="Plein",
    )
    patrols.round_signup(actor=member, slot=slot)
    from patrols.tasks import round_reminders_send

    with django_capture_on_commit_callbacks(execute=True):
        assert round_reminders_send() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert round_reminders_send() == 0
    assert len(mailoutbox) == 1 and "Morgen loop je een ronde" in mailoutbox[0].subject


def test_plan_and_obligation_forms_label_their_fields_and_point_to_their_errors(
    client, world, team
):
    """The forms of the rounds and effort pages (plain markup, no crispy-forms): each field
    has its label, a wrong one is marked invalid and points to its message, what was typed
    comes back, the help text is linked and the CSRF token is in the form."""
    programme = team[0]
    client.force_login(world.users[Role.PROJECT_LEADER])
    rounds = _url("patrols:programme_rounds", world, programme)
    page = client.get(rounds).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
    for field in ("starts_at", "duration_minutes", "meeting_point", "area", "min_walkers"):
        assert f'<label for="id_{field}"' in page and f'id="id_{field}"' in page
    assert 'name="duration_minutes" value="90" min="15" max="480"' in page
    assert 'aria-describedby="id_weeks_helptext"' in page and 'id="id_weeks_helptext"' in page
    page = client.post(
        rounds,
        {"starts_at": "2020-01-01T10:00", "meeting_point": "", "area": "Plein <b>", "weeks": "1"},
    ).content.decode()
    assert 'value="2020-01-01T10:00"' in page and 'value="Plein &lt;b&gt;"' in page
    assert 'aria-invalid="true" aria-describedby="id_starts_at_error"' in page
    assert 'id="id_starts_at_error" class="invalid-feedback"' in page
    assert "Plan de ronde in de toekomst." in page
    assert 'aria-describedby="id_meeting_point_error"' in page
    assert 'name="duration_minutes" min="15"' in page  # not sent: no value, not the initial 90
    assert 'aria-describedby="id_area_error"' not in page

    effort = _url("patrols:programme_effort", world, programme)
    page = client.post(
        effort, {"min_rounds": "-1", "min_hours": "1.5", "min_team_meetings": "", "reward": "Bon"}
    ).content.decode()
    assert 'aria-describedby="id_min_rounds_error"' in page
    assert 'aria-describedby="id_min_team_meetings_error"' in page
    assert 'name="min_hours" value="1.5"' in page and 'value="Bon"' in page
    client.post(
        effort, {"min_rounds": 2, "min_hours": "4.5", "min_team_meetings": 1, "reward": "Bon"}
    )
    page = client.get(effort).content.decode()
    # A number field takes the stored decimal as the browser reads it: a point, not a comma.
    assert 'name="min_hours" value="4.5" step="0.1"' in page
    assert '<label for="id_min_rounds" class="form-label requiredField">' in page
    assert "is-invalid" not in page
