"""Redis away: the cache answers from process memory, so logging in and applying through the
public form keep working (no 500, nothing lost), and the limits still count."""

import logging
import socket
import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_scopes import scopes_disabled

from programmes.permissions import Role
from recruitment import services as recruitment
from recruitment.models import Application
from recruitment.views import APPLY_LIMIT

from ..factories import PASSWORD

FORM = {
    "name": "Fatma Yilmaz",
    "email": "fatma@example.org",
    "phone": "06 12345678",
    "street": "Lindelaan",
    "house_number": "7",
    "postcode": "3031ab",
    "motivation": "Ik wil dat mijn straat schoon en gezellig blijft.",
    "availability": "Zaterdagochtend",
    "consent": "on",
    "website": "",
}


@pytest.fixture
def redis_away(settings):
    """The cache points at Redis on a port where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "programmes.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }
    return port


def test_cache_calls_fall_back_to_memory(redis_away, caplog):
    from django.core.cache import caches

    from programmes.cache import ResilientRedisCache

    assert isinstance(caches["default"], ResilientRedisCache)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="programmes.cache"):
        assert cache.get("k") is None
        assert cache.add("k", 1, timeout=60) is True
        assert cache.add("k", 1, timeout=60) is False  # the stand-in still holds it
        assert cache.incr("k") == 2
        cache.set("other", "x")
        assert cache.get_many(["k", "other"]) == {"k": 2, "other": "x"}
        cache.delete("k")
        assert cache.get("k") is None
    assert time.monotonic() - started < 2
    warnings = [r for r in caplog.records if r.name == "programmes.cache"]
    assert len(warnings) == 1 and "cache unavailable" in warnings[0].getMessage()


def test_login_works_while_redis_is_away(client, world, redis_away):
    staff = world.users[Role.CLIENT_STAFF]
    response = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/home/"
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_wrong_password_while_redis_is_away_is_a_form_error(client, world, redis_away):
    response = client.post(
        reverse("account_login"),
        {"login": world.users[Role.CLIENT_STAFF].email, "password": "fout"},
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_public_application_works_while_redis_is_away(
    client, world, programme, redis_away, mailoutbox, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        recruitment.campaign_save(actor=None, programme=programme, is_open=True)
    url = reverse(
        "recruitment:apply", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, FORM)
    assert response.status_code == 200
    assert "Dank je wel voor je aanmelding!" in response.content.decode()
    with scopes_disabled():
        application = Application.objects.get(email="fatma@example.org")
    assert application.name == "Fatma Yilmaz" and application.postcode == "3031 AB"
    assert len(mailoutbox) == 1 and "fatma@example.org" in mailoutbox[0].to[0]
    # The limit still counts, in this process's memory.
    for i in range(APPLY_LIMIT - 1):
        assert client.post(url, {**FORM, "email": f"r{i}@example.org"}).status_code == 200
    assert client.post(url, {**FORM, "email": "late@example.org"}).status_code == 429


def test_cache_goes_back_to_redis_once_it_answers_again(monkeypatch):
    """A private Redis, stopped and started: the stand-in answers in between, and Redis is
    used again (and shared by processes again) once it is back."""
    import redis as redis_client

    from programmes import cache as module

    from .worker_support import PrivateRedis, wait_for

    monkeypatch.setattr(module, "RETRY_AFTER", 0.2)
    server = PrivateRedis()
    server.start()
    try:
        backend = module.ResilientRedisCache(server.url, {})
        raw = redis_client.Redis.from_url(server.url)
        backend.set("k", "in redis")
        assert backend.get("k") == "in redis" and raw.keys("*k")
        server.stop()
        assert backend.get("k") is None  # not in this process's memory
        backend.set("k", "in memory")
        assert backend.get("k") == "in memory"
        server.start()  # empty again: it keeps nothing on disk

        def lands_in_redis():
            backend.set("k", "back")
            return bool(raw.keys("*k"))

        assert wait_for(lands_in_redis, timeout=5)
        assert backend.get("k") == "back"
    finally:
        server.stop()
