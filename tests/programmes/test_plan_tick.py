"""Ticking a milestone with htmx answers with the row and, out of band, the current phase and
progress bar, so the page is right at once without a reload."""

import re

from django.urls import reverse

from programmes import services
from programmes.models import Milestone, Phase
from programmes.permissions import Role


def test_the_tick_answers_with_the_updated_progress(client, world, programme, unscoped):
    services.plan_generate(actor=None, programme=programme)
    first, second = Milestone.objects.filter(programme=programme, phase=Phase.PREPARATION)
    total = Milestone.objects.filter(programme=programme).count()
    client.force_login(world.users[Role.PROJECT_LEADER])
    plan = client.get(
        reverse("programme_plan", kwargs={"org": world.client.slug, "programme_pk": programme.pk})
    ).content.decode()
    assert 'id="plan-status"' in plan and "hx-swap-oob" not in plan

    def tick(milestone):
        url = reverse(
            "milestone_done",
            kwargs={
                "org": world.client.slug,
                "programme_pk": programme.pk,
                "milestone_pk": milestone.pk,
            },
        )
        response = client.post(url, {"done": "1"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        return response.content.decode()

    page = tick(first)
    assert f'id="milestone-{first.pk}"' in page
    status = page[page.index('id="plan-status"') :]
    assert 'hx-swap-oob="true"' in status
    assert f"1/{total}" in status and 'value="7"' in status
    assert re.search(r"Huidige fase: <strong>Voorbereiding en intake</strong>", status)

    page = tick(second)
    status = page[page.index('id="plan-status"') :]
    assert f"2/{total}" in status
    assert "<strong>Werving</strong>" in status
