"""Failed logins: five wrong passwords from one address lock that address out of the
account, never the owner everywhere; a guess spread over many addresses is still slowed."""

import pytest
from django.test import Client
from django.urls import reverse

from programmes.net import client_ip, client_key
from programmes.permissions import Role

from ..factories import PASSWORD

TOO_MANY = "Te veel inlogpogingen. Probeer het later nogmaals."


def _post(client, email, password, address, **headers):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def test_five_wrong_passwords_do_not_lock_the_owner_out_elsewhere(world):
    email = world.users[Role.CLIENT_STAFF].email
    attacker, owner = Client(), Client()
    for i in range(5):
        _post(attacker, email, f"fout-{i}", "203.0.113.66")
    # Address A is limited now, even with the right password.
    refused = _post(attacker, email, PASSWORD, "203.0.113.66")
    assert TOO_MANY in refused.content.decode() and "_auth_user_id" not in attacker.session
    # The owner logs in from address B as usual.
    response = _post(owner, email, PASSWORD, "198.51.100.20")
    assert response.status_code == 302 and "_auth_user_id" in owner.session


def test_addresses_behind_the_proxy_count_apart(world, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    email = world.users[Role.CLIENT_STAFF].email
    attacker, owner = Client(), Client()
    for i in range(5):
        _post(attacker, email, f"fout-{i}", "10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert TOO_MANY in (
        _post(
            attacker, email, PASSWORD, "10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.66"
        ).content.decode()
    )
    response = _post(owner, email, PASSWORD, "10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert response.status_code == 302 and "_auth_user_id" in owner.session


def test_a_spread_guess_is_slowed_per_account(world, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed_account": "8/h/key",
    }
    email = world.users[Role.CLIENT_STAFF].email
    for i in range(8):  # two tries from each of four addresses: under every per-address limit
        _post(Client(), email, f"fout-{i}", f"203.0.113.{i // 2 + 1}")
    refused = _post(Client(), email, PASSWORD, "198.51.100.20")
    assert TOO_MANY in refused.content.decode()
    # Another account is not touched by it.
    other = world.users[Role.TEAM_MEMBER].email
    assert _post(Client(), other, PASSWORD, "198.51.100.20").status_code == 302


def test_successful_logins_do_not_use_up_the_account_limit(world, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed_account": "3/h/key",
    }
    email = world.users[Role.CLIENT_STAFF].email
    for i in range(5):
        assert _post(Client(), email, PASSWORD, f"198.51.100.{i + 1}").status_code == 302


def test_one_address_is_limited_over_many_accounts(world, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/5m/ip"}
    client = Client()
    for i in range(3):
        _post(client, f"nobody{i}@example.org", "fout", "203.0.113.66")
    staff = world.users[Role.CLIENT_STAFF].email
    assert TOO_MANY in _post(client, staff, PASSWORD, "203.0.113.66").content.decode()


class _Request:
    def __init__(self, remote, **headers):
        self.META = {"REMOTE_ADDR": remote}
        self.headers = headers


@pytest.mark.parametrize(
    ("count", "header", "remote", "headers", "expected"),
    [
        (0, None, "203.0.113.1", {"X-Forwarded-For": "1.1.1.1"}, "203.0.113.1"),
        (1, None, "10.0.0.2", {"X-Forwarded-For": "9.9.9.9, 203.0.113.1"}, "203.0.113.1"),
        (2, None, "10.0.0.2", {"X-Forwarded-For": "9.9.9.9, 203.0.113.1, 10.0.0.3"}, "203.0.113.1"),
        (1, None, "10.0.0.2", {}, "10.0.0.2"),  # reached us past the proxy
        (2, None, "10.0.0.2", {"X-Forwarded-For": "203.0.113.1"}, "10.0.0.2"),  # too few hops
        (1, None, "10.0.0.2", {"X-Forwarded-For": "junk"}, "10.0.0.2"),
        (0, "X-Real-IP", "10.0.0.2", {"X-Real-IP": "203.0.113.1"}, "203.0.113.1"),
        (0, "X-Real-IP", "10.0.0.2", {"X-Real-IP": "<script>"}, "10.0.0.2"),
    ],
)
def test_client_ip(settings, count, header, remote, headers, expected):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = count
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = header
    assert client_ip(_Request(remote, **headers)) == expected


def test_ipv6_counts_per_network():
    a = _Request("2001:db8:1:2::10")
    b = _Request("2001:db8:1:2:ffff::1")
    c = _Request("2001:db8:1:3::10")
    assert client_key(a) == client_key(b) != client_key(c)
