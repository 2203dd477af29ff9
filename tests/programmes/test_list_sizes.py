"""The base's list pages (workspace, a programme's mail, the consultancy's mail, audit log,
users) at 10 and at 1,000 rows: the same number of queries, a full page of rows, and every
kind of row (failed mail with its "send again", a blocked account, an entry of a deleted
account) shown. Also the helpers that prepare the rows: dates equal the `date` filter's and a
row URL equals reverse()'s."""

import datetime as dt

import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from programmes.dates import datetime_formatter
from programmes.models import AuditEntry, Meeting, Milestone, OutboxMessage, Programme, User
from programmes.permissions import Role
from programmes.views.rows import row_url


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx), response.content.decode()


def _audit(world, n, start):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    AuditEntry.objects.bulk_create(
        AuditEntry(
            organisation=world.client,
            actor=admin if i % 3 else None,
            actor_name="" if i % 3 else "Oud Account",
            action="organisation.updated",
            object_type="programmes.organisation",
            object_id=str(world.client.pk),
            object_repr=f"Rij {i:04d}",
        )
        for i in range(start, start + n)
    )


def _mail(world, programme, n, start):
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            organisation=world.client,
            programme=None if i % 4 == 3 else programme,
            template="x",
            to_email=f"r{i}@example.org",
            to_name="" if i % 2 else f"Ontvanger {i}",
            subject=f"Onderwerp {i:04d}",
            body_text="x",
            status=("failed", "sent", "queued", "retrying")[i % 4],
            last_error="SMTPRecipientsRefused: 550" if i % 4 == 0 else "",
            sent_at=timezone.now() if i % 4 == 1 else None,
            send_after=timezone.now() + dt.timedelta(hours=1) if i % 4 == 2 else None,
        )
        for i in range(start, start + n)
    )


def _people(world, n, start):
    User.objects.bulk_create(
        User(
            email=f"persoon{i:04d}@example.org",
            name=f"Persoon {i:04d}",
            role=Role.CLIENT_STAFF,
            organisation=world.client,
            is_active=bool(i % 5),
        )
        for i in range(start, start + n)
    )


def _programmes(world, n, start):
    made = Programme.objects.bulk_create(
        Programme(
            organisation=world.client,
            name=f"Wijkteam {i:04d}",
            neighbourhood="Wijk",
            municipality="Stad",
            start_date=dt.date(2026, 6, 1),
        )
        for i in range(start, start + n)
    )
    soon = timezone.now() + dt.timedelta(days=3)
    Milestone.objects.bulk_create(
        Milestone(
            organisation=world.client,
            programme=p,
            phase=phase,
            title="M",
            due_date=dt.date(2020, 1, 1),
        )
        for p in made
        for phase in ("preparation", "recruitment")
    )
    Meeting.objects.bulk_create(
        Meeting(
            organisation=world.client,
            programme=p,
            kind="team",
            title=f"Overleg {k}",
            starts_at=soon + dt.timedelta(days=k),
            ends_at=soon + dt.timedelta(days=k, hours=1),
            location="Buurthuis",
        )
        for p in made
        for k in range(2)
    )


@pytest.mark.parametrize("page", ["workspace", "outbox", "mail", "audit", "users"])
def test_list_pages_run_the_same_queries_at_10_and_at_1000_rows(
    client, world, programme, unscoped, page
):
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    grow, url, marker = {
        "workspace": (lambda n, s: _programmes(world, n, s), reverse("workspace"), "Wijkteam "),
        "outbox": (
            lambda n, s: _mail(world, programme, n, s),
            reverse(
                "programme_outbox",
                kwargs={"org": world.client.slug, "programme_pk": programme.pk},
            ),
            "Onderwerp ",
        ),
        "mail": (lambda n, s: _mail(world, programme, n, s), reverse("mail_outbox"), "Onderwerp "),
        "audit": (lambda n, s: _audit(world, n, s), reverse("audit_log"), "Rij "),
        "users": (lambda n, s: _people(world, n, s), reverse("user_list"), "Persoon "),
    }[page]
    grow(10, 0)
    small, _ = _queries(client, url)
    grow(990, 10)
    large, html = _queries(client, url)
    assert large == small, f"{page}: {small} queries at 10 rows, {large} at 1,000"
    assert marker in html and html.count("<tr>") >= 51  # its head and a page of 50 rows
    _, last = _queries(client, f"{url}?page=999")  # past the end: the last page, not an error
    assert last.count("<tr>") >= 2
    if page in ("outbox", "mail"):
        assert "/retry/" in html  # the failed ones can be sent again
    if page == "users":
        assert "Geblokkeerd" in html and "/block/" in html
    if page == "audit":
        assert "Oud Account" in html and "Organisatie gewijzigd" in html
    if page == "workspace":
        assert "Overleg 0" in html and "Overleg 1" not in html  # only the next meeting


@pytest.mark.parametrize("fmt", ["j N Y H:i", "j N H:i", "D j N H:i", "d-m-Y H:i", "l j F"])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_row_dates_equal_the_date_filter(fmt, language):
    template = engines["django"].from_string(f'{{{{ value|date:"{fmt}" }}}}')
    start = dt.datetime(2026, 1, 1, 0, 30, tzinfo=dt.UTC)
    with translation.override(language):
        formatter = datetime_formatter(fmt)
        for hours in range(0, 24 * 400, 13):  # every month, both sides of the clock change
            value = start + dt.timedelta(hours=hours, minutes=hours % 60)
            assert formatter(value) == template.render({"value": value}), (fmt, value)
        assert formatter(None) == ""


def test_row_url_equals_reverse():
    detail = row_url("programme_detail", "org", "programme_pk")
    assert detail("gemeente-7", 12) == reverse(
        "programme_detail", kwargs={"org": "gemeente-7", "programme_pk": 12}
    )
    retry = row_url("outbox_retry", "message_pk", org="x", programme_pk=3)
    assert retry(5) == reverse(
        "outbox_retry", kwargs={"org": "x", "programme_pk": 3, "message_pk": 5}
    )


@pytest.mark.parametrize("fmt", ["j N Y", "j N", "D j N", "d-m-Y", "l j F"])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_row_days_equal_the_date_filter(fmt, language):
    """A day (a date, not a moment) as the date filter writes it, every day of a year."""
    template = engines["django"].from_string(f'{{{{ value|date:"{fmt}" }}}}')
    with translation.override(language):
        formatter = datetime_formatter(fmt)
        for days in range(366):
            value = dt.date(2026, 1, 1) + dt.timedelta(days=days)
            assert formatter(value) == template.render({"value": value}), (fmt, value)
