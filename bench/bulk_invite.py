"""Bulk actions on 1,000 people: the request time of each (target: under 2 s, the work in a
bulk job) and then the job's own time in-process (progress in chunks, mail in batches).

  - team: inviting a team of n to a training (the track page)
  - meeting: inviting a list of n addresses to a meeting (the meeting's page)
  - applicants: inviting n applicants to the information meeting (the selection page), with
    the time the same work took inside the request before (the service run in-process)
  - certificates: issuing the certificates of n members present at the workshop (the track
    page); their PDFs are made and mailed by the document tasks afterwards, not timed here

    .venv/bin/python bench/bulk_invite.py [size] [scenario ...]
"""

import datetime as dt
import sys
import time

from _setup import bench_programme, django_with_test_db

SCENARIOS = ("team", "meeting", "applicants", "certificates")


def main(n: int, scenarios) -> None:
    connection = django_with_test_db()
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone
    from django_scopes import scope, scopes_disabled

    from config.celery import app
    from programmes import services as base
    from programmes.models import BulkJob, Invitee, TeamMember, User
    from programmes.services.bulk import bulk_job_process
    from recruitment import services as recruitment
    from recruitment.models import Application
    from trainings import services as trainings
    from trainings.models import Certificate, Training

    # The request queues the job's task on commit; here it goes to an in-memory broker (as to
    # a worker), not in-process, so the request time is the request's alone.
    app.conf.update(task_always_eager=False, broker_url="memory://")
    org, leader, programme = bench_programme()
    start = timezone.now() + dt.timedelta(days=3)
    with scopes_disabled():
        users = User.objects.bulk_create(
            User(email=f"lid{i}@example.org", name=f"Lid {i}", role="team_member", organisation=org)
            for i in range(n)
        )
        TeamMember.objects.bulk_create(
            TeamMember(organisation=org, programme=programme, user=user) for user in users
        )
        track = trainings.track_create(
            actor=leader,
            programme=programme,
            location="Buurthuis",
            starts={k: start + dt.timedelta(days=i) for i, k in enumerate(Training.Kind.values)},
        )
    client = Client()
    client.force_login(leader)
    kwargs = {"org": org.slug, "programme_pk": programme.pk}

    def meeting(title):
        with scopes_disabled():
            return base.meeting_create(
                actor=leader,
                programme=programme,
                kind="information",
                title=title,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
                location="Buurthuis",
            )

    def measure(name, url, data, count):
        """Post, time the request, then run the job it stored in-process and time that."""
        with scopes_disabled():
            before = set(BulkJob.objects.values_list("pk", flat=True))
        began = time.perf_counter()
        response = client.post(url, data)
        request_s = time.perf_counter() - began
        assert response.status_code == 302, response.status_code
        with scopes_disabled():
            job = BulkJob.objects.exclude(pk__in=before).get()
        began = time.perf_counter()
        with scope(organisation=org.pk):
            bulk_job_process(job_id=job.pk)
        job_s = time.perf_counter() - began
        with scopes_disabled():
            job.refresh_from_db()
            made = count()
        print(f"{name} {n}: request {request_s * 1000:.0f} ms (target < 2000 ms)")
        print(
            f"  job: {job.status}, {job.done}/{job.total} (failed {job.failed}) in {job_s:.1f} s "
            f"({made / job_s:.0f}/s, in chunks of 100, mail queued in batches)"
        )

    if "team" in scenarios:
        training = track[0]
        measure(
            "team invite",
            reverse("trainings:team_invite", kwargs=kwargs),
            {"action": "invite", "training": training.pk},
            lambda: Invitee.objects.filter(meeting=training.meeting).count(),
        )

    if "meeting" in scenarios:
        target = meeting("Bewonersavond")
        lines = "\n".join(f"Bewoner {i} <bewoner{i}@example.org>" for i in range(n))
        measure(
            "meeting invite",
            reverse("meeting_detail", kwargs={**kwargs, "meeting_pk": target.pk}),
            {"many-people": lines},
            lambda: Invitee.objects.filter(meeting=target).count(),
        )

    if "applicants" in scenarios:
        with scopes_disabled():
            keep = timezone.localdate() + dt.timedelta(days=365)
            Application.objects.bulk_create(
                Application(
                    organisation=org,
                    programme=programme,
                    name=f"Aanmelder {i}",
                    email=f"aanmelder{i}@example.org",
                    street="Lindelaan",
                    house_number=str(i),
                    postcode="3031 AB",
                    motivation="Ik wil meedoen.",
                    consent_text="ja",
                    consent_at=timezone.now(),
                    keep_until=keep,
                )
                for i in range(n)
            )
        target = meeting("Informatieavond")
        measure(
            "applicants invite",
            reverse("recruitment:programme_selection", kwargs=kwargs),
            {"invite_meeting": target.pk},
            lambda: Invitee.objects.filter(meeting=target).count(),
        )
        # Before: the request did the same work itself (every invitation and its mail).
        with scopes_disabled():
            Application.objects.update(stage="applied")
        other = meeting("Tweede informatieavond")
        began = time.perf_counter()
        with scope(organisation=org.pk):
            recruitment.applicants_invite(
                actor=leader, meeting=other, applications=Application.objects.all()
            )
        print(
            f"  before (the work inside the request): {time.perf_counter() - began:.1f} s "
            f"for {n} applicants"
        )

    if "certificates" in scenarios:
        workshop = next(t for t in track if t.kind == Training.Kind.WORKSHOP)
        with scopes_disabled():
            Invitee.objects.bulk_create(
                Invitee(
                    organisation=org,
                    meeting=workshop.meeting,
                    name=user.name,
                    email=f"aanwezig{user.pk}@example.org",
                    user=user,
                    token_hash=f"bench-{user.pk}",
                    attended=True,
                )
                for user in users
            )
        measure(
            "certificates",
            reverse("trainings:certificates_issue", kwargs=kwargs),
            {},
            lambda: Certificate.objects.filter(programme=programme).count(),
        )
    connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    main(size, sys.argv[2:] or SCENARIOS)
