"""Every page that shows a document shows a failed one as failed, with "try again"."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.models import Document
from programmes.permissions import Role
from recruitment import services as recruitment
from trainings import services as trainings
from trainings.models import Certificate, Training

from ..factories import UserFactory


@pytest.fixture
def failed(world, team, unscoped):
    """A failed document of every kind a page shows, and the certificate of the member."""
    programme, member, _ = team

    def doc(kind, **fields):
        return Document.objects.create(
            organisation=world.client,
            programme=programme,
            kind=kind,
            status=Document.Status.FAILED,
            attempts=5,
            error="Gave up after 5 attempts. OperationalError: database is locked",
            **fields,
        )

    survey = recruitment.survey_create(actor=None, programme=programme, title="Buurt")
    start = timezone.now() + dt.timedelta(days=3)
    trainings.track_create(  # the certificates show once the programme has its track
        actor=None,
        programme=programme,
        location="Buurthuis",
        starts={k: start + dt.timedelta(days=i) for i, k in enumerate(Training.Kind.values)},
    )
    certificate = Certificate.objects.create(
        organisation=world.client,
        programme=programme,
        user=member,
        holder_name=member.name,
        issued_on=timezone.localdate(),
    )
    certificate.document = doc("certificate", ref=str(certificate.pk), owner=member)
    certificate.save(update_fields=["document"])
    return {
        "plan": doc("plan"),
        "recruitment_flyer": doc("recruitment_flyer"),
        "survey_report": doc("survey_report", ref=str(survey.pk)),
        "introduction_flyer": doc("introduction_flyer"),
        "certificate": certificate.document,
        "survey": survey,
    }


PAGES = [
    ("programme_detail", Role.PROJECT_LEADER, "plan", {}),
    ("portal_programme", Role.CLIENT_STAFF, "plan", {}),
    ("recruitment:programme_selection", Role.PROJECT_LEADER, "recruitment_flyer", {}),
    ("recruitment:survey_results", Role.PROJECT_LEADER, "survey_report", {"survey_pk": "survey"}),
    ("trainings:programme_trainings", Role.PROJECT_LEADER, "introduction_flyer", {}),
    ("trainings:programme_trainings", Role.PROJECT_LEADER, "certificate", {}),
]


@pytest.mark.parametrize(("page", "role", "kind", "extra"), PAGES, ids=[p[2] for p in PAGES])
def test_the_page_shows_the_failed_document_with_try_again(
    client, world, team, failed, page, role, kind, extra
):
    programme = team[0]
    kwargs = {"org": world.client.slug, "programme_pk": programme.pk}
    kwargs.update({k: failed[v].pk for k, v in extra.items()})
    client.force_login(world.users[role])
    response = client.get(reverse(page, kwargs=kwargs))
    assert response.status_code == 200
    content = response.content.decode()
    retry = reverse(
        "document_retry", kwargs={**kwargs_of(world, programme), "document_pk": failed[kind].pk}
    )
    assert f'action="{retry}"' in content
    assert "Het maken van de pdf is mislukt." in content and "Probeer opnieuw" in content
    assert "OperationalError" not in content  # no raw codes for the user


def kwargs_of(world, programme):
    return {"org": world.client.slug, "programme_pk": programme.pk}


def test_the_member_sees_a_failed_certificate_and_tries_again(
    client, world, other_world, team, failed, django_capture_on_commit_callbacks
):
    member = team[1]
    document = failed["certificate"]
    home = reverse("patrols:team_home", kwargs={"org": world.client.slug})
    retry = reverse(
        "patrols:team_document_retry", kwargs={"org": world.client.slug, "document_pk": document.pk}
    )
    # Someone else's document is not found, for another member of the same client too.
    client.force_login(UserFactory(role=Role.TEAM_MEMBER, organisation=world.client))
    assert client.post(retry).status_code == 404
    client.force_login(other_world.users[Role.TEAM_MEMBER])
    assert client.post(retry).status_code == 404
    client.force_login(member)
    page = client.get(home).content.decode()
    assert "Mijn Certificaat (PDF) kon niet worden gemaakt." in page
    assert f'action="{retry}"' in page and "Probeer opnieuw" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry)
    assert response.status_code == 302 and response["Location"] == home
    document.refresh_from_db()
    assert document.status == Document.Status.READY and document.error == ""
    page = client.get(home).content.decode()
    download = reverse(
        "patrols:team_document", kwargs={"org": world.client.slug, "document_pk": document.pk}
    )
    assert download in page and "kon niet worden gemaakt" not in page


def test_the_member_sees_a_certificate_being_made(client, world, team, failed):
    member = team[1]
    document = failed["certificate"]
    Document.objects.filter(pk=document.pk).update(
        status=Document.Status.PENDING, attempts=0, queued_at=timezone.now()
    )
    client.force_login(member)
    home = reverse("patrols:team_home", kwargs={"org": world.client.slug})
    assert "Mijn Certificaat (PDF) wordt gemaakt" in client.get(home).content.decode()
    Document.objects.filter(pk=document.pk).update(attempts=2)
    assert "duurt langer dan normaal" in client.get(home).content.decode()
