"""Every named URL of ours, for every role: the tenant-isolation and permission matrix.

For each URL pattern this file declares who may open it. The test asserts, per role:
anonymous -> redirect to login; a user of another organisation -> 404; the wrong role in the
right organisation -> 403; the right role -> success. A URL without a declared rule fails.
URL kwargs use canonical names (`org`, `invitation_pk`, `user_pk`, `token`).
"""

import datetime as dt
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from programmes import services
from programmes.models import Document, Invitation, OutboxMessage
from programmes.permissions import Role
from programmes.services import invitation_create

ADMIN, PL, STAFF, MEMBER = (
    Role.CONSULTANCY_ADMIN,
    Role.PROJECT_LEADER,
    Role.CLIENT_STAFF,
    Role.TEAM_MEMBER,
)
ALL_ROLES = frozenset(Role)
PUBLIC = "public"

ACCESS = {
    "root": PUBLIC,
    "health": PUBLIC,
    "language_switch": PUBLIC,
    "invitation_accept": PUBLIC,
    "invitation_continue": PUBLIC,
    "org_logo": PUBLIC,
    "home": ALL_ROLES,
    "workspace": {ADMIN, PL},
    "client_list": {ADMIN, PL},
    "client_create": {ADMIN},
    "client_detail": {ADMIN, PL},
    "client_update": {ADMIN},
    "user_list": {ADMIN, PL},
    "invitation_create": {ADMIN},
    "user_block": {ADMIN},
    "invitation_resend": {ADMIN},
    "invitation_revoke": {ADMIN},
    "audit_log": {ADMIN},
    "mail_outbox": {ADMIN},
    "mail_retry": {ADMIN},
    "portal_home": {ADMIN, PL, STAFF},
    "patrols:team_home": {ADMIN, MEMBER},
    "plan_template": {ADMIN},
    "programme_new": {ADMIN, PL},
    "programme_create": {ADMIN, PL},
    "programme_detail": {ADMIN, PL},
    "programme_update": {ADMIN, PL},
    "programme_intake": {ADMIN, PL},
    "programme_plan": {ADMIN, PL},
    "plan_generate": {ADMIN, PL},
    "milestone_update": {ADMIN, PL},
    "milestone_done": {ADMIN, PL},
    "milestone_delete": {ADMIN, PL},
    "meeting_create": {ADMIN, PL},
    "meeting_detail": {ADMIN, PL},
    "meeting_update": {ADMIN, PL},
    "invitee_attendance": {ADMIN, PL},
    "programme_outbox": {ADMIN, PL},
    "outbox_retry": {ADMIN, PL},
    "document_request": {ADMIN, PL, STAFF},
    "document_status": {ADMIN, PL, STAFF},
    "document_download": {ADMIN, PL, STAFF},
    "document_retry": {ADMIN, PL, STAFF},
    "portal_programme": {ADMIN, PL, STAFF},
    "meeting_reply": PUBLIC,
    "meeting_reply_continue": PUBLIC,
    "patrols:team_sw": PUBLIC,
    "patrols:team_manifest": PUBLIC,
    "patrols:team_round": {MEMBER},
    "patrols:round_signup": {MEMBER},
    "patrols:round_signoff": {MEMBER},
    "patrols:team_choose": {MEMBER},
    "patrols:team_signals": {MEMBER},
    "patrols:team_signal": {MEMBER},
    "patrols:team_signal_photo": {MEMBER},
    "patrols:api_round_start": {MEMBER},
    "patrols:api_round_end": {MEMBER},
    "patrols:api_signal": {MEMBER},
    "patrols:api_signal_photo": {MEMBER},
    "patrols:api_conversation": {MEMBER},
    "patrols:portal_signals": {ADMIN, PL, STAFF},
    "patrols:portal_signal_map": {ADMIN, PL, STAFF},
    "patrols:portal_signal": {ADMIN, PL, STAFF},
    "patrols:portal_signal_photo": {ADMIN, PL, STAFF},
    "patrols:programme_rounds": {ADMIN, PL},
    "patrols:programme_categories": {ADMIN, PL},
    "patrols:programme_effort": {ADMIN, PL},
    "patrols:portal_effort": {ADMIN, PL, STAFF},
    "recruitment:apply": PUBLIC,
    "recruitment:programme_selection": {ADMIN, PL},
    "recruitment:portal_candidates": {ADMIN, PL, STAFF},
    "recruitment:survey_list": {ADMIN, PL},
    "recruitment:survey_edit": {ADMIN, PL},
    "recruitment:survey_results": {ADMIN, PL},
    "recruitment:survey_entry": {ADMIN, PL},
    "recruitment:survey_csv": {ADMIN, PL},
    "recruitment:survey_answer": PUBLIC,
    "recruitment:programme_campaign": {ADMIN, PL},
    "trainings:programme_trainings": {ADMIN, PL},
    "trainings:track_create": {ADMIN, PL},
    "trainings:team_invite": {ADMIN, PL},
    "trainings:assess": {ADMIN, PL},
    "trainings:rules_save": {ADMIN, PL},
    "trainings:ready": {ADMIN, PL},
    "trainings:gear_hand_out": {ADMIN, PL},
    "trainings:streets_save": {ADMIN, PL},
    "trainings:introduction_save": {ADMIN, PL},
    "trainings:revoke": {ADMIN, PL},
    "trainings:revoke_undo": {ADMIN, PL},
    "trainings:certificate_verify_form": PUBLIC,
    "trainings:certificate_verify": PUBLIC,
    "patrols:team_document": {MEMBER},
    "patrols:team_document_retry": {MEMBER},
    "trainings:team_track": {MEMBER},
}

# Views that answer a bare request from the right role with something else than 200/302:
# the phone API validates its JSON body (an empty one is a 400 with messages).
OK_STATUS = {
    name: (400,)
    for name in (
        "patrols:api_round_start",
        "patrols:api_round_end",
        "patrols:api_signal",
        "patrols:api_signal_photo",
        "patrols:api_conversation",
    )
}
# The track page's actions that name a thing by a posted id: a bare post names nothing (404);
# planning the track with a bare post shows the page again with the form's errors.
OK_STATUS |= {
    name: (404,)
    for name in (
        "trainings:team_invite",
        "trainings:assess",
        "trainings:ready",
        "trainings:gear_hand_out",
        "trainings:revoke",
        "trainings:revoke_undo",
    )
}
OK_STATUS["trainings:track_create"] = (200,)

OUR_APPS = ("programmes.", "recruitment.", "trainings.", "patrols.", "reporting.")


def _walk(patterns, prefix_kwargs=(), namespace=""):
    for p in patterns:
        kwargs = tuple(prefix_kwargs) + tuple(re.findall(r"<(?:\w+:)?(\w+)>", str(p.pattern)))
        if isinstance(p, URLResolver):
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, kwargs, inner)
        elif isinstance(p, URLPattern) and p.name:
            view = getattr(p.callback, "view_class", p.callback)
            if view.__module__.startswith(OUR_APPS):
                yield namespace + p.name, kwargs, view


OUR_URLS = sorted(
    {(name, kwargs, view) for name, kwargs, view in _walk(get_resolver().url_patterns)},
    key=lambda x: x[0],
)


def test_every_url_declares_an_access_rule():
    undeclared = [name for name, _, _ in OUR_URLS if name not in ACCESS]
    assert not undeclared, f"declare who may open these URLs in ACCESS: {undeclared}"
    stale = set(ACCESS) - {name for name, _, _ in OUR_URLS}
    assert not stale, f"ACCESS names URLs that no longer exist: {stale}"


@pytest.fixture
def objects(world, programme, django_capture_on_commit_callbacks, mailoutbox):
    """One object of each kind in `world`'s client, keyed by the canonical kwarg name
    (`<url name>:<kwarg>` where one name means different objects on different URLs)."""
    from programmes.demo import _logo_png

    admin = world.users[ADMIN]
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            actor=admin,
            organisation=world.client,
            email="nieuw@example.org",
            name="Nieuw Lid",
            role=STAFF,
        )
    token = re.search(r"/invitation/[\w-]+/([\w-]+)/", mailoutbox[-1].body).group(1)
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        (milestone, *_) = services.plan_generate(actor=admin, programme=programme)
        start = timezone.now() + dt.timedelta(days=3)
        meeting = services.meeting_create(
            actor=admin,
            programme=programme,
            kind="team",
            title="Teamoverleg",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            location="Buurthuis",
        )
        invitee = services.invitee_add(
            actor=admin, meeting=meeting, name="Bewoner", email="bewoner@example.org"
        )
    meeting_token = re.search(r"/meeting/[\w-]+/([\w-]+)/", mailoutbox[-1].body).group(1)
    with scopes_disabled():
        message = OutboxMessage.objects.filter(programme=programme).first()
        message.status = OutboxMessage.Status.FAILED
        message.save(update_fields=["status"])
        document = Document.objects.create(
            organisation=world.client,
            programme=programme,
            kind="plan",
            status=Document.Status.READY,
        )
        document.file.save("plan.pdf", ContentFile(b"%PDF-1.7 test"))
    world.client.logo.save("logo.png", ContentFile(_logo_png("GN", "#123456")))
    with scopes_disabled():
        import uuid as uuidlib

        from patrols import services as patrols

        member = world.users[MEMBER]
        roster = services.team_member_add(actor=admin, programme=programme, user=member)
        services.team_member_set_ready(actor=admin, member=roster, ready=True)
        category = patrols.categories_ensure(programme=programme)[0]
        (slot,) = patrols.round_slot_create(
            actor=admin,
            programme=programme,
            starts_at=timezone.now() + dt.timedelta(days=2),
            meeting_point="Plein",
        )
        round_, _ = patrols.round_start(
            actor=member,
            programme=programme,
            uuid=uuidlib.uuid4(),
            started_at=timezone.now() - dt.timedelta(hours=1),
        )
        signal, _ = patrols.signal_report(
            actor=member,
            programme=programme,
            uuid=uuidlib.uuid4(),
            category=category,
            description="Matras",
            reported_at=timezone.now(),
            street="Lindelaan",
        )
        import io

        from django.core.files.uploadedfile import SimpleUploadedFile
        from PIL import Image

        jpeg = io.BytesIO()
        Image.new("RGB", (40, 30), "#336699").save(jpeg, format="JPEG")
        photo, _ = patrols.signal_photo_add(
            actor=member,
            signal=signal,
            uuid=uuidlib.uuid4(),
            upload=SimpleUploadedFile("p.jpg", jpeg.getvalue(), content_type="image/jpeg"),
        )
        from recruitment import services as recruitment

        survey = recruitment.survey_create(actor=admin, programme=programme, title="Buurt")
        recruitment.survey_set_status(actor=admin, survey=survey, status="open")
        certificate_document = Document.objects.create(
            organisation=world.client,
            programme=programme,
            kind="certificate",
            status=Document.Status.READY,
            owner=member,
            ref="0",
        )
        certificate_document.file.save("c.pdf", ContentFile(b"%PDF-1.7 test"))
        from trainings.models import Certificate

        certificate = Certificate.objects.create(
            organisation=world.client,
            programme=programme,
            user=member,
            holder_name=member.name,
            issued_on=timezone.localdate(),
        )
    return {
        "patrols:team_document:document_pk": certificate_document.pk,
        "patrols:team_document_retry:document_pk": certificate_document.pk,
        "code": certificate.code,
        "survey_pk": survey.pk,
        "public_id": str(survey.public_id),
        "signal_pk": signal.pk,
        "photo_pk": photo.pk,
        "slot_pk": slot.pk,
        "round_uuid": str(round_.uuid),
        "signal_uuid": str(signal.uuid),
        "org": world.client.slug,
        "invitation_pk": invitation.pk,
        "user_pk": world.users[STAFF].pk,
        "token": token,
        "meeting_reply:token": meeting_token,
        "programme_pk": programme.pk,
        "milestone_pk": milestone.pk,
        "meeting_pk": meeting.pk,
        "invitee_pk": invitee.pk,
        "message_pk": message.pk,
        "document_pk": document.pk,
    }


def _request(client, name, kwargs, view, objects):
    url = reverse(name, kwargs={k: objects.get(f"{name}:{k}", objects.get(k)) for k in kwargs})
    allowed = getattr(view, "http_method_names", ["get"])
    if "get" in allowed:
        return client.get(url)
    return client.post(url, {"next": "/", "language": "en"})


def _is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


CASES = [(name, kwargs, view) for name, kwargs, view in OUR_URLS]


@pytest.mark.parametrize(("name", "kwargs", "view"), CASES, ids=[c[0] for c in CASES])
def test_anonymous(client, objects, name, kwargs, view):
    response = _request(client, name, kwargs, view, objects)
    if ACCESS[name] == PUBLIC:
        assert response.status_code in (200, 302)
        if not getattr(view, "redirects", False):  # the root page sends visitors to login
            assert not _is_login_redirect(response)
    else:
        assert _is_login_redirect(response), response.status_code


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
@pytest.mark.parametrize(("name", "kwargs", "view"), CASES, ids=[c[0] for c in CASES])
def test_roles_in_own_organisation(client, world, objects, role, name, kwargs, view):
    client.force_login(world.users[role])
    response = _request(client, name, kwargs, view, objects)
    rule = ACCESS[name]
    if rule == PUBLIC or role in rule:
        expected = OK_STATUS.get(name) or (
            (302,)
            if getattr(view, "redirects", False) or "get" not in view.http_method_names
            else (200,)
        )
        if rule == PUBLIC:
            expected = (200, 302)
        assert response.status_code in expected, (name, role, response.status_code)
        assert not _is_login_redirect(response)
    else:
        assert response.status_code == 403, (name, role, response.status_code)


TENANT_CASES = [c for c in CASES if c[1] and ACCESS[c[0]] != PUBLIC]


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
@pytest.mark.parametrize(("name", "kwargs", "view"), TENANT_CASES, ids=[c[0] for c in TENANT_CASES])
def test_other_organisation_gets_404(client, other_world, objects, role, name, kwargs, view):
    """A user of another organisation, whatever their role, cannot tell the object exists."""
    client.force_login(other_world.users[role])
    response = _request(client, name, kwargs, view, objects)
    rule = ACCESS[name]
    if role in rule:
        assert response.status_code == 404, (name, role, response.status_code)
    else:
        # The wrong role in another organisation: refused either way, never shown.
        assert response.status_code in (403, 404), (name, role, response.status_code)


def test_project_leader_sees_only_assigned_clients(client, world, objects):
    """Within one consultancy, a project leader not assigned to a client gets 404 for it."""
    client.force_login(world.users[PL])
    assert (
        client.get(reverse("client_detail", kwargs={"org": world.client.slug})).status_code == 200
    )
    assert (
        client.get(reverse("client_detail", kwargs={"org": world.other_client.slug})).status_code
        == 404
    )
    assert (
        client.get(reverse("portal_home", kwargs={"org": world.other_client.slug})).status_code
        == 404
    )


def test_consultancy_is_not_a_client_page(client, world, objects):
    client.force_login(world.users[ADMIN])
    assert (
        client.get(reverse("client_detail", kwargs={"org": world.consultancy.slug})).status_code
        == 404
    )
    assert (
        client.get(reverse("portal_home", kwargs={"org": world.consultancy.slug})).status_code
        == 404
    )


def test_invitation_of_other_tenant_is_invisible_in_lists(client, world, other_world, objects):
    client.force_login(other_world.users[ADMIN])
    page = client.get(reverse("user_list")).content.decode()
    assert "nieuw@example.org" not in page
    assert world.users[STAFF].email not in page
    with scopes_disabled():
        assert Invitation.objects.filter(email="nieuw@example.org").exists()


def test_project_leader_who_does_not_lead_the_programme_gets_404(client, world, objects):
    with scopes_disabled():
        from ..factories import UserFactory

        other_pl = UserFactory(role=PL, organisation=world.consultancy)
        other_pl.assigned_clients.set([world.client])
    client.force_login(other_pl)
    url = reverse(
        "programme_detail",
        kwargs={"org": world.client.slug, "programme_pk": objects["programme_pk"]},
    )
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("client_detail", kwargs={"org": world.client.slug})).status_code == 200
    )


JUNK = {
    "name": "x" * 5000,
    "email": "not-an-email",
    "start_date": "31-02-2026",
    "starts_at": "gisteren",
    # No NUL byte here: the input guard answers 400 before any view runs, so one would stop
    # this test from reaching the forms (tests/project/test_fuzz.py posts NUL bytes).
    "ends_at": "23:61",
    "capacity": "-1",
    "guests": "veel",
    "attending": "misschien",
    "phase": "nonsense",
    "due_date": "2026-13-45",
    "role": "superuser",
    "organisation": "999999",
    "project_leaders": ["abc"],
    "language": "xx",
    "kind": "<script>",
    "done": "maybe",
    "attended": "2",
    "active": "yes please",
    "replace": "1; DROP TABLE",
    "goals-TOTAL_FORMS": "banana",
    "rows-TOTAL_FORMS": "-5",
    "next": "javascript:alert(1)",
    # ids of things a form names: tampered with
    "application": "x",
    "user": "1e3",
    "training": "-1",
    "certificate": "99999999999999999999",
    "toggle": "x",
    "remove": "x",
    "convert": "x",
    "invite_meeting": "x",
    "reward_user": "x",
    "parent": "x",
    "action": "assess",
    "stage": "x",
    "decision": "approve",
    "reason": "",
}


@pytest.mark.parametrize(("name", "kwargs", "view"), CASES, ids=[c[0] for c in CASES])
def test_junk_input_never_answers_500(client, world, objects, name, kwargs, view):
    """Whatever is posted, by the most powerful user, the answer is a page, not a crash."""
    client.force_login(world.users[ADMIN])
    url = reverse(name, kwargs={k: objects.get(f"{name}:{k}", objects.get(k)) for k in kwargs})
    client.raise_request_exception = False
    for action in ("assess", "invite", "revoke", "track"):
        response = client.post(url, {**JUNK, "action": action})
        assert response.status_code < 500, (name, action, response.status_code)
    response = client.get(url, {"page": "-1", "q": "\x00" * 3, "org": "../../", "kind": "'"})
    assert response.status_code < 500, (name, response.status_code)
