"""The login-code mail's one-tap link; the account's only e-mail address stays."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from programmes.permissions import Role


def _link(mail) -> str:
    return re.search(r"(https?://\S+/accounts/login/code/confirm/\?code=\S+)", mail.body).group(1)


def test_mail_carries_code_and_link_on_the_site_address(client, world, mailoutbox, settings):
    settings.SITE_URL = "https://app.bewonersteam.example"
    member = world.users[Role.TEAM_MEMBER]
    client.post(reverse("account_request_login_code"), {"email": member.email})
    (mail,) = mailoutbox
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", mail.body).group(1)
    link = _link(mail)
    assert link == f"https://app.bewonersteam.example/accounts/login/code/confirm/?code={code}"
    assert "15 minuten" in mail.body and "Je inlogcode" in mail.body


def test_link_in_the_same_browser_fills_in_and_sends_the_code(client, world, mailoutbox):
    member = world.users[Role.TEAM_MEMBER]
    client.post(reverse("account_request_login_code"), {"email": member.email})
    path = _link(mailoutbox[0]).split("://", 1)[1].split("/", 1)[1]
    # The code leaves the address at once: the page continues without it.
    opened = client.get("/" + path)
    code = path.rsplit("=", 1)[1]
    assert opened.status_code == 302 and opened["Location"] == reverse("account_confirm_login_code")
    page = client.get(opened["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and f'value="{code}"' in html
    assert "/static/js/login-code.js" in html and "<script>" not in html
    # The script posts the form as it is; the code logs the member in, once.
    done = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert done.status_code == 302 and "_auth_user_id" in client.session
    again = client.get("/" + path)
    assert again.status_code == 302  # logged in already: on to the app, nothing reused


def test_link_elsewhere_logs_nobody_in_and_says_why(client, world, mailoutbox):
    from django.test import Client

    member = world.users[Role.TEAM_MEMBER]
    client.post(reverse("account_request_login_code"), {"email": member.email})
    path = "/" + _link(mailoutbox[0]).split("://", 1)[1].split("/", 1)[1]
    other = Client()  # another browser: no pending login in its session
    answer = other.get(path, follow=True)
    assert answer.redirect_chain[-1][0] == reverse("account_request_login_code")
    assert "_auth_user_id" not in other.session
    assert "alleen in de browser" in answer.content.decode()


def test_wrong_code_in_link_is_not_sent_again_and_again(client, world, mailoutbox):
    member = world.users[Role.TEAM_MEMBER]
    client.post(reverse("account_request_login_code"), {"email": member.email})
    page = client.get(reverse("account_confirm_login_code") + "?code=<script>")
    html = page.content.decode()
    assert page.status_code == 200 and "login-code.js" not in html and "&lt;script" not in html
    wrong = client.post(reverse("account_confirm_login_code"), {"code": "AAAA-AAAA"})
    assert wrong.status_code == 200 and "login-code.js" not in wrong.content.decode()


@pytest.mark.parametrize("role", [Role.TEAM_MEMBER, Role.CLIENT_STAFF])
def test_only_email_address_cannot_be_removed(client, world, role):
    user = world.users[role]
    address = EmailAddress.objects.get(user=user, email=user.email)
    client.force_login(user)
    page = client.get(reverse("account_email"))
    html = page.content.decode()
    assert page.status_code == 200 and user.email in html
    assert 'name="action_remove"' not in html
    refused = client.post(
        reverse("account_email"), {"action_remove": "", "email": user.email}, follow=True
    )
    assert EmailAddress.objects.filter(pk=address.pk).exists()
    assert "Je kunt" in refused.content.decode()


def test_account_page_looks_like_the_app_for_members(client, world):
    member = world.users[Role.TEAM_MEMBER]
    client.force_login(member)
    html = client.get(reverse("account_email")).content.decode()
    assert "app-shell" in html and reverse("home") in html
    staff = world.users[Role.CLIENT_STAFF]
    client.force_login(staff)
    html = client.get(reverse("account_email")).content.decode()
    assert "app-shell" not in html
