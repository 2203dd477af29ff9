"""Every named URL of ours, for every role and every method: the tenant-isolation and
permission matrix.

For each URL pattern this file declares, per HTTP method it answers, who may use it (and,
where one POST does several things, per action: `"POST reward_user"`). The test asserts, for
every URL x method x role: anonymous -> redirect to login; a user of another organisation
-> 404; the wrong role in the right organisation -> 403; the right role -> success. A URL
without a declared rule fails, and so does a method the view handles that the matrix does not
declare (or an action of the view's `ByAction` table); a method the view does not handle
answers 405. URL kwargs use canonical names (`org`, `invitation_pk`, `user_pk`, `token`).
"""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from programmes import services
from programmes.mixins import ByAction, handled_writes
from programmes.models import BulkJob, Document, Invitation, OutboxMessage
from programmes.permissions import Role
from programmes.services import invitation_create
from programmes.services.notifications import unsubscribe_token

ADMIN, PL, STAFF, MEMBER = (
    Role.CONSULTANCY_ADMIN,
    Role.PROJECT_LEADER,
    Role.CLIENT_STAFF,
    Role.TEAM_MEMBER,
)
ALL_ROLES = frozenset(Role)
PUBLIC = "public"
CONSULTANCY = frozenset({ADMIN, PL})  # the programme's workspace: read and manage alike
ADMIN_ONLY = frozenset({ADMIN})
CLIENT_READERS = frozenset({ADMIN, PL, STAFF})  # the portal and the programme's documents
MEMBER_ONLY = frozenset({MEMBER})  # the phone app's team pages: only a member of a team


def _rw(roles, post=None):
    """A page that is read and posted: `roles` read it, `post` (the same when None) post."""
    return {"GET": roles, "POST": roles if post is None else post}


ACCESS = {
    "root": {"GET": PUBLIC},
    "health": {"GET": PUBLIC},
    "language_switch": {"POST": PUBLIC},
    "invitation_accept": _rw(PUBLIC),
    "invitation_continue": _rw(PUBLIC),
    "org_logo": {"GET": PUBLIC},
    "home": {"GET": ALL_ROLES},
    "workspace": {"GET": CONSULTANCY},
    "client_list": {"GET": CONSULTANCY},
    "client_create": _rw(ADMIN_ONLY),
    "client_detail": {"GET": CONSULTANCY},
    "client_update": _rw(ADMIN_ONLY),
    "user_list": {"GET": CONSULTANCY},
    "invitation_create": _rw(ADMIN_ONLY),
    "user_block": {"POST": ADMIN_ONLY},
    "invitation_resend": {"POST": ADMIN_ONLY},
    "invitation_revoke": {"POST": ADMIN_ONLY},
    "audit_log": {"GET": ADMIN_ONLY},
    "mail_outbox": {"GET": ADMIN_ONLY},
    "mail_retry": {"POST": ADMIN_ONLY},
    "privacy": _rw(ADMIN_ONLY),
    "privacy_person": _rw(ADMIN_ONLY),
    "my_data": _rw(MEMBER_ONLY),
    "retention_terms": _rw(ADMIN_ONLY),
    # Everyone's own notifications and choices; the unsubscribe link of a mail needs no login.
    "notification_list": _rw(ALL_ROLES),
    "notification_preferences": _rw(ALL_ROLES),
    "notification_unsubscribe": _rw(PUBLIC),
    "portal_home": {"GET": CLIENT_READERS},
    "patrols:team_home": {"GET": {ADMIN, MEMBER}},
    "plan_template": _rw(ADMIN_ONLY),
    "programme_new": {"GET": CONSULTANCY},
    "programme_create": _rw(CONSULTANCY),
    "programme_detail": {"GET": CONSULTANCY},
    "programme_update": _rw(CONSULTANCY),
    "programme_intake": _rw(CONSULTANCY),
    "programme_plan": _rw(CONSULTANCY),
    "plan_generate": {"POST": CONSULTANCY},
    "milestone_update": _rw(CONSULTANCY),
    "milestone_done": {"POST": CONSULTANCY},
    "milestone_delete": {"POST": CONSULTANCY},
    "meeting_create": _rw(CONSULTANCY),
    "meeting_detail": _rw(CONSULTANCY),
    "meeting_update": _rw(CONSULTANCY),
    "invitee_attendance": {"POST": CONSULTANCY},
    "meeting_series_create": _rw(CONSULTANCY),
    "meeting_series_detail": _rw(CONSULTANCY),
    "meeting_agenda": {"POST": CONSULTANCY},
    "meeting_notes": {"POST": CONSULTANCY},
    "agreement_create": {"POST": CONSULTANCY},
    "agreement_status": {"POST": CONSULTANCY},
    # A member answers their own invitation to a team meeting from the phone app.
    "team_meeting_answer": {"POST": MEMBER_ONLY},
    "portal_meetings": {"GET": CLIENT_READERS},
    "programme_outbox": {"GET": CONSULTANCY},
    "programme_board": _rw(CONSULTANCY),
    "outbox_retry": {"POST": CONSULTANCY},
    "document_request": {"POST": CLIENT_READERS},
    "document_status": {"GET": CLIENT_READERS},
    "bulk_job_status": {"GET": CONSULTANCY},
    "document_download": {"GET": CLIENT_READERS},
    "document_retry": {"POST": CLIENT_READERS},
    "portal_programme": {"GET": CLIENT_READERS},
    "meeting_reply": _rw(PUBLIC),
    "meeting_reply_continue": _rw(PUBLIC),
    "patrols:team_sw": {"GET": PUBLIC},
    "patrols:team_manifest": {"GET": PUBLIC},
    "patrols:team_round": {"GET": MEMBER_ONLY},
    "patrols:round_signup": {"POST": MEMBER_ONLY},
    "patrols:round_signoff": _rw(MEMBER_ONLY),
    "patrols:team_choose": _rw(MEMBER_ONLY),
    "patrols:team_signals": {"GET": MEMBER_ONLY},
    "patrols:team_activities": _rw(MEMBER_ONLY),
    "patrols:team_board": {"GET": MEMBER_ONLY},
    "patrols:team_signal": {"GET": MEMBER_ONLY},
    "patrols:team_signal_photo": {"GET": MEMBER_ONLY},
    "patrols:api_round_start": {"POST": MEMBER_ONLY},
    "patrols:api_round_end": {"POST": MEMBER_ONLY},
    "patrols:api_signal": {"POST": MEMBER_ONLY},
    "patrols:api_open_signals": {"GET": MEMBER_ONLY},
    "patrols:api_confirmation": {"POST": MEMBER_ONLY},
    "patrols:api_signal_photo": {"POST": MEMBER_ONLY},
    # A photo as the request body, its id in the address (the form's endpoint above stays).
    "patrols:api_signal_photo_body": {"POST": MEMBER_ONLY},
    "patrols:api_conversation": {"POST": MEMBER_ONLY},
    "patrols:portal_signals": {"GET": CLIENT_READERS},
    "patrols:portal_signal_map": {"GET": CLIENT_READERS},
    # The client's staff handle signals; the project leader follows them.
    "patrols:portal_signal": _rw(CLIENT_READERS, post={ADMIN, STAFF}),
    "patrols:portal_signal_photo": {"GET": CLIENT_READERS},
    # Reviewing a photo before the client sees it (blur, or nothing to blur): the consultancy.
    "patrols:portal_signal_photo_review": _rw(CONSULTANCY),
    # The member chooses what the client's staff see of them (the admin sees the app too).
    "patrols:team_sharing": _rw({ADMIN, MEMBER}),
    # The hand-off's set-up (Perm.HANDOFF_MANAGE): the client's staff (no admin rank among
    # them) and the consultancy admin; the project leader sees its health, not its set-up.
    "patrols:portal_handoff": _rw({ADMIN, STAFF}),
    "patrols:portal_handoff_channel_active": {"POST": {ADMIN, STAFF}},
    "patrols:portal_handoff_channel_map": {"POST": {ADMIN, STAFF}},
    "patrols:portal_handoff_services_fetch": {"POST": {ADMIN, STAFF}},
    "patrols:portal_handoff_services_map": {"POST": {ADMIN, STAFF}},
    "patrols:portal_handoff_retry": {"POST": {ADMIN, STAFF}},
    "patrols:portal_handoff_route_create": {"POST": {ADMIN, STAFF}},
    "patrols:portal_handoff_route_delete": {"POST": {ADMIN, STAFF}},
    "patrols:portal_handoff_department_create": {"POST": {ADMIN, STAFF}},
    "patrols:portal_handoff_department_delete": {"POST": {ADMIN, STAFF}},
    # The client's own system posts status updates, signed per channel (no session).
    "patrols:handoff_inbound": {"POST": PUBLIC},
    "patrols:programme_rounds": _rw(CONSULTANCY),
    "patrols:programme_categories": _rw(CONSULTANCY),
    # The hand-off's health of the programme: read only.
    "patrols:programme_handoff": {"GET": CONSULTANCY},
    # The effort page posts the effort obligation (managing the programme) or hands out a
    # reward (the reward permission, which the client's staff have too, in the portal).
    "patrols:programme_effort": {
        "GET": CONSULTANCY,
        "POST": CONSULTANCY,
        "POST reward_user": CONSULTANCY,
    },
    "patrols:portal_effort": {
        "GET": CLIENT_READERS,
        "POST": CONSULTANCY,
        "POST reward_user": CLIENT_READERS,
    },
    "recruitment:apply": _rw(PUBLIC),
    "recruitment:own_data": _rw(PUBLIC),
    "recruitment:programme_selection": _rw(CONSULTANCY),
    # The client decides on candidates; the project leader sees what was proposed.
    "recruitment:portal_candidates": _rw(CLIENT_READERS, post={ADMIN, STAFF}),
    "recruitment:survey_list": _rw(CONSULTANCY),
    "recruitment:survey_edit": _rw(CONSULTANCY),
    "recruitment:survey_results": _rw(CONSULTANCY),
    "recruitment:survey_entry": _rw(CONSULTANCY),
    "recruitment:survey_csv": {"GET": CONSULTANCY},
    "recruitment:survey_answer": _rw(PUBLIC),
    "recruitment:programme_campaign": _rw(CONSULTANCY),
    "recruitment:application_entry": _rw(CONSULTANCY),
    "recruitment:campaign_settings": _rw(CONSULTANCY),
    "trainings:programme_trainings": _rw(CONSULTANCY),
    # The team over time (the project leader's), and a member's own pause and stop request.
    "programme_team": {"GET": CONSULTANCY},
    "programme_team_member": _rw(CONSULTANCY),
    "patrols:team_membership": _rw(MEMBER_ONLY),
    "trainings:track_create": {"POST": CONSULTANCY},
    "trainings:cohort_create": {"POST": CONSULTANCY},
    "trainings:team_invite": {"POST": CONSULTANCY},
    "trainings:certificates_issue": {"POST": CONSULTANCY},
    "trainings:assess": {"POST": CONSULTANCY},
    "trainings:rules_save": {"POST": CONSULTANCY},
    "trainings:ready": {"POST": CONSULTANCY},
    "trainings:gear_hand_out": {"POST": CONSULTANCY},
    "trainings:streets_save": {"POST": CONSULTANCY},
    "trainings:introduction_save": {"POST": CONSULTANCY},
    "trainings:revoke": {"POST": CONSULTANCY},
    "trainings:revoke_undo": {"POST": CONSULTANCY},
    "trainings:certificate_verify_form": {"GET": PUBLIC},
    "trainings:certificate_verify": {"GET": PUBLIC},
    "patrols:team_document": {"GET": MEMBER_ONLY},
    "patrols:team_document_retry": {"POST": MEMBER_ONLY},
    "trainings:team_track": _rw(MEMBER_ONLY),
    "trainings:team_track_accept": {"POST": MEMBER_ONLY},
    "trainings:team_track_sizes": {"POST": MEMBER_ONLY},
    "trainings:team_track_street": {"POST": MEMBER_ONLY},
    # The periodic report (a workspace tab): the project leader and the consultancy draft,
    # approve and follow it; the client sees a sent report on its documents page.
    "reporting:programme_reports": _rw(CONSULTANCY),
    "reporting:report_detail": _rw(CONSULTANCY),
    "reporting:report_approve": {"POST": CONSULTANCY},
    "reporting:report_retry": {"POST": CONSULTANCY},
    "reporting:report_preview": {"GET": CONSULTANCY},
    "reporting:report_progress": {"GET": CONSULTANCY},
    # Everything made for the client (whoever reads the programmes' documents), and the
    # consultancy's overview across clients (the workspace's readers).
    "reporting:documents": {"GET": CLIENT_READERS},
    "reporting:overview": {"GET": CONSULTANCY},
    # The exports of the client's data (a period of signals, rounds, conversations, effort):
    # whoever reads the portal, narrowed to the programmes they read.
    "reporting:export": {"GET": CLIENT_READERS},
    # A large export made in the background: its page, polled status, file and "try again",
    # for whoever reads the portal, and then only for the person who asked for it.
    "reporting:export_job": {"GET": CLIENT_READERS},
    "reporting:export_job_status": {"GET": CLIENT_READERS},
    "reporting:export_job_download": {"GET": CLIENT_READERS},
    "reporting:export_job_retry": {"POST": CLIENT_READERS},
    # The dashboards: the client's across programmes and per programme in the portal
    # (whoever reads the portal), the same figures as a workspace tab.
    "reporting:dashboard": {"GET": CLIENT_READERS},
    "reporting:programme_dashboard": {"GET": CLIENT_READERS},
    "reporting:workspace_dashboard": {"GET": CONSULTANCY},
    # Guidance over the years: evaluations, the action plan and closing a programme are the
    # consultancy's; the client reads its evaluations and action plan, and its staff add their
    # input to an evaluation that is open for it.
    "programme_evaluations": _rw(CONSULTANCY),
    "evaluation_schedule": {"POST": CONSULTANCY},
    "programme_evaluation": _rw(CONSULTANCY),
    "evaluation_transition": {"POST": CONSULTANCY},
    "programme_actions": _rw(CONSULTANCY),
    "action_update": _rw(CONSULTANCY),
    "programme_close": _rw(CONSULTANCY),
    "portal_evaluations": {"GET": CLIENT_READERS},
    "portal_evaluation": _rw(CLIENT_READERS, post={ADMIN, STAFF}),
    "portal_actions": {"GET": CLIENT_READERS},
}


def readers(name: str):
    """Who may open the URL at all (any method): PUBLIC, or the union of its roles."""
    rules = ACCESS[name].values()
    if PUBLIC in rules:
        return PUBLIC
    return frozenset().union(*rules)


# Who may open each URL with any method (the fuzz test walks the pages with one of them).
READERS = {name: readers(name) for name in ACCESS}

# What a bare request of the right role answers, where it is not the plain 200 (a page) or
# 302 (an action done, or a form refused back to its page); keyed (name, method key).
OK_STATUS = {
    # The phone API validates its JSON body: an empty one is a 400 with messages.
    (name, "POST"): (400,)
    for name in (
        "patrols:api_round_start",
        "patrols:api_round_end",
        "patrols:api_signal",
        "patrols:api_signal_photo",
        "patrols:api_conversation",
        "patrols:api_confirmation",
    )
}
# Actions that name a thing by a posted id: a bare post names nothing (404).
OK_STATUS |= {
    (name, "POST"): (404,)
    for name in (
        "trainings:team_invite",
        "trainings:certificates_issue",  # the workshop: none planned here
        "trainings:assess",
        "trainings:ready",
        "trainings:gear_hand_out",
        "trainings:revoke",
        "trainings:revoke_undo",
        "trainings:team_track_street",
        "recruitment:programme_selection",
        "recruitment:portal_candidates",
        "recruitment:survey_results",
    )
}
# An unsigned status update to the hand-off's inbound endpoint is refused, whoever sends it.
OK_STATUS[("patrols:handoff_inbound", "POST")] = (401,)
# A photo's endpoint that takes the image as the body: a form post is no image kind (415).
OK_STATUS[("patrols:api_signal_photo_body", "POST")] = (415,)
# A background export is its requester's only (the client's staff member here): the other
# readers of the portal meet a 404, as a colleague would (tests/reporting/test_exports_jobs.py
# asserts who gets what).
OK_STATUS |= {
    ("reporting:export_job", "GET"): (200, 404),
    ("reporting:export_job_status", "GET"): (200, 404),
    ("reporting:export_job_download", "GET"): (200, 404),
    ("reporting:export_job_retry", "POST"): (302, 404),
}
# Planning the track with a bare post shows the page again with the form's errors.
OK_STATUS[("trainings:track_create", "POST")] = (200,)
# A bare paper application shows the entry form again with its errors.
OK_STATUS[("recruitment:application_entry", "POST")] = (200,)

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


def _handled(view) -> set[str]:
    """The methods (GET, POST, ...) the view class answers with a handler of its own."""
    reads = "get" in view.http_method_names and callable(getattr(view, "get", None))
    return ({"GET"} if reads else set()) | set(handled_writes(view))


def _declared_keys(view) -> set[str]:
    """The matrix keys the view's declaration asks for: each handled method, and each action
    of a `ByAction` table (`"POST reward_user"`)."""
    keys = _handled(view)
    for method, declared in getattr(view, "method_permissions", {}).items():
        if method in keys and isinstance(declared, ByAction):
            keys |= {f"{method} {field}" for field in declared.actions}
    return keys


def test_every_url_declares_an_access_rule():
    undeclared = [name for name, _, _ in OUR_URLS if name not in ACCESS]
    assert not undeclared, f"declare who may open these URLs in ACCESS: {undeclared}"
    stale = set(ACCESS) - {name for name, _, _ in OUR_URLS}
    assert not stale, f"ACCESS names URLs that no longer exist: {stale}"


def test_every_method_a_view_handles_is_declared():
    """A method (or action) the view answers that the matrix does not declare fails, and so
    does a declared one the view no longer answers."""
    wrong = {}
    for name, _, view in OUR_URLS:
        expected, declared = _declared_keys(view), set(ACCESS.get(name, {}))
        if expected != declared:
            wrong[name] = {"undeclared": expected - declared, "stale": declared - expected}
    assert not wrong, f"declare per method (and action) in ACCESS: {wrong}"


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
        # Processed and reviewed: the client's staff see a photo only then.
        from patrols.services.photo_review import signal_photo_clear

        patrols.signal_photo_process(photo_id=photo.pk)
        photo.refresh_from_db()
        signal_photo_clear(actor=admin, photo=photo)
        from recruitment import services as recruitment

        survey = recruitment.survey_create(actor=admin, programme=programme, title="Buurt")
        recruitment.survey_set_status(actor=admin, survey=survey, status="open")
        bulk_job = BulkJob.objects.create(
            organisation=world.client, programme=programme, kind="trainings.team_invite"
        )
        certificate_document = Document.objects.create(
            organisation=world.client,
            programme=programme,
            kind="certificate",
            status=Document.Status.READY,
            owner=member,
            ref="0",
        )
        certificate_document.file.save("c.pdf", ContentFile(b"%PDF-1.7 test"))
        from patrols.models_handoff import HandoffChannel
        from patrols.services import handoff as handoff_service

        channel, _ = handoff_service.handoff_channel_create(
            actor=admin,
            organisation=world.client,
            kind=HandoffChannel.Kind.WEBHOOK,
            name="Zaaksysteem",
            target="https://zaken.example.org/hook",
        )
        route = handoff_service.category_route_create(
            actor=admin, channel=channel, programme=programme
        )
        (handoff,) = handoff_service.handoffs_plan(signal=signal)  # sent after commit: never
        department = handoff_service.department_create(
            actor=admin, organisation=world.client, name="Wijkbeheer", members=[]
        )
        from trainings.models import Certificate

        certificate = Certificate.objects.create(
            organisation=world.client,
            programme=programme,
            user=member,
            holder_name=member.name,
            issued_on=timezone.localdate(),
        )
    with scopes_disabled():
        from programmes.services import meeting_series as series_services
        from programmes.services.meetings import invitee_create

        series = series_services.series_create(
            actor=admin,
            programme=programme,
            title="Teamoverleg",
            location="Buurthuis",
            rule="monthly",
            weekday=1,
            nth=1,
            first_date=timezone.localdate(),
            until=timezone.localdate() + dt.timedelta(days=90),
            start_time=dt.time(19, 30),
            duration_minutes=90,
        )
        agreement = series_services.agreement_add(
            actor=admin, meeting=meeting, text="Flyer maken", owner_name="Henk"
        )
        member_invitee, _ = invitee_create(
            actor=admin, meeting=meeting, name=member.name, email=member.email, user=member
        )
    with scopes_disabled():
        from programmes.services import guidance as guidance_services

        evaluation = guidance_services.evaluation_plan(
            actor=admin, programme=programme, kind="client", planned_on=timezone.localdate()
        )
        action = guidance_services.action_create(
            actor=admin, programme=programme, title="Bankje", owner="Team", source="other"
        )
    with scopes_disabled():
        from reporting.services.reports import report_draft

        report, _ = report_draft(
            programme=programme,
            period_start=timezone.localdate().replace(day=1),
            period_end=timezone.localdate(),
        )
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        from reporting.services.exports import export_job_request

        export_job, _ = export_job_request(
            actor=world.users[STAFF],
            organisation=world.client,
            dataset="signals",
            file_format="csv",
            filters={
                "start": timezone.localdate().isoformat(),
                "end": timezone.localdate().isoformat(),
            },
            total=0,
        )
    return {
        "evaluation_pk": evaluation.pk,
        "action_pk": action.pk,
        "reporting:export_job:job_pk": export_job.pk,
        "reporting:export_job_status:job_pk": export_job.pk,
        "reporting:export_job_download:job_pk": export_job.pk,
        "reporting:export_job_retry:job_pk": export_job.pk,
        "patrols:team_document:document_pk": certificate_document.pk,
        "patrols:team_document_retry:document_pk": certificate_document.pk,
        "code": certificate.code,
        "survey_pk": survey.pk,
        "public_id": str(survey.public_id),
        "signal_pk": signal.pk,
        "channel_pk": channel.pk,
        "route_pk": route.pk,
        "department_pk": department.pk,
        "handoff_pk": handoff.pk,
        "photo_pk": photo.pk,
        "slot_pk": slot.pk,
        "member_pk": roster.pk,
        "series_pk": series.pk,
        "agreement_pk": agreement.pk,
        "team_meeting_answer:invitee_pk": member_invitee.pk,
        "round_uuid": str(round_.uuid),
        "signal_uuid": str(signal.uuid),
        "photo_uuid": "5f0c6c1e-9d43-4c57-9a51-3b1f2f0e8a01",  # a photo the phone is to send
        "org": world.client.slug,
        "invitation_pk": invitation.pk,
        "user_pk": world.users[STAFF].pk,
        "token": token,
        "meeting_reply:token": meeting_token,
        "notification_unsubscribe:token": unsubscribe_token(
            user=world.users[STAFF], kind="patrols.signal_urgent"
        ),
        "programme_pk": programme.pk,
        "milestone_pk": milestone.pk,
        "meeting_pk": meeting.pk,
        "invitee_pk": invitee.pk,
        "message_pk": message.pk,
        "document_pk": document.pk,
        "job_pk": bulk_job.pk,
        "report_pk": report.pk,
        # The value posted for a named action of a page (`"POST reward_user"`): a user id.
        "action_value": member.pk,
        # An export: which data, in which file format.
        "dataset": "signals",
        "fmt": "xlsx",
    }


def _url(name, kwargs, objects):
    return reverse(name, kwargs={k: objects.get(f"{name}:{k}", objects.get(k)) for k in kwargs})


def _send(client, user, method, url, data):
    """One request as `user` (None: anonymous) whose writes are rolled back, so every role
    meets the same objects; the cache (rate limits) starts empty each time."""
    cache.clear()
    with transaction.atomic():
        client.logout()
        if user is not None:
            client.force_login(user)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.generic(method, url) if method != "POST" else client.post(url, data)
        transaction.set_rollback(True)
    return response


def _is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def _ok_status(name, key, view):
    if (name, key) in OK_STATUS:
        return OK_STATUS[(name, key)]
    if key == "GET":
        return (302,) if getattr(view, "redirects", False) else (200,)
    return (200, 302)


CASES = [
    (name, kwargs, view, method) for name, kwargs, view in OUR_URLS for method in ("GET", "POST")
]


@pytest.mark.parametrize(
    ("name", "kwargs", "view", "method"), CASES, ids=[f"{c[0]}-{c[3]}" for c in CASES]
)
def test_access(client, world, other_world, objects, name, kwargs, view, method):
    """Every role, anonymous and another organisation's users, for one URL and method; a
    method the view does not handle answers 405."""
    url = _url(name, kwargs, objects)
    rules = {key: rule for key, rule in ACCESS[name].items() if key.split()[0] == method}
    if method not in _handled(view):
        rule = readers(name)
        user = None if rule == PUBLIC else world.users[sorted(rule)[0]]
        response = _send(client, user, method, url, {})
        assert response.status_code == 405, (name, method, response.status_code)
        return
    failures = []
    for key, rule in rules.items():
        data = {"next": "/", "language": "en"}
        if " " in key:  # an action of the page: named by its posted field
            data[key.split()[1]] = objects["action_value"]
        response = _send(client, None, method, url, data)
        if rule == PUBLIC:
            if response.status_code not in OK_STATUS.get((name, key), (200, 302)) or (
                _is_login_redirect(response) and not getattr(view, "redirects", False)
            ):
                failures.append((key, "anonymous", response.status_code))
        elif not _is_login_redirect(response):
            failures.append((key, "anonymous", response.status_code))
        for role in Role:
            response = _send(client, world.users[role], method, url, data)
            if rule == PUBLIC:
                expected = OK_STATUS.get((name, key), (200, 302))
            elif role in rule:
                expected = _ok_status(name, key, view)
            else:
                expected = (403,)
            if response.status_code not in expected or (
                expected != (403,) and rule != PUBLIC and _is_login_redirect(response)
            ):
                failures.append((key, role.value, response.status_code))
            if kwargs and rule != PUBLIC:
                # A user of another organisation, whatever their role, cannot tell the object
                # exists: 404 for a role that may use the URL, refused either way otherwise.
                response = _send(client, other_world.users[role], method, url, data)
                expected = (404,) if role in rule else (403, 404)
                if response.status_code not in expected:
                    failures.append((key, f"other {role.value}", response.status_code))
    assert not failures, (name, failures)


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


@pytest.mark.parametrize(("name", "kwargs", "view"), OUR_URLS, ids=[c[0] for c in OUR_URLS])
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
