"""The service desk gets the signal's photos once the consultancy reviewed them (blurred or
nothing to blur, patrols/services/photo_review.py): those released when its mail goes out are
attached to it, and a photo released later (the phone sends it after the signal, or it is
reviewed after) follows in a mail of its own with the same reference, once."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from patrols import services as patrols
from patrols.models_handoff import Handoff, HandoffChannel
from patrols.services.photo_review import signal_photo_clear
from patrols.workflow import Status
from programmes.mime import email_for
from programmes.models import OutboxMessage
from programmes.permissions import Role

from .test_handoff import _channel, _report, _route

pytestmark = pytest.mark.django_db

DESK = "meldingen@gemeente.example"


def _photo(signal, member, colour="red"):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, format="JPEG")
    upload = SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")
    photo, _created = patrols.signal_photo_add(
        actor=member, signal=signal, uuid=uuid.uuid4(), upload=upload
    )
    return photo


def _review(world, photo):
    photo.refresh_from_db()
    return signal_photo_clear(actor=world.users[Role.PROJECT_LEADER], photo=photo)


def _desk_mails():
    return list(OutboxMessage.objects.filter(to_email=DESK).order_by("pk"))


def _attached(message):
    return [(name, mimetype) for name, _content, mimetype in email_for(message).attachments]


def test_photos_ready_when_the_desk_mail_goes_out_are_attached(
    world, team, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, categories[0])  # no route yet: not handed off
        photo = _photo(signal, member)
        unreviewed = _photo(signal, member, colour="green")  # not released: not sent
    _review(world, photo)
    unreviewed.refresh_from_db()
    assert unreviewed.status == "ready" and unreviewed.review == "pending"
    desk, _ = _channel(world, HandoffChannel.Kind.MAIL_DESK, DESK)
    _route(world, desk, programme)
    with django_capture_on_commit_callbacks(execute=True):
        patrols.signal_transition(
            actor=world.users[Role.CLIENT_STAFF], signal=signal, status=Status.FORWARDED
        )
    (message,) = _desk_mails()
    assert _attached(message) == [(f"BT-{signal.pk}-foto-1.jpg", "image/jpeg")]
    assert "1 foto van de melding zit als bijlage" in message.body_text
    assert Handoff.objects.get(signal=signal).state == Handoff.State.DELIVERED


def test_a_photo_released_after_the_desk_mail_follows_once(
    world, team, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    desk, _ = _channel(world, HandoffChannel.Kind.MAIL_DESK, DESK)
    _route(world, desk, programme)
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, categories[0])
    (first,) = _desk_mails()
    assert _attached(first) == []
    with django_capture_on_commit_callbacks(execute=True):
        photo = _photo(signal, member, colour="blue")
    assert _desk_mails() == [first]  # processed, not reviewed yet: nothing to the desk
    with django_capture_on_commit_callbacks(execute=True):
        _review(world, photo)
    first_again, follow = _desk_mails()
    assert first_again == first
    assert follow.subject.startswith(f"[BT-{signal.pk}] Foto bij de melding")
    assert _attached(follow) == [(f"BT-{signal.pk}-foto-1.jpg", "image/jpeg")]
    # Reviewed again or told again: no second mail.
    _review(world, photo)
    assert patrols.handoff.handoff_photo_follow(photo=photo) == 0
    assert len(_desk_mails()) == 2


def test_a_photo_gone_by_sending_time_leaves_the_mail_without_it(
    world, team, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    desk, _ = _channel(world, HandoffChannel.Kind.MAIL_DESK, DESK)
    _route(world, desk, programme)
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, categories[0])
        photo = _photo(signal, member)
    with django_capture_on_commit_callbacks(execute=True):
        _review(world, photo)
    follow = _desk_mails()[-1]
    photo.refresh_from_db()
    photo.image.storage.delete(photo.image.name)
    assert _attached(follow) == []
    assert f"BT-{signal.pk}" in email_for(follow).subject
