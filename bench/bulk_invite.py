"""Inviting a team of 1,000 to a training: the request time (target: under 2 s, the work in a
bulk job) and then the job's own time in-process (progress in chunks, mail in batches).

    .venv/bin/python bench/bulk_invite.py [team size]
"""

import datetime as dt
import sys
import time

from _setup import bench_programme, django_with_test_db


def main(n: int) -> None:
    connection = django_with_test_db()
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone
    from django_scopes import scope, scopes_disabled

    from config.celery import app
    from programmes.models import BulkJob, Invitee, TeamMember, User
    from programmes.services.bulk import bulk_job_process
    from trainings import services as trainings
    from trainings.models import Training

    # The request queues the job's task on commit; here it goes to an in-memory broker (as to
    # a worker), not in-process, so the request time is the request's alone.
    app.conf.update(task_always_eager=False, broker_url="memory://")
    org, leader, programme = bench_programme()
    with scopes_disabled():
        users = User.objects.bulk_create(
            User(email=f"lid{i}@example.org", name=f"Lid {i}", role="team_member", organisation=org)
            for i in range(n)
        )
        TeamMember.objects.bulk_create(
            TeamMember(organisation=org, programme=programme, user=user) for user in users
        )
        start = timezone.now() + dt.timedelta(days=3)
        training = trainings.track_create(
            actor=leader,
            programme=programme,
            location="Buurthuis",
            starts={k: start + dt.timedelta(days=i) for i, k in enumerate(Training.Kind.values)},
        )[0]
    client = Client()
    client.force_login(leader)
    url = reverse("trainings:team_invite", kwargs={"org": org.slug, "programme_pk": programme.pk})
    began = time.perf_counter()
    response = client.post(url, {"action": "invite", "training": training.pk})
    request_s = time.perf_counter() - began
    assert response.status_code == 302, response.status_code
    with scopes_disabled():
        job = BulkJob.objects.get()
    began = time.perf_counter()
    with scope(organisation=org.pk):
        bulk_job_process(job_id=job.pk)
    job_s = time.perf_counter() - began
    with scopes_disabled():
        job.refresh_from_db()
        invited = Invitee.objects.filter(meeting=training.meeting).count()
    print(f"invite {n}: request {request_s * 1000:.0f} ms (target < 2000 ms)")
    print(
        f"job: {job.status}, {job.done}/{job.total} in {job_s:.1f} s "
        f"({invited / job_s:.0f} invitations/s, in chunks, mail queued in batches)"
    )
    connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
