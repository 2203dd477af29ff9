"""The mail pages' rows are written in Python rather than by a template loop: what people
typed (a name, a subject) and an error text show as text, never as markup, and a failed
message keeps its "send again" form with the page's own address to come back to."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from programmes.models import OutboxMessage
from programmes.permissions import Role

MARKUP = '<b id="x">vet</b><script>alert(1)</script>"\'&'
ESCAPED = (
    "&lt;b id=&quot;x&quot;&gt;vet&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#x27;&amp;"
)


@pytest.fixture
def failed(world, programme):
    with scopes_disabled():
        return OutboxMessage.objects.create(
            organisation=world.client,
            programme=programme,
            template="test",
            to_email="x@example.org",
            to_name=f"Piet {MARKUP}",
            subject=f"Onderwerp {MARKUP}",
            body_text="tekst",
            status=OutboxMessage.Status.FAILED,
            last_error="timed out",
        )


def _shows_as_text(page: str) -> None:
    assert "<script>" not in page and '<b id="x">' not in page
    assert f"Piet {ESCAPED}" in page and f"Onderwerp {ESCAPED}" in page


def test_the_programme_mail_rows_escape_and_keep_the_retry_form(client, world, programme, failed):
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "programme_outbox", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    page = client.get(url).content.decode()
    _shows_as_text(page)
    retry = reverse(
        "outbox_retry",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk, "message_pk": failed.pk},
    )
    assert (
        f'<form method="post" action="{retry}"><input type="hidden" name="csrfmiddlewaretoken"'
        in page
    )


def test_the_consultancy_mail_rows_escape_and_keep_the_retry_form(client, world, failed):
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    page = client.get(reverse("mail_outbox") + "?status=failed&x=<b>").content.decode()
    _shows_as_text(page)
    retry = reverse("mail_retry", kwargs={"message_pk": failed.pk})
    assert (
        f'<form method="post" action="{retry}"><input type="hidden" name="csrfmiddlewaretoken"'
        in page
    )
    # Back to the same filtered page afterwards, its address escaped as an attribute.
    assert 'name="next" value="/mail/?status=failed&amp;x=%3Cb%3E"' in page or (
        'name="next" value="' + reverse("mail_outbox") + '?status=failed&amp;x=%3Cb%3E"' in page
    )
    assert '<span class="visually-hidden"> x@example.org</span>' in page
