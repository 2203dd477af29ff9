"""A signal from the phone is a handful of queries, new or resent."""

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patrols.models import Signal, SignalEvent
from programmes.models import AuditEntry

# Whether the programme was closed is read with the member's roster rows, not asked again.
MAX_QUERIES = 8


def _body(team):
    programme, _, categories = team
    return {
        "id": str(uuid.uuid4()),
        "programme": programme.pk,
        "category": categories[0].pk,
        "description": "Grofvuil naast de container",
        "street": "Lindelaan",
        "house_number": "4",
        "reported_at": timezone.now().isoformat(),
        "urgent": False,
    }


def _post(client, world, body):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("patrols:api_signal", kwargs={"org": world.client.slug}),
            data=json.dumps(body),
            content_type="application/json",
        )
    statements = [query["sql"] for query in queries.captured_queries]
    for number, sql in enumerate(statements, 1):
        print(number, sql[:300])
    # SQLite logs the bounds of the service's own transaction as statements; PostgreSQL's
    # (production) are not statements Django runs, so they are not counted. Savepoints are.
    counted = [
        sql for sql in statements if sql not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")
    ]
    return response, len(counted)


# Outside a test transaction, as in production: the service's own transaction is then a real
# one (BEGIN/COMMIT are not statements), where inside a test's it would cost two savepoints.
@pytest.mark.django_db(transaction=True)
def test_new_signal_and_resend_take_few_queries(client, world, team):
    client.force_login(team[1])
    body = _body(team)
    _post(client, world, _body(team))  # warm caches shared by every request (site settings)
    response, count = _post(client, world, body)
    assert response.status_code == 201
    assert count <= MAX_QUERIES
    again, count = _post(client, world, body)
    assert again.status_code == 200 and again.json() == response.json()
    assert count <= MAX_QUERIES
    other, count = _post(client, world, {**body, "description": "Iets anders"})
    assert other.status_code == 409
    assert count <= MAX_QUERIES
    assert Signal.objects.filter(uuid=body["id"]).count() == 1
    assert SignalEvent.objects.filter(signal__uuid=body["id"]).count() == 1
    assert AuditEntry.objects.filter(action="signal.reported").count() == 2
