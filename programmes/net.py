"""The visitor's address, the one way: our public-form limits and allauth's login limits both
count per client through `client_ip`, never per address of the reverse proxy in front.

Behind the proxies we run (`ALLAUTH_TRUSTED_PROXY_COUNT`, one setting for allauth and us), the
client is the address the outermost trusted proxy saw: the N-th entry from the right of
X-Forwarded-For, since everything to its left can be forged by the client. A proxy that puts
the client in a header of its own instead (`ALLAUTH_TRUSTED_CLIENT_IP_HEADER`, e.g.
X-Real-IP) is read from that header. Anything that does not parse as an address falls back to
the connection's address: a malformed header never answers 500 and never lets a client pick
a fresh counter by writing junk.
"""

import ipaddress

from django.conf import settings

IPV6_PREFIX = 64  # one household or phone usually holds a whole /64: count it as one visitor


def _address(value) -> str | None:
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's address per the trusted proxy settings; "" if none can be found."""
    remote = _address(request.META.get("REMOTE_ADDR", "")) or ""
    header = getattr(settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None)
    if header:
        return _address(request.headers.get(header, "")) or remote
    count = int(getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = request.headers.get("X-Forwarded-For", "")
    if count > 0 and forwarded:
        hops = [hop for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return _address(hops[-count]) or remote
    return remote


def client_key(request) -> str:
    """`client_ip` for counting: an IPv6 address shortened to its /64 network, so rotating
    addresses within one allocation does not buy fresh attempts."""
    ip = client_ip(request)
    address = ipaddress.ip_address(ip) if ip else None
    if isinstance(address, ipaddress.IPv6Address) and not address.ipv4_mapped:
        return str(ipaddress.IPv6Network(f"{ip}/{IPV6_PREFIX}", strict=False).network_address)
    return ip or "unknown"
