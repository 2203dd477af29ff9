"""The login request speaks the account's language: the "signed in" message is written while it
runs, so a Dutch account on an English browser must not be greeted in English."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django_scopes import scopes_disabled

from programmes.permissions import Role

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"), [("nl", "Je bent nu ingelogd"), ("en", "Successfully signed in")]
)
def test_the_signed_in_message_is_in_the_accounts_language(client, world, language, expected):
    with scopes_disabled():
        member = world.users[Role.TEAM_MEMBER]
        member.language = language
        member.save(update_fields=["language"])
    # The browser asks for the other language; no language cookie yet (a new phone).
    other = "en" if language == "nl" else "nl"
    response = client.post(
        reverse("account_login"),
        {"login": member.email, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE=other,
    )
    assert response.status_code == 302
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(expected in text for text in texts), texts
