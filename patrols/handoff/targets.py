"""Where a channel may send to: an https URL on a public address. A webhook is never sent to
the server's own network (the database, the broker, a cloud's metadata service) because a
client admin typed such an address; redirects are not followed either (`webhook.py`).

`HANDOFF_ALLOW_LOCAL_TARGETS` (off unless set) lets http and local addresses through, for
development and for the tests' receiver on loopback.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _


def local_targets_allowed() -> bool:
    return bool(getattr(settings, "HANDOFF_ALLOW_LOCAL_TARGETS", False))


def check_url(url: str) -> str:
    """The URL, checked: https (http only where local targets are allowed), a host, no
    credentials in it. ValidationError with a message otherwise."""
    url = (url or "").strip()
    schemes = ["https", "http"] if local_targets_allowed() else ["https"]
    try:
        URLValidator(schemes=schemes)(url)
    except ValidationError as exc:
        raise ValidationError(_("Enter a web address that starts with https://.")) from exc
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ValidationError(_("Leave the user name and password out of the address."))
    return url


def check_email(address: str) -> str:
    address = (address or "").strip()
    try:
        EmailValidator()(address)
    except ValidationError as exc:
        raise ValidationError(_("Enter a valid e-mail address.")) from exc
    return address


class TargetRefused(Exception):
    """The address resolves to a place we do not send to."""


def check_public(host: str, port: int) -> None:
    """Raise TargetRefused when `host` resolves to a private, loopback, link-local or
    otherwise non-public address (unless local targets are allowed)."""
    if local_targets_allowed():
        return
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise TargetRefused(f"cannot resolve {host}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise TargetRefused(f"{host} is not a public address")
