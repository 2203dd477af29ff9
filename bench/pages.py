"""Time the logged-in pages against a trivial view, in one process and one run.

Prints, per page: median and 95th percentile in ms, queries per request, and the ratio to the
floor (the health view: one query, no template). Run: .venv/bin/python bench/pages.py [N]
"""

import sys

from _setup import django_with_test_db, production_rendering, timed


def main(n: int) -> None:
    connection = django_with_test_db()
    production_rendering()
    import datetime as dt

    from django.db import reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from programmes import services
    from programmes.permissions import Role
    from tests.factories import ClientFactory, ConsultancyFactory, UserFactory

    with scopes_disabled():
        consultancy = ConsultancyFactory()
        admin = UserFactory(role=Role.CONSULTANCY_ADMIN, organisation=consultancy)
        clients = [ClientFactory(consultancy=consultancy) for _ in range(50)]
        staff = UserFactory(role=Role.CLIENT_STAFF, organisation=clients[0])
        for i, org in enumerate(clients):
            UserFactory(role=Role.TEAM_MEMBER, organisation=org)
            services.invitation_create(
                actor=admin,
                organisation=org,
                email=f"b{i}@example.org",
                name="B",
                role=Role.CLIENT_STAFF,
            )
            services.organisation_update(actor=admin, organisation=org, city=f"Stad {i}")
        # 50 programmes of the first client, each with its 14-milestone plan and a meeting.
        start = timezone.now() + dt.timedelta(days=3)
        for i in range(50):
            programme = services.programme_create(
                actor=admin,
                client=clients[0],
                project_leaders=[admin],
                client_contacts=[staff],
                name=f"Team {i}",
                neighbourhood="Wijk",
                municipality="Stad",
                start_date=dt.date(2026, 9, 7),
            )
            services.plan_generate(actor=admin, programme=programme)
            services.meeting_create(
                actor=admin,
                programme=programme,
                kind="team",
                title="Overleg",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
                location="Buurthuis",
            )

    admin_client = Client()
    admin_client.force_login(admin)
    staff_client = Client()
    staff_client.force_login(staff)
    anonymous = Client()

    cases = [
        ("floor: /health/ (anonymous)", anonymous, "/health/"),
        ("login page (anonymous)", anonymous, "/accounts/login/"),
        ("workspace, 50 programmes", admin_client, "/workspace/"),
        ("client list, 50 clients", admin_client, "/workspace/clients/"),
        ("users, 100 accounts + 50 invitations", admin_client, "/workspace/users/"),
        ("audit log, page of 50", admin_client, "/workspace/audit/"),
        ("client portal, 50 programmes", staff_client, f"/portal/{clients[0].slug}/"),
        ("workspace programmes, filter by phase", admin_client, "/workspace/?phase=preparation"),
        (
            "programme overview",
            admin_client,
            f"/workspace/clients/{clients[0].slug}/programmes/{programme.pk}/",
        ),
        (
            "plan of approach, 14 milestones",
            admin_client,
            f"/workspace/clients/{clients[0].slug}/programmes/{programme.pk}/plan/",
        ),
        (
            "portal programme page",
            staff_client,
            f"/portal/{clients[0].slug}/programmes/{programme.pk}/",
        ),
    ]
    floor = None
    print(f"{'page':40} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'x floor':>8}")
    for label, client, url in cases:

        def get(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        stats = timed(get, n)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        queries = len(ctx.captured_queries)
        reset_queries()
        floor = floor or stats["p50"]
        ratio = stats["p50"] / floor
        print(f"{label:40} {stats['p50']:8.2f} {stats['p95']:8.2f} {queries:8d} {ratio:8.1f}")
    import resource

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process after {n * len(cases)} requests: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
