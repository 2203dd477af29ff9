"""Response headers that keep personal data out of caches, the Permissions-Policy, logout
clearing the browser's cache, and the request size limit (413, never 500)."""

import json

from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import reverse

from programmes.models import Document
from programmes.permissions import Role
from trainings.documents import CERTIFICATE

NO_STORE = "no-store, private"


def test_logged_in_page_is_not_stored_and_features_are_limited(client, world, team):
    client.force_login(team[1])
    response = client.get(reverse("patrols:team_home", kwargs={"org": world.client.slug}))
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE
    policy = response["Permissions-Policy"]
    assert "geolocation=(self)" in policy  # the phone app needs the position
    assert "camera=()" in policy and "microphone=()" in policy and "payment=()" in policy


def test_certificate_download_is_not_stored(client, world, team, unscoped):
    member = team[1]
    document = Document.objects.create(
        organisation=world.client,
        kind=CERTIFICATE,
        status=Document.Status.READY,
        owner=member,
        file=ContentFile(b"%PDF-1.4 certificate", name="certificate.pdf"),
    )
    client.force_login(member)
    response = client.get(
        reverse(
            "patrols:team_document", kwargs={"org": world.client.slug, "document_pk": document.pk}
        )
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == NO_STORE
    assert "Permissions-Policy" in response


def test_public_page_stays_cacheable_and_a_view_keeps_its_own_choice(client, world):
    response = client.get(reverse("root"))
    assert response.status_code in (200, 302)
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Permissions-Policy" in response
    # The service worker sets its own caching, for anyone.
    client.force_login(world.users[Role.TEAM_MEMBER])
    worker = client.get(reverse("patrols:team_sw"))
    assert worker["Cache-Control"] == "no-cache"


def test_static_files_get_no_privacy_headers(client, world, settings):
    from programmes.middleware import PrivacyHeadersMiddleware

    def static_view(request):
        from django.http import HttpResponse

        return HttpResponse("body{}", content_type="text/css")

    class Request:
        path_info = settings.STATIC_URL + "css/app.css"
        user = world.users[Role.TEAM_MEMBER]

    response = PrivacyHeadersMiddleware(static_view)(Request())
    assert "Cache-Control" not in response and "Permissions-Policy" not in response


def test_logout_clears_the_browser_cache_but_not_storage(client, world):
    client.force_login(world.users[Role.TEAM_MEMBER])
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache"'  # never "storage": unsent records stay
    assert response["Cache-Control"] == NO_STORE
    # Only the logout itself: another page does not clear anything.
    assert "Clear-Site-Data" not in client.get(reverse("account_login"))


def test_logout_page_warns_about_unsent_records(client, world):
    client.force_login(world.users[Role.TEAM_MEMBER])
    page = client.get(reverse("account_logout")).content.decode()
    assert "data-logout=" in page and "nog niet alles" in page.lower()
    assert "js/logout.js" in page


@override_settings(REQUEST_MAX_BYTES=1000)
def test_oversize_body_is_answered_413_with_a_dutch_page(client, world):
    client.force_login(world.users[Role.PROJECT_LEADER])
    response = client.post(
        reverse("account_login"), data="x" * 5000, content_type="application/octet-stream"
    )
    assert response.status_code == 413
    assert "te groot" in response.content.decode()


@override_settings(REQUEST_MAX_BYTES=1000)
def test_oversize_body_from_the_phone_gets_a_reason(client, world, team):
    client.force_login(team[1])
    response = client.post(
        reverse("patrols:api_signal", kwargs={"org": world.client.slug}),
        data=json.dumps({"description": "x" * 5000}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 413
    body = response.json()
    assert body["permanent"] is True and "te groot" in body["reason"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_request_data_too_big_is_413_not_500(client, world, team):
    # Under the overall limit but over Django's own limit for form data: Django raises
    # RequestDataTooBig only when the body is read (by the CSRF check or the view).
    client.raise_request_exception = False
    client.force_login(world.users[Role.PROJECT_LEADER])
    form = client.post(reverse("account_email"), {"email": "a@example.org", "note": "x" * 5000})
    assert form.status_code == 413
    assert "te groot" in form.content.decode()
    client.force_login(team[1])
    api = client.post(
        reverse("patrols:api_signal", kwargs={"org": world.client.slug}),
        data=json.dumps({"description": "x" * 5000}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert api.status_code == 413 and api.json()["permanent"] is True
