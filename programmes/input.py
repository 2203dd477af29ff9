"""Input that reaches us from outside, made safe in one place: the range of dates we accept,
one JSON-body reader, ids from JSON, stored files that may have gone, and NUL bytes.

Why here and not per view: a date in year 1 or 9999 overflows when it is converted to UTC or
back (for storage or for display), a deeply nested JSON body exhausts the parser's recursion,
a NUL byte is refused by PostgreSQL as a whole query, and a number beyond 64 bits overflows the
database driver. Each of those used to be a 500 somewhere; one check each, used everywhere,
keeps it a 400 with a message.
"""

import datetime
import json
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, QueryDict
from django.http.request import RawPostDataException
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import bad_request

# The product-wide range of dates: everything we plan or record (programmes, meetings, rounds,
# signals, trainings, channels) happens in this century; nothing asks for a birth date.
YEAR_MIN = 2000
YEAR_MAX = 2100
DATE_MIN = datetime.date(YEAR_MIN, 1, 1)
DATE_MAX = datetime.date(YEAR_MAX, 12, 31)

# A phone record is a few fields deep; the whole body of one is a few kilobytes.
JSON_MAX_DEPTH = 20
JSON_MAX_BYTES = 256 * 1024
# The largest id a database column holds (a signed 64-bit integer).
ID_MAX = 2**63 - 1

DATE_RANGE_MESSAGE = gettext_lazy("Choose a date between %(min)s and %(max)s.")


def date_range_error() -> ValidationError:
    return ValidationError(
        DATE_RANGE_MESSAGE, code="date_range", params={"min": YEAR_MIN, "max": YEAR_MAX}
    )


def validate_date_range(value) -> None:
    """Refuse a date or moment outside YEAR_MIN..YEAR_MAX (checked on the year as entered, so
    the check itself never converts and never overflows)."""
    if value is None:
        return
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise date_range_error()


def parse_moment(value) -> datetime.datetime:
    """An ISO 8601 moment from JSON, aware and within the product's range; ValidationError
    (with a message in the user's language) for anything else."""
    if not isinstance(value, str) or len(value) > 64:
        raise ValidationError(_("Enter a valid date and time."), code="invalid")
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(_("Enter a valid date and time."), code="invalid") from exc
    validate_date_range(moment)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class BadJson(Exception):
    """A request body that is not the JSON object we expect; `message` says so to the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def _too_deep(text: str, max_depth: int) -> bool:
    """Whether arrays and objects in `text` nest deeper than `max_depth`; found without
    recursion, stopping at the first bracket too deep."""
    depth = 0
    for match in _BRACKETS.finditer(_STRING.sub('""', text)):
        depth += 1 if match.group() in "[{" else -1
        if depth > max_depth:
            return True
    return False


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def read_json(request, *, max_bytes: int = JSON_MAX_BYTES, max_depth: int = JSON_MAX_DEPTH):
    """The request body as a JSON object (a dict). Raises BadJson for a body that is too big,
    not UTF-8, not JSON, nested deeper than `max_depth`, not an object, or holding a NUL."""
    try:
        body = request.body or b"{}"
    except RawPostDataException as exc:  # a form post, already read as form fields
        raise BadJson(_("The request could not be read.")) from exc
    if len(body) > max_bytes:
        raise BadJson(_("The request is too large to be read."))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadJson(_("The request could not be read.")) from exc
    if _too_deep(text, max_depth):
        raise BadJson(_("The request could not be read."))
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise BadJson(_("The request could not be read.")) from exc
    if not isinstance(data, dict):
        raise BadJson(_("The request could not be read."))
    if _has_nul(data):
        raise BadJson(_("The request contains characters that are not allowed."))
    return data


def json_id(value) -> int | None:
    """A database id from JSON: a positive whole number (or its digits as text) that fits the
    column; None for anything else (a list, a fraction, a boolean, 2**70)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
        value = int(value)
    if isinstance(value, int) and 0 < value <= ID_MAX:
        return value
    return None


def file_response(field_file, **kwargs) -> FileResponse:
    """Serve a stored file; a file that is gone from storage (a restore without media, a
    cleaned-up disk) is a 404, not a 500."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    return FileResponse(handle, **kwargs)


def without_nul(query: QueryDict) -> QueryDict:
    """A copy of `query` with NUL bytes taken out of its names and values."""
    clean = QueryDict(mutable=True)
    for key, values in query.lists():
        clean.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
    clean._mutable = False
    return clean


def has_nul(request) -> bool:
    """Whether the path, form fields or cookies carry a NUL byte."""
    if "\x00" in request.path:
        return True
    if any("\x00" in k or "\x00" in v for k, v in request.COOKIES.items()):
        return True
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > getattr(settings, "REQUEST_MAX_BYTES", length):
            return False  # not read here: the size limit answers it unread
        return any("\x00" in k or "\x00" in v for k, v in _items(request.POST))
    return False


def _items(query: QueryDict):
    for key, values in query.lists():
        for value in values:
            yield key, value


class InputGuardMiddleware:
    """Take NUL bytes out of the query string (a search or filter then works on the rest),
    answer 400 to a request whose path, form fields or cookies carry one, and 404 to a URL
    whose number is beyond any database id.

    No keyboard types a NUL byte, so nothing a person entered is lost; without this every raw
    `request.POST.get` and filter would need its own cleaning, and PostgreSQL refuses the
    whole query when one slips through. JSON bodies are checked by `read_json`. A URL id such
    as 99999999999999999999 matches `<int:...>` but overflows the database driver.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in k or "\x00" in v for k, v in _items(request.GET)):
            request.GET = without_nul(request.GET)
        if has_nul(request):
            return bad_request(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not -ID_MAX <= value <= ID_MAX:
                raise Http404
        return None
