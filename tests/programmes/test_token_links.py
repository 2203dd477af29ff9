"""Secrets of personal links never reach the logs: the invitation and meeting-reply tokens
leave the address at once, allauth's reset key does the same, and whatever Django or gunicorn
logs has them masked."""

import datetime as dt
import io
import logging
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes import services
from programmes.logredact import MASK, RedactSecretsFilter, redact
from programmes.models import Invitee, User
from programmes.permissions import Role

PASSWORD = "Buurt-Team-2026!"


@pytest.fixture
def invitation_link(world, mailoutbox, django_capture_on_commit_callbacks, unscoped):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(
            actor=world.users[Role.CONSULTANCY_ADMIN],
            organisation=world.client,
            email="nieuw@example.org",
            name="Nieuw Lid",
            role=Role.CLIENT_STAFF,
        )
    path = re.search(r"/invitation/[\w-]+/[\w-]+/", mailoutbox[-1].body).group(0)
    return path, path.rstrip("/").rsplit("/", 1)[-1]


def test_invitation_link_moves_the_token_out_of_the_address(client, world, invitation_link):
    path, token = invitation_link
    opened = client.get(path)
    assert opened.status_code == 302
    clean = opened["Location"]
    assert clean == reverse("invitation_continue", kwargs={"org": world.client.slug})
    assert token not in clean and opened["Cache-Control"] == "no-store"
    page = client.get(clean)
    assert page.status_code == 200 and token not in page.content.decode()
    assert "Gemeente noord" in page.content.decode()
    # The account is made on the token-free address.
    done = client.post(clean, {"name": "Nieuw Lid", "password1": PASSWORD, "password2": PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/home/"
    assert User.objects.get(email="nieuw@example.org").name == "Nieuw Lid"
    assert not [k for k, _ in client.session.items() if k.startswith("link_token:")]


def test_token_free_address_without_the_link_asks_for_it(client, world, invitation_link):
    page = client.get(reverse("invitation_continue", kwargs={"org": world.client.slug}))
    assert page.status_code == 200 and "werkt niet" in page.content.decode()
    posted = client.post(
        reverse("invitation_continue", kwargs={"org": world.client.slug}),
        {"name": "X", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert "werkt niet" in posted.content.decode()
    assert not User.objects.filter(email="nieuw@example.org").exists()


def test_the_session_token_is_bound_to_its_organisation(client, world, invitation_link):
    path, _ = invitation_link
    client.get(path)
    other = client.get(reverse("invitation_continue", kwargs={"org": world.other_client.slug}))
    assert "werkt niet" in other.content.decode() and "Gemeente noord" not in (
        other.content.decode()
    )


def test_unknown_token_gets_its_page_without_a_redirect(client, world, invitation_link):
    response = client.get(f"/invitation/{world.client.slug}/not-a-real-token/")
    assert response.status_code == 404 and "werkt niet" in response.content.decode()


def test_meeting_reply_link_moves_the_token_out(
    client, world, programme, mailoutbox, django_capture_on_commit_callbacks, unscoped
):
    start = timezone.now() + dt.timedelta(days=7)
    meeting = services.meeting_create(
        actor=world.users[Role.PROJECT_LEADER],
        programme=programme,
        kind="information",
        title="Informatiebijeenkomst",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        location="Buurthuis",
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitee = services.invitee_add(
            actor=None, meeting=meeting, name="Bewoner", email="b@example.org"
        )
    path = re.search(r"/meeting/[\w-]+/[\w-]+/", mailoutbox[-1].body).group(0)
    opened = client.get(path)
    clean = reverse("meeting_reply_continue", kwargs={"org": world.client.slug})
    assert opened.status_code == 302 and opened["Location"] == clean
    assert "Bewoner" in client.get(clean).content.decode()
    assert client.post(clean, {"attending": "yes", "guests": "1"}).status_code == 200
    invitee.refresh_from_db()
    assert invitee.status == Invitee.Status.ACCEPTED and invitee.guests == 1


def test_password_reset_key_leaves_the_address(client, world, mailoutbox):
    staff = world.users[Role.CLIENT_STAFF]
    client.post(reverse("account_reset_password"), {"email": staff.email})
    link = re.search(r"/accounts/password/reset/key/\S+/", mailoutbox[-1].body).group(0)
    key = link.rstrip("/").rsplit("/", 1)[-1].split("-", 1)[1]
    opened = client.get(link)
    assert opened.status_code == 302
    assert opened["Location"].endswith("-set-password/") and key not in opened["Location"]
    assert redact(opened["Location"]) == opened["Location"]  # nothing secret left to mask


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ('"GET /invitation/noord-gemeente/AbC_123-xyz/ HTTP/1.1" 302 0', "AbC_123-xyz"),
        ("Not Found: /invitation/noord-gemeente/AbC_123-xyz/extra", "AbC_123-xyz"),
        ('"POST /meeting/noord-gemeente/Tok3n-abc/ HTTP/1.1" 200', "Tok3n-abc"),
        ("GET /accounts/password/reset/key/4-cbx2y5-0f1e2d3c4b5a/ HTTP/1.1", "0f1e2d3c4b5a"),
        ("GET /accounts/confirm-email/MTk:1vx:abcdef/ HTTP/1.1", "abcdef"),
        ("GET /accounts/login/code/confirm/?code=K7PQ-2MXR HTTP/1.1", "K7PQ-2MXR"),
        ("GET /x/?next=/home/&token=s3cr3t HTTP/1.1", "s3cr3t"),
    ],
)
def test_redact_masks_secrets(line, secret):
    clean = redact(line)
    assert secret not in clean and MASK in clean


@pytest.mark.parametrize(
    "line",
    [
        '"GET /invitation/noord-gemeente/ HTTP/1.1" 200 512',
        '"GET /accounts/password/reset/key/4-set-password/ HTTP/1.1" 200',
        "GET /workspace/invitations/12/resend/ HTTP/1.1",
        "GET /workspace/clients/noord-gemeente/programmes/3/meetings/5/ HTTP/1.1",
    ],
)
def test_redact_leaves_ordinary_paths(line):
    assert redact(line) == line


@pytest.fixture
def console_output():
    """What the configured console handlers write, captured."""
    handlers = [
        h
        for logger in (logging.getLogger(), logging.getLogger("django.server"))
        for h in logger.handlers
        if any(isinstance(f, RedactSecretsFilter) for f in h.filters)
    ]
    assert len(handlers) == 2, "the settings' console and server handlers mask secrets"
    stream = io.StringIO()
    previous = [h.setStream(stream) for h in handlers]
    yield stream
    for handler, old in zip(handlers, previous, strict=True):
        handler.setStream(old)


def test_django_request_log_masks_the_token(client, world, console_output):
    client.get(f"/invitation/{world.client.slug}/Secr3t-Token-value/more/")  # a 404
    logged = console_output.getvalue()
    assert "Not Found" in logged and "Secr3t-Token-value" not in logged and MASK in logged


def test_development_server_log_masks_the_token(console_output):
    logging.getLogger("django.server").info(
        '"%s" %s %s',
        "GET /invitation/noord-gemeente/Secr3t-Token-value/ HTTP/1.1",
        302,
        0,
        extra={"server_time": "01/Dec/2026 21:00:00", "status_code": 302},
    )
    logged = console_output.getvalue()
    assert "Secr3t-Token-value" not in logged and MASK in logged


def test_gunicorn_access_log_masks_the_token():
    from types import SimpleNamespace

    from gunicorn.config import Config

    from config.gunicorn_logger import RedactingLogger

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/invitation/noord-gemeente/Secr3t-Token-value/",
        "PATH_INFO": "/invitation/noord-gemeente/Secr3t-Token-value/",
        "QUERY_STRING": "code=K7PQ-2MXR",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.5",
        "HTTP_REFERER": "https://site.example/meeting/noord-gemeente/Other-Secret/",
    }
    req = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    resp = SimpleNamespace(
        status="302 Found", response_length=0, sent=0, headers=[], status_code=302
    )
    atoms = RedactingLogger(Config()).atoms(resp, req, environ, dt.timedelta(seconds=0.01))
    line = " ".join(str(v) for v in atoms.values())
    assert "Secr3t-Token-value" not in line and "K7PQ-2MXR" not in line
    assert "Other-Secret" not in line and MASK in atoms["r"]


def test_login_code_link_leaves_the_address(client, world, mailoutbox):
    member = world.users[Role.TEAM_MEMBER]
    client.post(reverse("account_request_login_code"), {"email": member.email})
    link = re.search(r"/accounts/login/code/confirm/\?code=(\S+)", mailoutbox[-1].body)
    code = link.group(1)
    opened = client.get(link.group(0))
    assert opened.status_code == 302 and code not in opened["Location"]
    first = client.get(opened["Location"]).content.decode()
    assert f'value="{code}"' in first and "login-code.js" in first
    # Filled in once: the session does not keep the code around.
    again = client.get(opened["Location"]).content.decode()
    assert code not in again and "login-code.js" not in again
