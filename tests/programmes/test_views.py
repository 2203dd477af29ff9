"""The pages of the base app as a user meets them: forms, messages, redirects, headers."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled
from PIL import Image

from programmes import services
from programmes.models import AuditEntry, Invitation, Organisation, User
from programmes.permissions import Role

from ..factories import PASSWORD, UserFactory


def _png(size=(64, 64), fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "#336699").save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    return client


@pytest.mark.parametrize(
    ("role", "target"),
    [
        (Role.CONSULTANCY_ADMIN, "/workspace/"),
        (Role.PROJECT_LEADER, "/workspace/"),
        (Role.CLIENT_STAFF, "/portal/noord-gemeente/"),
        (Role.TEAM_MEMBER, "/team/noord-gemeente/"),
    ],
)
def test_each_role_lands_on_its_home(client, world, role, target):
    client.force_login(world.users[role])
    response = client.get("/home/")
    assert response.status_code == 302 and response["Location"] == target
    assert client.get(target).status_code == 200


def test_consultancy_staff_without_2fa_must_set_it_up(client, world):
    with scopes_disabled():
        pl = UserFactory(role=Role.PROJECT_LEADER, organisation=world.consultancy, totp=False)
    client.force_login(pl)
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    page = client.get(response["Location"], follow=True).content.decode()
    assert "tweestapsverificatie" in page.lower()


def test_client_staff_need_no_2fa(client, world):
    with scopes_disabled():
        staff = UserFactory(role=Role.CLIENT_STAFF, organisation=world.client, totp=False)
    client.force_login(staff)
    assert client.get(f"/portal/{world.client.slug}/").status_code == 200


def test_create_client_with_logo(admin_client, world):
    response = admin_client.post(
        reverse("client_create"),
        {
            "name": "Gemeente Oost",
            "kind": "municipality",
            "brand_colour": "#aa3300",
            "postcode": "1234ab",
            "city": "Oostdorp",
            "contact_name": "Els",
            "contact_email": "els@oost.example",
            "logo": SimpleUploadedFile("logo.jpg", _png(fmt="JPEG"), content_type="image/jpeg"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        org = Organisation.objects.get(name="Gemeente Oost")
        assert org.consultancy == world.consultancy and org.postcode == "1234 AB"
        assert AuditEntry.objects.filter(
            action="organisation.created", object_id=str(org.pk)
        ).exists()
    with org.logo.open("rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"  # re-encoded
    logo = admin_client.get(reverse("org_logo", kwargs={"org": org.slug}))
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"


def test_client_form_errors_are_dutch_and_keep_input(admin_client):
    response = admin_client.post(
        reverse("client_create"),
        {
            "name": "",
            "kind": "consultancy",
            "brand_colour": "rood",
            "postcode": "12",
            "contact_email": "geen-adres",
            "city": "Behouden",
            "logo": SimpleUploadedFile(
                "logo.png", b"<svg>not an image</svg>", content_type="image/png"
            ),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dit veld is verplicht." in page
    assert "Voer een kleur in" in page
    assert "Voer een Nederlandse postcode in" in page
    assert "Voer een geldig e-mailadres in." in page
    assert "geen afbeelding" in page.lower() or "Upload een geldige afbeelding" in page
    assert 'value="Behouden"' in page
    with scopes_disabled():
        assert not Organisation.objects.filter(city="Behouden").exists()


def test_oversized_logo_is_refused(admin_client, settings):
    settings.LOGO_MAX_BYTES = 1000
    response = admin_client.post(
        reverse("client_create"),
        {
            "name": "Groot",
            "kind": "other",
            "brand_colour": "#000000",
            "logo": SimpleUploadedFile(
                "big.png", _png((400, 400)) + b"0" * 2000, content_type="image/png"
            ),
        },
    )
    assert response.status_code == 200
    assert "te groot" in response.content.decode()


def test_update_client(admin_client, world):
    url = reverse("client_update", kwargs={"org": world.client.slug})
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url, {"name": "Gemeente Noord-Oost", "kind": "municipality", "brand_colour": "#123456"}
    )
    assert response.status_code == 302
    world.client.refresh_from_db()
    assert world.client.name == "Gemeente Noord-Oost" and world.client.slug == "noord-gemeente"


def test_client_list_search_and_filter(admin_client, world):
    page = admin_client.get(reverse("client_list"), {"q": "woonstichting"}).content.decode()
    assert world.other_client.name in page and world.client.name not in page
    page = admin_client.get(reverse("client_list"), {"kind": "municipality"}).content.decode()
    assert world.client.name in page and world.other_client.name not in page
    assert (
        admin_client.get(reverse("client_list"), {"kind": "<script>", "q": "x" * 500}).status_code
        == 200
    )


def test_invite_form_and_accept_flow(
    admin_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("invitation_create"),
            {
                "name": "Wim Wijk",
                "email": "wim@noord.example",
                "role": "client_staff",
                "organisation": world.client.pk,
                "language": "nl",
            },
        )
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["Wim Wijk <wim@noord.example>"]
    link = re.search(r"http://\S+/invitation/\S+/", mailoutbox[0].body).group(0)
    path = link.split("8000", 1)[-1] if "8000" in link else link
    admin_client.logout()
    # The link's token leaves the address at once: the page lives on a token-free address.
    opened = admin_client.get(path)
    assert opened.status_code == 302
    path = opened["Location"]
    assert path == f"/invitation/{world.client.slug}/"
    page = admin_client.get(path)
    assert page.status_code == 200 and "Gemeente noord" in page.content.decode()
    bad = admin_client.post(path, {"name": "Wim", "password1": "kort", "password2": "anders"})
    assert bad.status_code == 200 and "niet hetzelfde" in bad.content.decode()
    bad = admin_client.post(path, {"name": "Wim", "password1": "12345678", "password2": "12345678"})
    assert "te algemeen" in bad.content.decode() or "volledig uit cijfers" in bad.content.decode()
    done = admin_client.post(
        path, {"name": "Wim Wijk", "password1": "Buurt-Team-2026!", "password2": "Buurt-Team-2026!"}
    )
    assert done.status_code == 302 and done["Location"] == "/home/"
    assert admin_client.get("/home/")["Location"] == f"/portal/{world.client.slug}/"
    admin_client.logout()
    reused = admin_client.get(link.split("8000", 1)[-1] if "8000" in link else link)
    assert reused.status_code == 410 and "al gebruikt" in reused.content.decode()


def test_invite_form_errors(admin_client, world):
    response = admin_client.post(
        reverse("invitation_create"),
        {
            "name": "",
            "email": world.users[Role.CLIENT_STAFF].email,
            "role": "project_leader",
            "organisation": world.client.pk,
            "language": "nl",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Er bestaat al een account met dit e-mailadres." in page
    assert "Medewerkers van het adviesbureau horen bij het adviesbureau zelf." in page


def test_invite_form_offers_only_own_organisations(admin_client, world, other_world):
    response = admin_client.post(
        reverse("invitation_create"),
        {
            "name": "X",
            "email": "x@example.org",
            "role": "client_staff",
            "organisation": other_world.client.pk,
            "language": "nl",
        },
    )
    assert response.status_code == 200
    assert "Selecteer een geldige keuze" in response.content.decode()
    with scopes_disabled():
        assert not Invitation.objects.filter(email="x@example.org").exists()


def test_expired_and_unknown_invitation_links(
    client, world, django_capture_on_commit_callbacks, mailoutbox
):
    from datetime import timedelta

    from django.utils import timezone

    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        inv = services.invitation_create(
            actor=world.users[Role.CONSULTANCY_ADMIN],
            organisation=world.client,
            email="oud@example.org",
            name="Oud",
            role=Role.CLIENT_STAFF,
        )
        Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now() - timedelta(days=1))
    path = re.search(r"/invitation/\S+/", mailoutbox[0].body).group(0)
    expired = client.get(path)
    assert expired.status_code == 410 and "verlopen" in expired.content.decode()
    assert (
        client.post(
            path, {"name": "x", "password1": "Buurt-Team-2026!", "password2": "Buurt-Team-2026!"}
        ).status_code
        == 410
    )
    unknown = client.get(f"/invitation/{world.client.slug}/not-a-real-token/")
    assert unknown.status_code == 404 and "werkt niet" in unknown.content.decode()
    # A valid token presented under another organisation's URL does not work either.
    other = client.get(path.replace(world.client.slug, world.other_client.slug))
    assert other.status_code == 404


def test_resend_and_revoke_from_user_list(
    admin_client, world, django_capture_on_commit_callbacks, mailoutbox
):
    with scopes_disabled():
        inv = services.invitation_create(
            actor=world.users[Role.CONSULTANCY_ADMIN],
            organisation=world.client,
            email="later@example.org",
            name="Later",
            role=Role.CLIENT_STAFF,
        )
    page = admin_client.get(reverse("user_list")).content.decode()
    assert "later@example.org" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = admin_client.post(
            reverse("invitation_resend", kwargs={"invitation_pk": inv.pk}),
            {"next": "https://evil.example/"},
        )
    assert r.status_code == 302 and r["Location"] == reverse("user_list")
    assert len(mailoutbox) == 1
    admin_client.post(reverse("invitation_revoke", kwargs={"invitation_pk": inv.pk}))
    inv.refresh_from_db()
    assert inv.status == Invitation.Status.REVOKED
    followed = admin_client.post(
        reverse("invitation_resend", kwargs={"invitation_pk": inv.pk}), follow=True
    )
    assert "niet meer verstuurd" in followed.content.decode()


def test_blocked_user_cannot_log_in(client, world):
    staff = world.users[Role.CLIENT_STAFF]
    with scopes_disabled():
        services.user_set_active(
            actor=world.users[Role.CONSULTANCY_ADMIN], user=staff, active=False
        )
    response = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)


def test_login_with_password_lands_on_home(client, world):
    staff = world.users[Role.CLIENT_STAFF]
    response = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/home/"


def test_wrong_password_message_is_dutch(client, world):
    response = client.post(
        reverse("account_login"),
        {"login": world.users[Role.CLIENT_STAFF].email, "password": "fout"},
    )
    assert response.status_code == 200
    assert "e-mailadres en/of wachtwoord is niet correct" in response.content.decode()


def test_too_many_failed_logins_are_rate_limited(client, world):
    email = world.users[Role.CLIENT_STAFF].email
    statuses = [
        client.post(reverse("account_login"), {"login": email, "password": f"fout-{i}"}).status_code
        for i in range(7)
    ]
    assert statuses == [200] * 7
    # Even the right password is refused now, with a clear Dutch message.
    last = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Te veel inlogpogingen. Probeer het later nogmaals." in last.content.decode()


def test_request_flood_gets_the_429_page(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    statuses = [
        client.post(
            reverse("account_login"), {"login": "x@example.org", "password": "x"}
        ).status_code
        for _ in range(4)
    ]
    assert statuses[-1] == 429
    assert (
        "Te veel pogingen"
        in client.post(
            reverse("account_login"), {"login": "x@example.org", "password": "x"}
        ).content.decode()
    )


def test_staff_login_asks_for_totp(client, world):
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    from ..factories import TOTP_SECRET

    admin = world.users[Role.CONSULTANCY_ADMIN]
    response = client.post(reverse("account_login"), {"login": admin.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    code = format_hotp_value(hotp_value(TOTP_SECRET, next(yield_hotp_counters_from_time())))
    ok = client.post(reverse("mfa_authenticate"), {"code": code})
    assert ok.status_code == 302 and ok["Location"] == "/home/"
    assert client.get("/workspace/").status_code == 200


def test_team_member_logs_in_with_code(client, world, mailoutbox):
    member = world.users[Role.TEAM_MEMBER]
    response = client.post(reverse("account_request_login_code"), {"email": member.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", mailoutbox[0].body).group(1)
    wrong = client.post(reverse("account_confirm_login_code"), {"code": "AAAAAA"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    done = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert done.status_code == 302
    assert client.get("/home/")["Location"] == f"/team/{world.client.slug}/"


def test_password_reset_sends_mail(client, world, mailoutbox):
    staff = world.users[Role.CLIENT_STAFF]
    response = client.post(reverse("account_reset_password"), {"email": staff.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and "/accounts/password/reset/key/" in mailoutbox[0].body


def test_no_public_signup(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "Buurt-Team-2026!",
            "password2": "Buurt-Team-2026!",
        },
    )
    assert not User.objects.filter(email="new@example.org").exists()
    assert response.status_code == 200


def test_language_switch_saves_on_account(client, world):
    staff = world.users[Role.CLIENT_STAFF]
    client.force_login(staff)
    response = client.post(reverse("language_switch"), {"language": "en", "next": "/home/"})
    assert response.status_code == 302 and response["Location"] == "/home/"
    staff.refresh_from_db()
    assert staff.language == "en"
    page = client.get(f"/portal/{world.client.slug}/").content.decode()
    assert "Client portal" in page and '<html lang="en">' in page
    client.post(reverse("language_switch"), {"language": "xx", "next": "https://evil.example/"})
    staff.refresh_from_db()
    assert staff.language == "en"


def test_account_language_applies_on_new_device(client, world):
    staff = world.users[Role.CLIENT_STAFF]
    staff.language = "en"
    staff.save(update_fields=["language"])
    client.force_login(staff)
    assert "Client portal" in client.get(f"/portal/{world.client.slug}/").content.decode()


def test_default_language_is_dutch(client, db):
    page = client.get(reverse("account_login")).content.decode()
    assert '<html lang="nl">' in page and "Inloggen" in page


def test_csp_header_with_nonce_and_no_unsafe_inline(client, db):
    response = client.get(reverse("account_login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    page = response.content.decode()
    nonce_match = re.search(r"'nonce-([^']+)'", csp)
    nonce = nonce_match.group(1) if nonce_match else "no nonce issued"
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", page):
        assert "src=" in tag or f'nonce="{nonce}"' in tag, tag
    assert "style=" not in page.replace('"style=', "")


def test_page_landmarks_and_skip_link(client, world):
    client.force_login(world.users[Role.CLIENT_STAFF])
    page = client.get(f"/portal/{world.client.slug}/").content.decode()
    assert 'class="skip-link" href="#main"' in page and '<main id="main"' in page
    assert "<nav" in page and "<header" in page and "<footer" in page


def test_health(client, db):
    assert client.get("/health/").json() == {"status": "ok"}


def test_unknown_page_is_a_friendly_404(client, db):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404 and "Pagina niet gevonden" in response.content.decode()


def test_audit_log_filter_and_pagination(admin_client, world):
    with scopes_disabled():
        for i in range(60):
            services.organisation_update(
                actor=world.users[Role.CONSULTANCY_ADMIN],
                organisation=world.client,
                city=f"Stad {i}",
            )
    page1 = admin_client.get(reverse("audit_log"), {"org": world.client.slug}).content.decode()
    assert page1.count("<td>Organisatie gewijzigd</td>") == 50
    assert "organisation.updated" not in page1  # no raw codes on screen
    page2 = admin_client.get(
        reverse("audit_log"), {"org": world.client.slug, "page": 2}
    ).content.decode()
    assert page2.count("<td>Organisatie gewijzigd</td>") == 10
    assert admin_client.get(reverse("audit_log"), {"page": "x"}).status_code == 200
