"""The client's figures in a browser: the client's staff open the dashboard from the portal,
read figures they can count on their fingers, choose last month and a period of their own and
see the figures follow, download a period's signals as XLSX, and open the monthly report sent
to them from the documents page. On a phone the dashboard fits the screen."""

import datetime as dt
import io
import re
import uuid
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patrols import services as patrols
from patrols.models import Round
from programmes import services
from programmes.permissions import Role
from reporting.periods import month_period
from reporting.services import reports as report_services
from reporting.services.summary import summaries_rebuild

from .helpers import login

pytestmark = pytest.mark.browser

SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# The signals export's columns, in Dutch, in their order.
SIGNAL_HEADERS = [
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
]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _round(programme, walker, started_at, hours=1.5):
    walk = Round.objects.create(
        organisation=programme.organisation,
        programme=programme,
        uuid=uuid.uuid4(),
        payload_hash="0" * 64,
        started_by=walker,
        started_at=started_at,
        ended_at=started_at + dt.timedelta(hours=hours),
    )
    walk.walkers.set([walker])
    return walk


@pytest.fixture
def figures(world, unscoped):
    """A programme of the client with signals and rounds this month and last month, and last
    month's report sent to the client's staff (a contact of the programme).

    This month: 3 signals, 1 round. Last month: 5 signals (2 on the 3rd, 3 on the 20th) and
    2 rounds (the 3rd and the 20th); so from the 1st to the 10th: 2 signals, 1 round."""
    pl, staff = world.users[Role.PROJECT_LEADER], world.users[Role.CLIENT_STAFF]
    member = world.users[Role.TEAM_MEMBER]
    programme = services.programme_create(
        actor=pl,
        client=world.client,
        project_leaders=[pl],
        client_contacts=[staff],
        name="BewonersTeam Lindehof",
        neighbourhood="Lindehof",
        municipality="Noordstad",
        start_date=dt.date(2026, 1, 5),
    )
    roster = services.team_member_add(actor=pl, programme=programme, user=member)
    services.team_member_set_ready(actor=pl, member=roster, ready=True)
    categories = [c for c in patrols.categories_ensure(programme=programme) if c.parent_id is None]

    now = timezone.now()
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    # Early today, but never before the month began (on the 1st just after midnight).
    recent = max(now - dt.timedelta(hours=3), _at(this_month, 0) + dt.timedelta(minutes=1))

    def signal(at, category, street):
        return patrols.signal_report(
            actor=member,
            programme=programme,
            uuid=uuid.uuid4(),
            category=category,
            reported_at=at,
            description="Gezien tijdens de ronde",
            street=street,
            house_number="1",
        )[0]

    for i in range(3):
        signal(recent, categories[i % len(categories)], "Lindelaan")
    for day, n in ((3, 2), (20, 3)):
        for i in range(n):
            signal(_at(last_month.replace(day=day), 10), categories[i], "Kerkstraat")
    _round(programme, member, recent)
    _round(programme, member, _at(last_month.replace(day=3), 19))
    _round(programme, member, _at(last_month.replace(day=20), 19))
    summaries_rebuild()

    start, end = month_period(last_month.year, last_month.month)
    report, _ = report_services.report_draft(
        programme=programme, period_start=start, period_end=end
    )
    report_services.report_update(
        actor=pl, report=report, commentary="Een goede maand voor de Lindehof.", highlights=[]
    )
    report_services.report_approve(actor=pl, report=report)
    report.refresh_from_db()
    assert report.status == "sent", report.error  # the PDF is made and mailed at once here
    return programme, last_month


def _total(page, label: str):
    """The number on the dashboard's card that says `label`."""
    card = page.locator(".dashboard-totals li").filter(has_text=label)
    return card.locator(".dashboard-number")


def _sheet_rows(data: bytes) -> list[list[str]]:
    """The first sheet's rows as text (shared or inline strings, numbers as written)."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = book.namelist()
        shared = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))  # noqa: S314 - the app's own export
            shared = ["".join(t.text or "" for t in si.iter(f"{SHEET}t")) for si in root]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))  # noqa: S314 - the app's own export
    rows = []
    for row in sheet.iter(f"{SHEET}row"):
        cells = {}
        for cell in row.iter(f"{SHEET}c"):
            # An empty cell is not written: its place comes from its reference (G2: column 7).
            letters = re.match(r"[A-Z]+", cell.get("r")).group()
            col = 0
            for letter in letters:
                col = col * 26 + ord(letter) - ord("A") + 1
            kind = cell.get("t")
            if kind == "s":
                text = shared[int(cell.find(f"{SHEET}v").text)]
            elif kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(f"{SHEET}t"))
            else:
                value = cell.find(f"{SHEET}v")
                text = "" if value is None else value.text
            cells[col - 1] = text
        rows.append([cells.get(i, "") for i in range(max(cells, default=-1) + 1)])
    return rows


def test_client_staff_read_their_figures_export_them_and_open_the_report(
    live_server, browser, world, figures, shot, axe
):
    programme, last_month = figures
    staff = world.users[Role.CLIENT_STAFF]
    desk = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        accept_downloads=True,
    )
    page = desk.new_page()
    login(page, live_server.url, staff)

    # From the portal's start page to the figures across the client's programmes.
    page.get_by_role("link", name="Cijfers", exact=True).first.click()
    expect(page.get_by_role("heading", name="Cijfers van Gemeente noord")).to_be_visible()
    expect(_total(page, "nieuwe meldingen")).to_have_text("3")
    expect(_total(page, "gelopen rondes")).to_have_text("1")
    shot(page, "rp-01-dashboard-this-month")
    axe(page, "rp-dashboard")

    # Last month: the five signals and two rounds of then, and the chooser says so.
    page.get_by_role("combobox", name="Periode").select_option(label="Vorige maand")
    page.get_by_role("button", name="Tonen").click()
    expect(page.get_by_role("combobox", name="Periode")).to_have_value("last_month")
    expect(_total(page, "nieuwe meldingen")).to_have_text("5")
    expect(_total(page, "gelopen rondes")).to_have_text("2")
    last_day = (last_month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    expect(page.locator("[data-period]")).to_contain_text(f"1 {_month_nl(last_month)}")
    expect(page.locator("[data-period]")).to_contain_text(
        f"tot en met {last_day.day} {_month_nl(last_month)}"
    )
    shot(page, "rp-02-dashboard-last-month")

    # The signals of last month as XLSX: a workbook with the Dutch heads and five rows.
    with page.expect_download() as info:
        page.get_by_role("link", name="Meldingen als XLSX").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    data = Path(download.path()).read_bytes()
    assert data[:2] == b"PK" and zipfile.is_zipfile(io.BytesIO(data))
    rows = _sheet_rows(data)
    assert rows[0] == SIGNAL_HEADERS
    assert len(rows) == 1 + 5, rows
    assert [r[SIGNAL_HEADERS.index("Straat")] for r in rows[1:]] == ["Kerkstraat"] * 5

    # A period of their own: the 1st to the 10th of last month holds 2 signals and 1 round.
    page.get_by_role("combobox", name="Periode").select_option(label="Van – tot en met")
    page.get_by_label("Van", exact=True).fill(last_month.isoformat())
    page.get_by_label("Tot en met", exact=True).fill(last_month.replace(day=10).isoformat())
    page.get_by_role("button", name="Tonen").click()
    expect(page.locator("[data-period]")).to_contain_text(
        f"1 {_month_nl(last_month)} {last_month.year} tot en met 10 {_month_nl(last_month)}"
    )
    expect(page.get_by_role("combobox", name="Periode")).to_have_value("custom")
    expect(_total(page, "nieuwe meldingen")).to_have_text("2")
    expect(_total(page, "gelopen rondes")).to_have_text("1")
    expect(page.locator("[data-period-problems]")).to_have_count(0)
    shot(page, "rp-03-dashboard-custom")

    # Back to the portal and on to the documents: last month's report, as a PDF.
    page.get_by_role("navigation", name="Kruimelpad").get_by_role(
        "link", name="Gemeente noord"
    ).click()
    page.get_by_role("link", name="Documenten", exact=True).first.click()
    expect(page.get_by_role("heading", name="Documenten", level=1)).to_be_visible()
    row = page.locator("tbody tr").filter(
        has_text=f"Rapportage {_month_nl(last_month)} {last_month.year}"
    )
    expect(row).to_have_count(1)
    expect(row).to_contain_text(programme.name)
    shot(page, "rp-04-documents")
    with page.expect_download() as info:
        row.get_by_role("link", name=re.compile("Downloaden")).click()
    pdf = Path(info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF"), pdf[:40]
    desk.close()


def test_the_dashboard_fits_a_phone(live_server, phone, world, figures, shot):
    staff = world.users[Role.CLIENT_STAFF]
    login(phone, live_server.url, staff)
    phone.get_by_role("link", name="Cijfers", exact=True).first.click()
    expect(_total(phone, "nieuwe meldingen")).to_have_text("3")
    phone.get_by_role("combobox", name="Periode").select_option(label="Vorige maand")
    phone.get_by_role("button", name="Tonen").click()
    expect(_total(phone, "nieuwe meldingen")).to_have_text("5")
    shot(phone, "rp-05-dashboard-phone")
    overflow = phone.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the dashboard is {overflow}px wider than the phone"


MONTHS_NL = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


def _month_nl(day: dt.date) -> str:
    return MONTHS_NL[day.month - 1]
