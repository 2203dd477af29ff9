"""Links made for outside use (mails, PDFs, QR codes) all start with the configured site
address, whatever host or port the request came in on; quickstart serves links on its own
address."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django_scopes import scopes_disabled

from programmes.links import absolute_url, reverse_absolute

SITE = "https://buurt.example.org"
LINK = re.compile(r"""https?://[^\s"'<>)]+""")


def _bad_links(text: str) -> list[str]:
    """The http(s) links in `text` that do not lead to the site."""
    return [
        url
        for url in LINK.findall(text)
        if url != SITE
        and not url.startswith(SITE + "/")
        and "www.w3.org" not in url  # SVG namespaces inside data URIs are not links
    ]


def test_links_are_built_on_the_site_address(settings):
    settings.SITE_URL = SITE + "/"
    assert absolute_url("/apply/x/") == SITE + "/apply/x/"
    assert reverse_absolute("health") == SITE + reverse("health")


@pytest.fixture
def demo_with_site(db, settings, monkeypatch, django_capture_on_commit_callbacks):
    """The demo data made with the site elsewhere, its after-commit work (certificates, mail)
    run; every PDF's HTML and every QR payload recorded instead of drawn."""
    settings.SITE_URL = SITE
    pages, qr_payloads = [], []

    def fake_pdf(*, template, context, language="nl"):
        from programmes.pdf import render_html

        pages.append((template, render_html(template=template, context=context, language=language)))
        return b"%PDF-1.7 test"

    def fake_qr(url):
        qr_payloads.append(url)
        return "data:image/svg+xml;base64,"

    monkeypatch.setattr("programmes.services.documents.render_pdf", fake_pdf)
    for module in ("recruitment.documents", "trainings.documents", "recruitment.survey_views"):
        monkeypatch.setattr(f"{module}.qr_data_uri", fake_qr)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo_data", verbosity=0)
    return pages, qr_payloads


def test_every_mail_and_document_links_to_the_site(demo_with_site, client, settings):
    from patrols.models import RoundSignup
    from patrols.services import round_reminder_send
    from programmes import services
    from programmes.models import Document, Invitee, OutboxMessage, Programme, User
    from programmes.registry import document_kinds
    from recruitment.models import Survey
    from trainings.models import Certificate

    pages, qr_payloads = demo_with_site
    with scopes_disabled():
        # The reminders are sent by periodic jobs: send one of each now.
        invitee = Invitee.objects.filter(status="accepted").order_by("-meeting__starts_at").first()
        services.meeting_reminder_send(invitee_id=invitee.pk)
        # The demo counts reminders of rounds within 48 hours as sent (which signups those are
        # depends on the time of day): send one again.
        signup = RoundSignup.objects.order_by("pk").first()
        RoundSignup.objects.filter(pk=signup.pk).update(reminded_at=None)
        assert round_reminder_send(signup_id=signup.pk)
        # Every kind of document, for a programme it fits.
        leader = User.objects.get(email="projectleider@swa.example")
        refs = {
            "certificate": lambda: Certificate.objects.first(),
            "survey_report": lambda: Survey.objects.first(),
        }
        for registered in document_kinds():
            kind = registered.code
            if registered.needs_ref and kind not in refs:
                continue  # a kind about one thing we do not know how to pick
            ref = refs[kind]() if kind in refs else None
            programme = ref.programme if ref else Programme.objects.get(name__endswith="Tarwewijk")
            if kind.startswith("recruitment"):
                programme = Programme.objects.get(name__endswith="Lindenhof")
            document = Document.objects.create(
                organisation=programme.organisation,
                programme=programme,
                kind=kind,
                requested_by=leader,
                ref=str(ref.pk) if ref else "",
            )
            services.document_build(document_id=document.pk)
        messages = list(OutboxMessage.objects.all())
    made = {template for template, _html in pages}
    assert {"pdf/certificate.html", "pdf/flyer_a5.html", "pdf/plan.html"} <= made
    for template, html in pages:
        assert not _bad_links(html), template
    templates = {m.template for m in messages}
    assert {
        "programmes/invitation",
        "programmes/meeting_invitation",
        "programmes/meeting_reminder",
        "patrols/round_reminder",
        "trainings/certificate",
    } <= templates
    for message in messages:
        body = message.body_text + message.body_html
        assert not _bad_links(body), message.template
        assert LINK.search(message.body_html), message.template  # at least the logo
    for message in mail.outbox:
        assert not _bad_links(message.body), message.subject
    # QR codes: the apply page (flyer and poster), certificate verification, the survey.
    with scopes_disabled():
        survey = Survey.objects.first()
        programme = survey.programme
    client.force_login(leader)
    response = client.get(
        reverse(
            "recruitment:survey_edit",
            kwargs={
                "org": programme.organisation.slug,
                "programme_pk": programme.pk,
                "survey_pk": survey.pk,
            },
        ),
        HTTP_HOST="127.0.0.1",
    )
    assert response.status_code == 200
    assert qr_payloads
    kinds = {url.split("/")[3] for url in qr_payloads}
    assert {"apply", "verify"} <= kinds
    for url in qr_payloads:
        assert url.startswith(SITE + "/"), url
    # The link shown next to the survey's QR code.
    assert not _bad_links(response.content.decode())


def test_password_reset_mail_links_to_the_site(db, client, settings, world):
    settings.SITE_URL = SITE
    user = next(iter(world.users.values()))
    client.post(reverse("account_reset_password"), {"email": user.email}, HTTP_HOST="localhost")
    assert mail.outbox
    body = mail.outbox[-1].body
    assert SITE + "/" in body
    assert not _bad_links(body)


def test_every_mail_template_uses_the_site_address(db, settings, world):
    """Rendered with the context the services give (links built by the helper), no mail
    template adds a link of its own to another address."""
    from programmes.mail import render_mail

    settings.SITE_URL = SITE
    root = Path(settings.BASE_DIR) / "templates" / "email"
    org = world.client
    org.logo.name = "logos/x.png"  # the logo is linked from every HTML mail
    context = {
        "organisation": org,
        "link": reverse_absolute("home"),
        "verify_url": reverse_absolute("home"),
        "login_url": reverse_absolute("home"),
        "code": "ABCD-EFGH",
        "login_minutes": 10,
        "valid_days": 7,
    }
    names = sorted(
        str(path.relative_to(root))[: -len("_subject.txt")] for path in root.rglob("*_subject.txt")
    )
    assert len(names) >= 10
    for name in names:
        subject, text, html = render_mail(template=name, context=context, language="nl")
        assert not _bad_links(subject + text + html), name
        assert SITE + "/" in html, name
    # Allauth's own mail templates too.
    for path in (Path(settings.BASE_DIR) / "templates" / "account" / "email").glob("*.txt"):
        text = render_to_string(f"account/email/{path.name}", context)
        assert not _bad_links(text), path.name


def test_quickstart_serves_links_on_its_address(db, monkeypatch, capsys):
    from programmes.management.commands import quickstart

    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:8000")
    monkeypatch.setattr(settings, "SITE_URL", "http://127.0.0.1:8000")
    calls = []
    monkeypatch.setattr(quickstart, "call_command", lambda *a, **k: calls.append(a))
    call_command("quickstart", addrport="127.0.0.1:8107", no_serve=True)
    import os

    assert os.environ["SITE_URL"] == "http://127.0.0.1:8107"
    assert settings.SITE_URL == "http://127.0.0.1:8107"
    assert [c[0] for c in calls] == ["migrate", "demo_data"]
    out = capsys.readouterr().out
    assert out.rstrip().endswith("Open http://127.0.0.1:8107/")
    assert ":8000" not in out
    assert quickstart.site_url_for("8107") == "http://127.0.0.1:8107"
    assert quickstart.site_url_for("0.0.0.0:9000") == "http://127.0.0.1:9000"
    assert quickstart.site_url_for("localhost:8107") == "http://localhost:8107"
