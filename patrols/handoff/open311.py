"""Open311 GeoReport v2: the client's service list, a signal POSTed as a service request, and
the requests' statuses read back.

The channel's `target` is the endpoint's base URL (`{base}/services.json`,
`{base}/requests.json`, `{base}/tokens/{token}.json`); its API key is stored encrypted as a
webhook's secret is (`secrets.py`) and sent only in the POST's form body, never in a URL.

Every call goes to the configured address only, as the webhook's do: the host is resolved
once, checked to be public and connected to at that address, no redirect is followed, with
the webhook's timeouts, and no more of an answer is read than MAX_ANSWER_BYTES. What comes
back is JSON checked field by field: a system that answers something else gets a clear
message, never a crash.

The photos are not sent: a `media_url` would have to be a public address, and a resident's
photo is served only to those who may see the signal.
"""

import contextlib
import http.client
import json
from urllib.parse import quote, urlencode, urlsplit

from . import secrets, webhook
from .base import DELIVERED, FAILED, RETRY, Outcome, portal_url, reference
from .targets import TargetRefused

# The most of an answer we read: a long service list fits easily.
MAX_ANSWER_BYTES = 512 * 1024
# The most services we keep of a list, and of request statuses we ask for in one call.
MAX_SERVICES = 500
BATCH = 50
# Open311's description field takes 4000 characters.
DESCRIPTION_MAX = 4000


class Open311Error(Exception):
    """The system could not be asked, or answered what we cannot use; `retry` when trying
    again later may help (no answer, 5xx). `kind` says which, for a message in the user's
    language: REFUSED (not a public address), UNREACHABLE, STATUS (an error answer, with
    `said`: the system's own words) or ANSWER (not what GeoReport v2 answers)."""

    REFUSED, UNREACHABLE, STATUS, ANSWER = "refused", "unreachable", "status", "answer"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry: bool = False,
        kind: str = "answer",
        said: str = "",
    ):
        super().__init__(message)
        self.status = status
        self.retry = retry
        self.kind = kind
        self.said = said


def _url(channel, path: str, query: dict | None = None) -> str:
    base = channel.target.strip().rstrip("/")
    url = f"{base}/{path}"
    query = {k: v for k, v in (query or {}).items() if v}
    if channel.jurisdiction_id:
        query["jurisdiction_id"] = channel.jurisdiction_id
    return url + ("?" + urlencode(query, safe=",") if query else "")


def _call(method: str, url: str, *, form: dict | None = None) -> tuple[int, bytes]:
    """One request to the configured address only; (status, answer). Raises Open311Error."""
    parts = urlsplit(url)
    tls = parts.scheme == "https"
    port = parts.port or (443 if tls else 80)
    body = urlencode(form).encode() if form is not None else None
    headers = {"Accept": "application/json", "User-Agent": "BewonersTeam-Handoff/1"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    path = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    try:
        family, address = webhook._resolve(parts.hostname, port)  # noqa: SLF001 - the webhook's checked connection, shared
        connection = webhook._PinnedConnection(  # noqa: SLF001 - the webhook's checked connection, shared
            parts.hostname, port, family=family, address=address, tls=tls
        )
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read(MAX_ANSWER_BYTES + 1)
        finally:
            connection.close()
    except TargetRefused as exc:
        raise Open311Error(str(exc), kind=Open311Error.REFUSED) from exc
    except TimeoutError as exc:
        raise Open311Error("no answer in time", retry=True, kind=Open311Error.UNREACHABLE) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise Open311Error(
            f"{type(exc).__name__}: {exc}"[:300], retry=True, kind=Open311Error.UNREACHABLE
        ) from exc
    if len(answer) > MAX_ANSWER_BYTES:
        raise Open311Error("the answer is too large", status=response.status)
    return response.status, answer


def _json(answer: bytes):
    try:
        return json.loads(answer.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def _text(value, limit: int) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return ""
    return "".join(ch for ch in str(value) if ch == "\n" or ch.isprintable()).strip()[:limit]


def error_description(answer: bytes) -> str:
    """The system's own words for an error: GeoReport's [{"code", "description"}]."""
    data = _json(answer)
    if isinstance(data, dict):
        data = [data]
    if isinstance(data, list):
        words = [_text(e.get("description"), 200) for e in data[:3] if isinstance(e, dict)]
        return "; ".join(w for w in words if w)
    return ""


def _checked(status: int, answer: bytes, what: str):
    """The JSON of a 2xx answer; Open311Error for anything else (5xx worth a retry)."""
    if not 200 <= status < 300:
        said = error_description(answer)
        detail = f"HTTP {status}" + (f": {said}" if said else "")
        if 300 <= status < 400:
            detail = f"HTTP {status}: redirects are not followed"
        raise Open311Error(
            detail,
            status=status,
            retry=webhook.classify(status) == RETRY,
            kind=Open311Error.STATUS,
            said=said,
        )
    data = _json(answer)
    if data is None:
        raise Open311Error(f"the {what} is not JSON", status=status)
    return data


def services_fetch(channel) -> list[dict]:
    """The system's services as [{"code", "name", "group"}], sorted by name. Open311Error when
    it cannot be had or is not a GeoReport service list."""
    status, answer = _call("GET", _url(channel, "services.json"))
    data = _checked(status, answer, "service list")
    if not isinstance(data, list):
        raise Open311Error("the service list is not a list", status=status)
    services, seen = [], set()
    for item in data:
        if not isinstance(item, dict):
            continue
        code = _text(item.get("service_code"), 100)
        if not code or code in seen:
            continue
        seen.add(code)
        services.append(
            {
                "code": code,
                "name": _text(item.get("service_name"), 200) or code,
                "group": _text(item.get("group"), 100),
            }
        )
        if len(services) >= MAX_SERVICES:
            break
    if not services:
        raise Open311Error("the service list names no services", status=status)
    return sorted(services, key=lambda s: (s["group"].lower(), s["name"].lower(), s["code"]))


def service_code_for(channel, category) -> str:
    """The service our category (or its main category) is mapped to, or ""."""
    mapping = channel.service_map or {}
    code = mapping.get(str(category.pk)) or ""
    if not code and category.parent_id:
        code = mapping.get(str(category.parent_id)) or ""
    return code if isinstance(code, str) else ""


def request_form(handoff, *, api_key: str, service_code: str) -> dict:
    """The POST's fields: no personal data, no photo (see the module's docstring)."""
    signal = handoff.signal
    text = f"[{reference(signal)}] {signal.category}"
    if signal.urgent:
        text += " (urgent)"
    if signal.description:
        text += f": {signal.description}"
    text += f"\n{portal_url(signal)}"
    form = {
        "api_key": api_key,
        "service_code": service_code,
        "description": text[:DESCRIPTION_MAX],
    }
    if handoff.channel.jurisdiction_id:
        form["jurisdiction_id"] = handoff.channel.jurisdiction_id
    if signal.latitude is not None and signal.longitude is not None:
        form["lat"] = f"{float(signal.latitude):.6f}"
        form["long"] = f"{float(signal.longitude):.6f}"
    if signal.street:
        form["address_string"] = " ".join(
            part for part in (signal.street, signal.house_number) if part
        )
    return form


def _first(data) -> dict:
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return data[0]
    if isinstance(data, dict):
        return data
    return {}


def send(handoff) -> Outcome:
    """POST the signal as a service request; never raises for what the other side did. The
    service request id becomes the hand-off's reference; a token (the id comes later) is kept
    on the outcome and resolved by the poll."""
    channel, signal = handoff.channel, handoff.signal
    code = service_code_for(channel, signal.category)
    if not code:
        return Outcome(
            FAILED,
            detail=f"no Open311 service is chosen for the category “{signal.category}”; "
            "choose one in the channel's settings and hand the signal over again",
        )
    form_probe = request_form(handoff, api_key="", service_code=code)
    if "lat" not in form_probe and "address_string" not in form_probe:
        return Outcome(FAILED, detail="the signal has no position and no address to send")
    try:
        api_key = secrets.decrypt(channel.secret_encrypted)
    except secrets.SecretUnavailable:
        return Outcome(FAILED, detail="the channel's API key cannot be read; connect it again")
    try:
        status, answer = _call(
            "POST",
            channel.target.strip().rstrip("/") + "/requests.json",
            form=request_form(handoff, api_key=api_key, service_code=code),
        )
        data = _checked(status, answer, "answer")
    except Open311Error as exc:
        return Outcome(RETRY if exc.retry else FAILED, status_code=exc.status, detail=str(exc))
    item = _first(data)
    request_id = _text(item.get("service_request_id"), 200)
    token = _text(item.get("token"), 200)
    if request_id:
        return Outcome(DELIVERED, status_code=status, external_ref=request_id)
    if token:
        resolved = ""
        with contextlib.suppress(Open311Error):  # the poll asks again
            resolved = token_resolve(channel, token)
        if resolved:
            return Outcome(DELIVERED, status_code=status, external_ref=resolved)
        return Outcome(DELIVERED, status_code=status, remote_token=token)
    return Outcome(
        FAILED, status_code=status, detail="the answer has no service_request_id or token"
    )


def token_resolve(channel, token: str) -> str:
    """The service request id a token stands for, or "" while the system has none yet."""
    status, answer = _call("GET", _url(channel, f"tokens/{quote(token, safe='')}.json"))
    if status == 404:
        return ""
    return _text(_first(_checked(status, answer, "token")).get("service_request_id"), 200)


def statuses_fetch(channel, request_ids: list[str]) -> dict[str, dict]:
    """The requests' statuses: {service_request_id: {"status", "notes", "updated"}} for the
    ids asked (at most BATCH); ids the system does not mention are left out."""
    wanted = set(request_ids[:BATCH])
    url = _url(channel, "requests.json", {"service_request_id": ",".join(request_ids[:BATCH])})
    status, answer = _call("GET", url)
    data = _checked(status, answer, "status list")
    if not isinstance(data, list):
        raise Open311Error("the status list is not a list", status=status)
    found = {}
    for item in data:
        if not isinstance(item, dict):
            continue
        request_id = _text(item.get("service_request_id"), 200)
        if request_id not in wanted:
            continue
        found[request_id] = {
            "status": _text(item.get("status"), 50),
            "notes": _text(item.get("status_notes"), 2000),
            "updated": _text(item.get("updated_datetime"), 50),
        }
    return found
