"""Short dates follow the language of the page: the selection shows "1 dec." in Dutch and
"1 Dec." in English, never an English month in a Dutch page."""

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from programmes.permissions import Role
from recruitment import services
from recruitment.models import Application


def test_selection_dates_follow_the_language(client, world, team):
    programme = team[0]
    services.campaign_save(actor=None, programme=programme, is_open=True)
    application = services.application_submit(
        programme=programme,
        consent="ja",
        name="Piet Bakker",
        email="piet@example.org",
        street="Laan",
        house_number="1",
        postcode="3031 AB",
        motivation="Graag",
    )
    december = timezone.make_aware(dt.datetime(2026, 12, 1, 10, 0))
    Application.objects.filter(pk=application.pk).update(created_at=december)
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "recruitment:programme_selection",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    page = client.get(url).content.decode()
    assert "· 1 dec.</span>" in page
    assert "Dec" not in page

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(url).content.decode()
    assert "· 1 Dec.</span>" in page
