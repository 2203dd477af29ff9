"""Junk input against every form and JSON endpoint: nothing answers 500, and nothing stored by
the junk makes a page answer 500 later.

Every named URL of ours is opened as a role that may use it; the forms on the page are read
from the HTML (so new fields are fuzzed without touching this file), filled in validly, and
posted again and again with one or more fields replaced by junk: NUL bytes, very long text,
dates in year 1 and 9999 (with time zone offsets), huge and negative numbers, unknown choices,
ids that are not numbers. The phone app's JSON endpoints get the same per key, plus bodies
that are deeply nested, of the wrong type or not JSON at all. Afterwards every page of the URL
set is opened again by every role that may see it, and no text column may hold a NUL byte
(PostgreSQL refuses those, SQLite stores them: this keeps a SQLite run honest).

The random choices come from a fixed seed, so a failure reproduces; the message names the
URL, the method and the junk that broke it.
"""

import datetime as dt
import io
import json
import random
import re
import uuid
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from programmes.permissions import Role
from tests.programmes.conftest import programme  # noqa: F401  (fixture used by `objects`)
from tests.programmes.test_url_access import OUR_URLS, PUBLIC, objects  # noqa: F401
from tests.programmes.test_url_access import READERS as ACCESS

SEED = 20261201
ADMIN, PL, STAFF, MEMBER = (
    Role.CONSULTANCY_ADMIN,
    Role.PROJECT_LEADER,
    Role.CLIENT_STAFF,
    Role.TEAM_MEMBER,
)
ROLE_ORDER = (ADMIN, MEMBER, STAFF, PL)
OUR_APPS = ("programmes.", "recruitment.", "trainings.", "patrols.")

EXTREME_DATES = [
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01 00:00:00",
    "9999-12-31 23:59:59",
    "1899-12-31",
    "2101-01-01T00:00",
]
JUNK_TEXT = [
    "\x00",
    "a\x00b",
    "x" * 5000,
    "é" * 70_000,
    "",
    " ",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "bogus",
    "'; DROP TABLE x; --",
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    "\u202e\u200b",
]
JUNK_NUMBERS = [
    "-1",
    "0",
    "99999999999999999999",
    "-99999999999",
    "1e308",
    "NaN",
    "inf",
    "1.5",
    "0x10",
    "١٢",  # Arabic-Indic digits: isdigit() says yes, int() agrees, the database might not
]
JUNK = EXTREME_DATES + JUNK_TEXT + JUNK_NUMBERS

JSON_JUNK = [
    None,
    True,
    [],
    {},
    [1, 2],
    {"a": 1},
    "",
    "\x00",
    "x" * 5000,
    -1,
    0,
    2**70,
    -(2**70),
    1e308,
    1.5,
    "bogus",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01",
    "9999-12-31T23:59:59",
    "12",
]

# Sent for every key; the rest of JSON_JUNK by the seeded sample.
JSON_ALWAYS = [None, [], 2**70, "bogus", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"]


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


JSON_BODIES = [
    _deep(10_000),
    '{"a":' * 10_000 + "1" + "}" * 10_000,
    "[]",
    '"text"',
    "12",
    "null",
    "{",
    "\x00",
    '{"programme": "\\u0000"}',
]


class _Forms(HTMLParser):
    """The forms of a page: action, method and fields (name, type, value, options)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "action": a.get("action") or "",
                "method": (a.get("method") or "get").lower(),
                "fields": [],
            }
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag in ("input", "button") and name:
            kind = (a.get("type") or ("submit" if tag == "button" else "text")).lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                form["fields"].append(
                    {"name": name, "type": kind, "value": None, "option": a.get("value", "on")}
                )
            else:
                form["fields"].append({"name": name, "type": kind, "value": a.get("value", "")})
        elif tag == "select" and name:
            self._select = {"name": name, "type": "select", "value": None, "options": []}
            form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select["options"].append(value)
            if "selected" in a:
                self._select["value"] = value
        elif tag == "textarea" and name:
            self._textarea = {"name": name, "type": "textarea", "value": ""}
            form["fields"].append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _forms(response):
    if "html" not in response.get("Content-Type", ""):
        return []
    parser = _Forms()
    parser.feed(response.content.decode("utf-8", "replace"))
    return parser.forms


def _plausible(field, rng):
    """A value the form probably accepts, so junk in one field reaches the code behind."""
    name, kind = field["name"].lower(), field["type"]
    if field.get("value"):
        return field["value"]
    if kind == "select":
        options = [o for o in field["options"] if o]
        return options[0] if options else ""
    if kind in ("checkbox", "radio"):
        return field.get("option") if rng.random() < 0.5 else None
    soon = timezone.localtime() + dt.timedelta(days=rng.randint(2, 30))
    if kind == "date" or name.endswith("date") or name in ("start", "end", "date"):
        return soon.date().isoformat()
    if kind == "datetime-local" or name.endswith("_at") or name in ("introduction", "workshop"):
        return soon.strftime("%Y-%m-%dT%H:%M")
    if kind == "number":
        return "1"
    if kind == "email" or "email" in name:
        return f"fuzz{rng.randint(1, 10**6)}@example.org"
    if "postcode" in name:
        return "3031 AB"
    if kind == "password" or "password" in name:
        return "Zeer-lang-wachtwoord-42"
    return "Fuzz"


class _Fuzzer:
    def __init__(self, client, world, known):
        self.client = client
        self.world = world
        self.objects = known
        self.rng = random.Random(SEED)
        self.failures = []
        self.requests = 0
        self.seen_forms = set()

    def login(self, role):
        self.client.logout()
        if role is not None:
            self.client.force_login(self.world.users[role])

    def send(self, method, url, what, **kwargs):
        self.requests += 1
        try:
            response = getattr(self.client, method)(url, **kwargs)
        except Exception as exc:  # a crash in the view: count it, name the input
            self.failures.append(f"{method.upper()} {url} [{what}]: {type(exc).__name__}: {exc}")
            return None
        if response.status_code >= 500:
            self.failures.append(f"{method.upper()} {url} [{what}]: {response.status_code}")
        return response

    # --- forms ---------------------------------------------------------------------------

    def fuzz_form(self, page_url, form):
        action = form["action"] or page_url
        if action.startswith(("http", "//")) or action.startswith("/accounts/"):
            return
        fields = [f for f in form["fields"] if f["name"] != "csrfmiddlewaretoken"]
        # One form per row of a table (the same action and fields) is fuzzed once.
        signature = (
            re.sub(r"/\d+/", "/N/", action),
            form["method"],
            tuple(sorted({f["name"] for f in fields})),
            tuple(  # routing values (action=...) tell forms apart; row ids do not
                sorted(
                    {
                        f["value"] or ""
                        for f in fields
                        if f["type"] in ("hidden", "submit") and not (f["value"] or "").isdigit()
                    }
                )
            ),
        )
        if not fields or signature in self.seen_forms:
            return
        self.seen_forms.add(signature)
        base = {}
        for f in fields:
            value = _plausible(f, self.rng)
            if value is not None:
                base.setdefault(f["name"], value)
        method = "post" if form["method"] == "post" else "get"
        send = lambda d, what: self.send(method, action, what, data=d)  # noqa: E731
        send(base, "plausible")
        names = sorted({f["name"] for f in fields})
        # A formset repeats its row: fuzz the first row and the management fields, not all.
        fuzzed = [n for n in names if not re.search(r"-[1-9]\d*-", n)]
        routing = {f["name"] for f in fields if f["type"] in ("hidden", "submit")}
        for name in fuzzed:
            kind = next(f["type"] for f in fields if f["name"] == name)
            is_date = kind in ("date", "datetime-local") or any(
                k in name for k in ("date", "_at", "start", "end", "introduction", "workshop")
            )
            if kind == "date":
                values = ["0001-01-01", "9999-12-31", "1899-12-31"]
            elif kind == "datetime-local":
                values = [d for d in EXTREME_DATES[:6] if "T" in d]
            else:
                values = EXTREME_DATES[:6] if is_date else []
            values += self.rng.sample(JUNK, 1 if name in routing else 2)
            for value in values:
                send({**base, name: value}, f"{name}={value[:40]!r}")
            if self.rng.random() < 0.3:
                send({**base, name: [self.rng.choice(JUNK), "x"]}, f"{name}=[list]")
        for _ in range(2):  # everything junk at once, routing fields kept most of the time
            data = {
                n: (
                    base.get(n, "")
                    if n in routing and self.rng.random() < 0.7
                    else self.rng.choice(JUNK)
                )
                for n in names
            }
            send(data, "all junk")
        # Formset management fields and ids that were not on the page.
        send({**base, "form-TOTAL_FORMS": "1000000", "form-INITIAL_FORMS": "-1"}, "formset")

    def fuzz_query(self, url):
        for _ in range(2):
            params = {
                key: self.rng.choice(JUNK)
                for key in ("page", "q", "status", "category", "programme", "start", "end")
                + ("month", "from", "to", "kind", "urgent", "overdue", "code", "inline", "sort")
            }
            self.send("get", url, "junk query", data=params)

    def fuzz_url_ids(self, name, kwargs, view):
        """Numbers in the address beyond any database id, and ids of nothing."""
        ints = [
            k
            for k in kwargs
            if isinstance(self.objects.get(f"{name}:{k}", self.objects.get(k)), int)
        ]
        for key in ints:
            for value in (10**20,):
                url = _url(name, kwargs, {**self.objects, key: value, f"{name}:{key}": value})
                method = "get" if "get" in getattr(view, "http_method_names", ["get"]) else "post"
                self.send(method, url, f"{key}={value}")

    # --- the phone API ---------------------------------------------------------------------

    def api_payload(self, name):
        now = timezone.now().isoformat()
        o = self.objects
        base = {"id": str(uuid.uuid4()), "programme": o["programme_pk"]}
        if name == "patrols:api_round_start":
            return {**base, "started_at": now, "walkers": []}
        if name == "patrols:api_round_end":
            return {**base, "ended_at": now}
        if name == "patrols:api_signal":
            return {
                **base,
                "category": o["category_pk"],
                "description": "Kapotte lamp",
                "reported_at": now,
                "urgent": False,
                "latitude": 52.1,
                "longitude": 5.1,
                "street": "Lindelaan",
                "house_number": "3",
                "round": o["round_uuid"],
            }
        if name == "patrols:api_conversation":
            return {
                **base,
                "topic": o["conversation_topic"],
                "outcome": o["conversation_outcome"],
                "aggression": False,
                "note": "Goed gesprek",
                "reported_at": now,
            }
        return base

    def fuzz_api(self, name, url):
        post = lambda body, what: self.send(  # noqa: E731
            "post", url, what, data=body, content_type="application/json"
        )
        for body in JSON_BODIES:
            post(body, f"body {body[:30]!r}")
        post(b"\xff\xfe\x00", "not utf-8")
        self.send("post", url, "a form post", data={"programme": "1", "id": "x"})
        base = self.api_payload(name)
        post(json.dumps(base), "plausible")
        for key in sorted(base) + ["unknown"]:
            for value in JSON_ALWAYS + self.rng.sample(JSON_JUNK, 3):
                payload = {**base, "id": str(uuid.uuid4()), key: value}
                post(json.dumps(payload), f"{key}={value!r:.40}")
            payload = json.dumps({**base, "id": str(uuid.uuid4()), key: "DEEP"})
            post(payload.replace('"DEEP"', _deep(5000)), f"{key}=deep list")
        for _ in range(5):
            payload = {key: self.rng.choice(JSON_JUNK) for key in base}
            post(json.dumps(payload), "all junk")

    def fuzz_photo(self, url):
        from PIL import Image

        jpeg = io.BytesIO()
        Image.new("RGB", (20, 20), "#336699").save(jpeg, format="JPEG")
        for image in (jpeg.getvalue(), b"not an image", b"\x00" * 100, b""):
            for ident in (str(uuid.uuid4()), "\x00", "x" * 5000, "-1"):
                upload = io.BytesIO(image)
                upload.name = "p.jpg"
                self.send(
                    "post", url, f"photo id={ident[:20]!r}", data={"id": ident, "image": upload}
                )


def _role_for(rule):
    if rule == PUBLIC:
        return None
    return next(r for r in ROLE_ORDER if r in rule)


def _url(name, kwargs, known):
    return reverse(name, kwargs={k: known.get(f"{name}:{k}", known.get(k)) for k in kwargs})


def _text_columns_with_nul():
    found = []
    with scopes_disabled():
        for model in apps.get_models():
            if not model.__module__.startswith(OUR_APPS):
                continue
            columns = [
                f.attname
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField | models.JSONField)
            ]
            if not columns:
                continue
            manager = model._base_manager
            for row in manager.values_list("pk", *columns):
                for column, value in zip(columns, row[1:], strict=True):
                    if value is not None and "\x00" in json.dumps(value, default=str).replace(
                        "\\u0000", "\x00"
                    ):
                        found.append(f"{model.__name__}.{column} (pk {row[0]})")
    return found


@pytest.fixture
def fuzz_objects(objects, programme):  # noqa: F811
    """The URL matrix's objects plus what the phone API needs to name."""
    from patrols.models import Conversation, SignalCategory

    with scopes_disabled():
        category = SignalCategory.objects.filter(programme=programme).first()
    return {
        **objects,
        "category_pk": category.pk,
        "conversation_topic": Conversation.Topic.values[0],
        "conversation_outcome": Conversation.Outcome.values[0],
    }


def test_junk_never_answers_500_and_leaves_every_page_working(client, world, fuzz_objects):
    client.raise_request_exception = True  # a crash is caught and reported with its input
    fuzzer = _Fuzzer(client, world, fuzz_objects)
    api = {
        "patrols:api_round_start",
        "patrols:api_round_end",
        "patrols:api_signal",
        "patrols:api_conversation",
    }
    for name, kwargs, view in OUR_URLS:
        if name not in ACCESS:
            continue  # an undeclared URL fails the access matrix test already
        url = _url(name, kwargs, fuzz_objects)
        rule = ACCESS[name]
        fuzzer.login(_role_for(rule))
        if name in api:
            fuzzer.fuzz_api(name, url)
            continue
        if name == "patrols:api_signal_photo":
            fuzzer.fuzz_photo(url)
            continue
        allowed = getattr(view, "http_method_names", ["get"])
        if "get" not in allowed:
            # Action URLs: posted by buttons of other pages; junk them directly as well.
            for value in fuzzer.rng.sample(JUNK, 6):
                data = {k: value for k in ("next", "language", "done", "active", "replace")}
                data |= {"attended": value, "kind": value}
                fuzzer.send("post", url, f"action junk {value[:20]!r}", data=data)
            fuzzer.fuzz_url_ids(name, kwargs, view)
            continue
        fuzzer.fuzz_url_ids(name, kwargs, view)
        response = fuzzer.send("get", url, "page")
        fuzzer.fuzz_query(url)
        if response is None or response.status_code != 200:
            continue
        for form in _forms(response):
            fuzzer.fuzz_form(url, form)
        fuzzer.login(_role_for(rule))  # a form may have logged the user out

    # No stored value makes a page 500 later: every page, for every role that may see it.
    for name, kwargs, view in OUR_URLS:
        if "get" not in getattr(view, "http_method_names", ["get"]) or name not in ACCESS:
            continue
        url = _url(name, kwargs, fuzz_objects)
        rule = ACCESS[name]
        for role in [None] if rule == PUBLIC else [r for r in ROLE_ORDER if r in rule]:
            fuzzer.login(role)
            fuzzer.send("get", url, f"page afterwards as {role}")

    assert fuzzer.requests > 1000  # the walk really ran
    assert not fuzzer.failures, f"{len(fuzzer.failures)} crashes:\n" + "\n".join(
        fuzzer.failures[:60]
    )
    assert not _text_columns_with_nul(), _text_columns_with_nul()
