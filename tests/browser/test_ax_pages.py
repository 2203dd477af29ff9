"""Accessibility across the three faces: each key page passes axe-core's WCAG 2.1 A/AA checks
without serious or critical findings, has exactly one h1 and a tab title with a separator; on
the phone and on the public pages every button and link is a touch target of at least 44 px."""

import datetime as dt
import re
import uuid

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from patrols import services as patrols
from programmes import services as programmes
from programmes.permissions import Role
from recruitment import services as recruitment
from trainings import services as trainings
from trainings.documents import verify_url
from trainings.models import Certificate, Training

from ..factories import UserFactory
from .helpers import login as _login

pytestmark = pytest.mark.browser

# Buttons and links that are not inline text must be at least this high (WCAG 2.5.5 / 2.5.8,
# and what a thumb needs). Half a pixel of slack for sub-pixel layout.
TOUCH_MIN = 43.5

SMALL_TARGETS = """() => {
  const seen = [];
  const targets = document.querySelectorAll(
    'a[href], button, [role=button], input[type=submit], input[type=button], summary, ' +
    'label.form-check-label, .btn');
  for (const el of targets) {
    const rect = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!rect.width || !rect.height || style.visibility === 'hidden') continue;
    if (el.closest('.visually-hidden, .skip-link')) continue;
    if (el.tagName === 'A' && style.display === 'inline') {
      // An inline link inside a sentence is exempt (WCAG 2.5.8): text runs right beside it.
      const words = (node) => node && node.nodeType === Node.TEXT_NODE && node.textContent.trim();
      if (words(el.previousSibling) || words(el.nextSibling)) continue;
    }
    if (rect.height < MIN_PX) {
      seen.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.value || '').trim()
        .slice(0, 40)}" ${Math.round(rect.height)}px`);
    }
  }
  return seen;
}""".replace("MIN_PX", str(TOUCH_MIN))


@pytest.fixture
def check(axe, shot):
    """axe, one h1, a tab title with a separator, a screenshot; touch targets if asked."""

    def _check(page, name, *, touch=False):
        page.wait_for_load_state("load")
        axe(page, f"ax-{name}")
        h1s = page.locator("h1").count()
        assert h1s == 1, f"{name}: {h1s} h1 elements on {page.url}"
        title = page.title()
        assert title.endswith("BewonersTeam") and " · " in title, f"{name}: title {title!r}"
        if touch:
            small = page.evaluate(SMALL_TARGETS)
            assert not small, f"{name}: targets under 44 px: " + "; ".join(small)
        shot(page, f"ax-{name}")

    return _check


@pytest.fixture
def busy_programme(world, team, settings, live_server):
    """The `team` programme a few weeks under way: intake, plan, a meeting with invitees, an
    open campaign with applications, an open survey, a training track with a certificate,
    a round with signals."""
    settings.SITE_URL = live_server.url
    programme, member, categories = team
    pl = world.users[Role.PROJECT_LEADER]
    programmes.programme_intake_save(
        actor=pl,
        programme=programme,
        vision="Een schone en veilige wijk waarin bewoners elkaar kennen.",
        starting_points="Vrijwillig, maar niet vrijblijvend.",
        goals=[{"description": "Minder grofvuil op straat", "measure": "30% minder meldingen"}],
        partners=[
            {
                "name": "Bas Koster",
                "partner_organisation": "Politie",
                "role": "community_officer",
                "email": "",
                "phone": "",
            }
        ],
        complete=True,
    )
    for milestone in programmes.plan_generate(actor=pl, programme=programme)[:3]:
        programmes.milestone_set_done(actor=pl, milestone=milestone, done=True)
    starts = timezone.now().replace(hour=18, minute=30, second=0, microsecond=0) + dt.timedelta(
        days=5
    )
    meeting = programmes.meeting_create(
        actor=pl,
        programme=programme,
        kind="information",
        title="Informatiebijeenkomst Team Noord",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1, minutes=30),
        location="Buurthuis De Linde",
        capacity=30,
        description="Kom horen wat een BewonersTeam doet.",
    )
    programmes.invitee_add(actor=pl, meeting=meeting, name="Ans Smit", email="ans@example.org")

    recruitment.campaign_save(
        actor=pl, programme=programme, is_open=True, intro="Samen houden we de buurt schoon."
    )
    campaign = recruitment.campaign_for(programme=programme)
    recruitment.application_submit(
        programme=programme,
        consent=recruitment.consent_text(programme=programme, campaign=campaign),
        name="Fatma Yilmaz",
        email="fatma@example.org",
        street="Lindelaan",
        house_number="7",
        postcode="3031 AB",
        motivation="Ik woon hier al twintig jaar.",
    )
    survey = recruitment.survey_create(actor=pl, programme=programme, title="Buurtonderzoek Noord")
    recruitment.survey_set_status(actor=pl, survey=survey, status="open")

    other = UserFactory(role="team_member", organisation=world.client, name="Sanne de Vries")
    programmes.team_member_add(actor=pl, programme=programme, user=other)
    track = trainings.track_create(
        actor=pl,
        programme=programme,
        location="Buurthuis",
        starts={
            k: timezone.now() + dt.timedelta(days=10 + i)
            for i, k in enumerate(Training.Kind.values)
        },
    )
    workshop = next(t for t in track if t.kind == Training.Kind.WORKSHOP)
    trainings.assessment_record(actor=pl, training=workshop, user=other, passed=True)
    trainings.streets_divide(actor=pl, programme=programme, streets=["Lindelaan", "Eikstraat"])

    started = timezone.now() - dt.timedelta(days=2, hours=2)
    round_, _new = patrols.round_start(
        actor=member, programme=programme, uuid=uuid.uuid4(), started_at=started
    )
    leaf = next(c for c in categories if c.parent_id)
    for text, urgent in [("Bank en matras naast de container", False), ("Lamp kapot", True)]:
        patrols.signal_report(
            actor=member,
            programme=programme,
            uuid=uuid.uuid4(),
            category=leaf,
            description=text,
            reported_at=started + dt.timedelta(minutes=20),
            urgent=urgent,
            street="Lindelaan",
            house_number="12",
            round_=round_,
        )
    patrols.round_end(actor=member, round_=round_, ended_at=started + dt.timedelta(hours=1))
    reply_link = next(
        re.search(r"https?://\S+/meeting/\S+/", m.body).group(0)
        for m in mail.outbox
        if "/meeting/" in m.body
    )
    certificate = Certificate.objects.get(user=other)
    return {
        "programme": programme,
        "member": member,
        "survey": survey,
        "reply_link": reply_link,
        "verify_link": verify_url(certificate),
    }


def test_workspace_pages(live_server, browser, world, busy_programme, check, unscoped):
    programme = busy_programme["programme"]
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = desk.new_page()
    page.goto(live_server.url + "/accounts/login/")
    check(page, "login")
    _login(page, live_server.url, world.users[Role.CONSULTANCY_ADMIN], totp=True)
    expect(page.get_by_role("heading", name="Werkplek")).to_be_visible()
    check(page, "workspace")

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Opdrachtgevers"
    ).click()
    check(page, "client-list")
    page.get_by_role("link", name=world.client.name).first.click()
    expect(page.get_by_role("heading", name=world.client.name)).to_be_visible()
    check(page, "client-detail")
    page.get_by_role("link", name=programme.name).first.click()
    expect(page.get_by_role("heading", name=programme.name)).to_be_visible()
    check(page, "programme-detail")
    tabs = page.locator("ul.nav-tabs")
    for label, name in [
        ("Intake", "intake"),
        ("Plan van aanpak", "plan"),
        ("Werving", "selection"),
        ("Campagne", "campaign"),
        ("Buurtonderzoek", "surveys"),
        ("Trainingen", "trainings"),
        ("Rondes", "rounds"),
        ("Inzet", "effort"),
        ("Categorieën", "categories"),
        ("Doorgeven", "handoff-health"),
        ("Verstuurde mail", "outbox"),
    ]:
        tabs.get_by_role("link", name=label, exact=True).click()
        expect(tabs.get_by_role("link", name=label, exact=True)).to_have_attribute(
            "aria-current", "page"
        )
        check(page, name)
    # The application page's settings (the form the selection page had beside its lists).
    tabs.get_by_role("link", name="Werving", exact=True).click()
    page.get_by_role("link", name="Instellingen aanmeldpagina").click()
    check(page, "campaign-settings")
    tabs.get_by_role("link", name="Overzicht", exact=True).click()
    page.get_by_role("link", name="Informatiebijeenkomst Team Noord").first.click()
    check(page, "meeting")

    nav = page.get_by_role("navigation", name="Hoofdmenu")
    nav.get_by_role("link", name="Gebruikers").click()
    check(page, "user-list")
    nav.get_by_role("link", name="Logboek").click()
    check(page, "audit-log")
    desk.close()


def test_portal_pages(live_server, browser, world, busy_programme, check, unscoped):
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = desk.new_page()
    _login(page, live_server.url, world.users[Role.CLIENT_STAFF])
    expect(page.get_by_role("heading", name=world.client.name)).to_be_visible()
    check(page, "portal-home")
    page.get_by_role("link", name="Meldingen van het team").click()
    check(page, "portal-signals")
    page.get_by_role("link", name=re.compile("Grofvuil|Zwerfvuil")).first.click()
    check(page, "portal-signal")
    desk.close()


def test_phone_pages(live_server, phone, world, busy_programme, check, unscoped):
    phone.goto(live_server.url + "/accounts/login/")
    check(phone, "phone-login", touch=True)
    _login(phone, live_server.url, busy_programme["member"])
    expect(phone.get_by_role("link", name="Ronde starten")).to_be_visible()
    check(phone, "phone-team-home", touch=True)
    phone.get_by_role("link", name="Regels, kleding en mijn straten").click()
    check(phone, "phone-track", touch=True)
    phone.go_back()
    phone.get_by_role("link", name="Ronde starten").click()
    expect(phone.get_by_role("button", name="Ronde starten")).to_be_visible()
    check(phone, "phone-round", touch=True)


def test_public_pages(live_server, phone, world, busy_programme, check, unscoped):
    """Residents open these from a QR code or a mail, mostly on a phone."""
    programme, survey = busy_programme["programme"], busy_programme["survey"]
    phone.goto(f"{live_server.url}/apply/{world.client.slug}/{programme.pk}/")
    check(phone, "public-apply", touch=True)
    phone.goto(f"{live_server.url}/survey/{world.client.slug}/{survey.public_id}/")
    check(phone, "public-survey", touch=True)
    phone.goto(busy_programme["verify_link"])
    expect(phone.get_by_text("Dit certificaat is geldig.")).to_be_visible()
    check(phone, "public-verify", touch=True)
    phone.goto(busy_programme["reply_link"])
    check(phone, "public-meeting-reply", touch=True)
