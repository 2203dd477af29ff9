"""The phone app's JSON endpoints: every record carries an id made on the phone.

Answers: 201 with the stored record when new, 200 with the stored record for an identical
resend, 409 when the id is used for something else, 400 with Dutch messages per field for
bad input, 403/404 as everywhere else. Sessions and CSRF protect them like any form post.

Every refusal says in so many words whether waiting helps: `{"reason": "...", "permanent":
true}` for a record the server will never take (the phone sets it aside and shows the reason),
`"permanent": false` for one that may go later (a member not ready for rounds yet). Anything
else (a 5xx, a login page) is not an answer about the record: the phone keeps it and retries.
"""

import uuid as uuidlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from programmes.closure import closed_message, is_closed
from programmes.input import BadJson, json_id, parse_moment, read_json
from programmes.mixins import PermissionMixin
from programmes.models import Programme
from programmes.permissions import Perm
from programmes.selectors import team_memberships_for

from . import selectors, services
from .models import Conversation, Round
from .photos import BodyRefused, read_photo_body
from .services.photos import PHOTO_MAX_BYTES


class BadInput(Exception):
    def __init__(self, errors: dict):
        self.errors = errors


class Refused(Exception):
    """A record the server will never take, with the reason in words for the member."""

    def __init__(self, reason: str, status: int = 404, permanent: bool = True):
        super().__init__(reason)
        self.reason, self.status, self.permanent = reason, status, permanent


def _not_on_team() -> str:
    return _("You are not on this team (any more), so this cannot be sent.")


def refusal(reason: str, *, status: int, permanent: bool = True, errors=None) -> JsonResponse:
    return JsonResponse(
        {"reason": reason, "permanent": permanent, "errors": errors or {"__all__": [reason]}},
        status=status,
    )


def invalid(errors: dict) -> JsonResponse:
    """400 for a record that will never be valid: the field messages as one sentence too."""
    problems = " ".join(str(m) for messages in errors.values() for m in messages)
    reason = _("This record could not be stored: %(problems)s") % {"problems": problems}
    return refusal(reason, status=400, errors=errors)


def _uuid(value, field="id"):
    try:
        return uuidlib.UUID(str(value))
    except (TypeError, ValueError, AttributeError) as exc:
        raise BadInput({field: [_("This is not a valid id.")]}) from exc


def _moment(value, field):
    try:
        moment = parse_moment(value)  # ISO 8601, within the product's range of years
    except ValidationError as exc:
        raise BadInput({field: exc.messages}) from exc
    if moment > timezone.now() + timezone.timedelta(minutes=10):
        raise BadInput({field: [_("This moment lies in the future.")]})
    return moment


def _pk(value) -> int:
    """A database id from JSON; ValueError for anything else (a list, a fraction, 2**70)."""
    pk = json_id(value)
    if pk is None:
        raise ValueError(value)
    return pk


def _coordinate(value, field, low, high):
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise BadInput({field: [_("Enter a number.")]}) from exc
    if not low <= number <= high:
        raise BadInput({field: [_("This position is not on the map.")]})
    return number


def _text(data, field, max_length, required=False):
    value = data.get(field) or ""
    if not isinstance(value, str):
        raise BadInput({field: [_("Enter text.")]})
    value = "".join(ch for ch in value if ch == "\n" or ch.isprintable()).strip()
    if required and not value:
        raise BadInput({field: [_("This field is required.")]})
    if len(value) > max_length:
        raise BadInput({field: [_("Use at most %(n)s characters.") % {"n": max_length}]})
    return value


def record_json(record) -> dict:
    data = {"id": str(record.uuid), "created_at": record.created_at.isoformat()}
    if hasattr(record, "status"):
        data["status"] = record.status
        data["status_label"] = record.get_status_display()
    if hasattr(record, "ended_at"):
        data["ended_at"] = record.ended_at.isoformat() if record.ended_at else None
    return data


class PhoneApiView(PermissionMixin, View):
    method_permissions = {"POST": Perm.TEAM_APP_VIEW}
    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        # A refusal the view did not answer itself still reaches the phone as one, with a reason.
        try:
            return super().dispatch(request, *args, **kwargs)
        except Refused as refused:
            return refusal(refused.reason, status=refused.status, permanent=refused.permanent)
        except services.NotReady as refused:
            return refusal(refused.reason, status=403, permanent=False)
        except PermissionDenied:
            return refusal(_not_on_team(), status=403)
        except Http404:
            return refusal(
                _("What this belongs to is no longer there, so it cannot be stored."), status=404
            )

    def post(self, request, *args, **kwargs):
        # Read once: whether they are on a team at all, and below the row of the team named.
        self.memberships = team_memberships_for(user=request.user)
        if not self.memberships:
            raise PermissionDenied  # only members of a team send records
        kwargs.pop("org", None)  # the tenancy middleware has already scoped the request
        try:
            data = self.parse(request)
            record, created = self.store(request, data, **kwargs)
        except services.NotReady as refused:
            # The phone shows this reason; the outbox keeps the record for when it may go.
            return refusal(refused.reason, status=403, permanent=False)
        except BadInput as bad:
            return invalid(bad.errors)
        except ValidationError as error:
            errors = (
                error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            )
            return invalid(errors)
        except services.Conflict:
            return JsonResponse(
                {"errors": {"id": [_("This id is already used for another record.")]}}, status=409
            )
        return JsonResponse(record_json(record), status=201 if created else 200)

    def parse(self, request) -> dict:
        try:
            return read_json(request)  # size, depth, type and NUL bytes checked in one place
        except BadJson as bad:
            raise BadInput({"__all__": [bad.message]}) from bad

    def programme(self, request, data, ready=True):
        """The member's programme named in the record; with `ready`, a member who may not walk
        rounds yet is refused before anything else is checked."""
        pk = json_id(data.get("programme"))
        if pk is None:
            raise BadInput({"programme": [_("Choose your team.")]})
        self.member = next((m for m in self.memberships if m.programme_id == pk), None)
        if self.member is None:
            raise Refused(_not_on_team(), status=404)
        programme = self.member.programme
        if is_closed(programme):
            raise Refused(closed_message(), status=403)
        tenant = getattr(request, "organisation", None)
        if tenant is not None and programme.organisation_id == tenant.pk:
            programme.organisation = tenant  # the tenancy middleware has just read it
        if ready:
            services.require_ready(programme=programme, user=request.user, member=self.member)
        return programme

    def round_of(self, programme, data):
        if not data.get("round"):
            return None
        found = selectors.get_round_by_uuid(programme=programme, uuid=_uuid(data["round"], "round"))
        if found is None:
            raise BadInput({"round": [_("This round is not known (yet).")]})
        return found


class RoundStartApi(PhoneApiView):
    def store(self, request, data):
        programme = self.programme(request, data)
        walker_ids = data.get("walkers") or []
        if not isinstance(walker_ids, list) or not all(json_id(i) == i for i in walker_ids):
            raise BadInput({"walkers": [_("Choose the members who walk along.")]})
        walkers = selectors.walkers_by_ids(programme=programme, pks=walker_ids)
        if len(walkers) != len(set(walker_ids)):
            raise BadInput({"walkers": [_("Choose the members who walk along.")]})
        return services.round_start(
            actor=request.user,
            programme=programme,
            uuid=_uuid(data.get("id")),
            started_at=_moment(data.get("started_at"), "started_at"),
            walkers=walkers,
        )


class RoundEndApi(PhoneApiView):
    def store(self, request, data, round_uuid):
        programme = self.programme(request, data, ready=False)  # a started round may end
        found = selectors.get_round_by_uuid(programme=programme, uuid=_uuid(round_uuid))
        if found is None:
            raise BadInput({"round": [_("This round is not known (yet).")]})
        outcome = data.get("outcome") or ""
        if outcome not in ("", *Round.Outcome.values):
            raise BadInput({"outcome": [_("Choose how the round went.")]})
        return services.round_end(
            actor=request.user,
            round_=found,
            ended_at=_moment(data.get("ended_at"), "ended_at"),
            outcome=outcome,
            remark=_text(data, "remark", services.ROUND_REMARK_MAX),
        ), False


class SignalApi(PhoneApiView):
    def store(self, request, data):
        programme = self.programme(request, data)
        try:
            category = selectors.get_category(programme=programme, pk=_pk(data.get("category")))
        except (TypeError, ValueError) as exc:
            raise BadInput({"category": [_("Choose a category.")]}) from exc
        except Http404 as exc:
            raise Refused(_("The category of this signal is no longer used by your team.")) from exc
        return services.signal_report(
            actor=request.user,
            programme=programme,
            uuid=_uuid(data.get("id")),
            category=category,
            description=_text(data, "description", 2000),
            reported_at=_moment(data.get("reported_at"), "reported_at"),
            urgent=data.get("urgent") is True,
            latitude=_coordinate(data.get("latitude"), "latitude", 50.5, 53.7),
            longitude=_coordinate(data.get("longitude"), "longitude", 3.2, 7.3),
            street=_text(data, "street", 200),
            house_number=_text(data, "house_number", 20),
            round_=self.round_of(programme, data),
            member=self.member,
        )


class SignalPhotoApi(PhoneApiView):
    """A photo sent as a form (`id` and `image`). The app sends the photo as the body now
    (`SignalPhotoBodyApi`); this stays for a phone that still runs a page of the app from
    before, whose outbox sends the form."""

    def parse(self, request) -> dict:
        return request.POST

    def signal(self, request, signal_uuid):
        try:
            signal = selectors.get_own_signal_by_uuid(user=request.user, uuid=_uuid(signal_uuid))
        except Http404 as exc:
            raise Refused(_("The signal this photo belongs to was not received.")) from exc
        tenant = getattr(request, "organisation", None)
        if tenant is not None and signal.organisation_id == tenant.pk:
            signal.organisation = tenant  # the tenancy middleware has just read it
        member = next((m for m in self.memberships if m.programme_id == signal.programme_id), None)
        if is_closed(member.programme if member else Programme(pk=signal.programme_id)):
            raise Refused(closed_message(), status=403)
        return signal

    def add(self, request, *, signal, photo_id, upload, sha256=None):
        return services.signal_photo_add(
            actor=request.user,
            signal=signal,
            uuid=photo_id,
            upload=upload,
            sha256=sha256,
            # The member's row of the signal's team, read with the memberships above.
            member=next(
                (m for m in self.memberships if m.programme_id == signal.programme_id), None
            ),
        )

    def store(self, request, data, signal_uuid):
        signal = self.signal(request, signal_uuid)
        upload = request.FILES.get("image")
        if upload is None:
            raise BadInput({"image": [_("Choose a photo.")]})
        return self.add(request, signal=signal, photo_id=_uuid(data.get("id")), upload=upload)


class SignalPhotoBodyApi(SignalPhotoApi):
    """A photo sent as the request body itself (`Content-Type: image/jpeg`, PNG or HEIC), its
    phone-made id in the address: no form is parsed, the body is read in large chunks and
    hashed once (`patrols.photos.read_photo_body`). The same answers as the form's
    endpoint; 413 for a photo over the size limit and 415 for a body that is no image kind,
    both before the body is read."""

    def parse(self, request) -> dict:
        return {}

    def store(self, request, data, signal_uuid, photo_uuid):
        photo_id = _uuid(photo_uuid)
        signal = self.signal(request, signal_uuid)
        try:
            upload, digest = read_photo_body(request, name=str(photo_id), max_bytes=PHOTO_MAX_BYTES)
        except BodyRefused as refused:
            raise Refused(
                refused.reason, status=refused.status, permanent=refused.permanent
            ) from refused
        with upload:
            return self.add(request, signal=signal, photo_id=photo_id, upload=upload, sha256=digest)


class ConversationApi(PhoneApiView):
    def store(self, request, data):
        programme = self.programme(request, data)
        topic, outcome = data.get("topic"), data.get("outcome")
        if topic not in Conversation.Topic.values:
            raise BadInput({"topic": [_("Choose a topic.")]})
        if outcome not in Conversation.Outcome.values:
            raise BadInput({"outcome": [_("Say how it went.")]})
        return services.conversation_report(
            actor=request.user,
            programme=programme,
            uuid=_uuid(data.get("id")),
            topic=topic,
            outcome=outcome,
            aggression=data.get("aggression") is True,
            note=_text(data, "note", 2000),
            reported_at=_moment(data.get("reported_at"), "reported_at"),
            round_=self.round_of(programme, data),
        )


class OpenSignalsApi(PermissionMixin, View):
    """The open signals of the member's programme with a position, newest first (a bounded
    number): the round screen shows those close by, so the team does not report one twice."""

    permission = Perm.TEAM_APP_VIEW
    http_method_names = ["get"]

    def get(self, request, org):
        memberships = team_memberships_for(user=request.user)
        if not memberships:
            raise PermissionDenied  # only members of a team walk rounds
        named = "programme" in request.GET
        pk = json_id(request.GET["programme"]) if named else None
        # Without a programme named: the member's first team.
        member = next((m for m in memberships if not named or m.programme_id == pk), None)
        if member is None:
            raise Http404
        signals = selectors.open_signals_near(programme=member.programme)
        return JsonResponse(
            {
                "signals": [
                    {
                        "id": str(s.uuid),
                        "category": s.category_id,
                        "label": str(s.category),
                        "latitude": float(s.latitude),
                        "longitude": float(s.longitude),
                        "street": " ".join(p for p in (s.street, s.house_number) if p),
                        "reported_at": s.reported_at.isoformat(),
                        "status_label": s.get_status_display(),
                        "confirmed": s.n_confirmed,
                    }
                    for s in signals
                ],
                "same_place_metres": services.SAME_PLACE_METRES,
            }
        )


class ConfirmationApi(PhoneApiView):
    """ "Same as this one": the member saw an open signal again (once per round)."""

    def store(self, request, data):
        programme = self.programme(request, data)
        found = selectors.get_open_signal_by_uuid(
            programme=programme, uuid=_uuid(data.get("signal"), "signal")
        )
        if found is None:
            raise Refused(_("This signal has been dealt with already, or is no longer there."))
        return services.signal_confirm(
            actor=request.user,
            programme=programme,
            uuid=_uuid(data.get("id")),
            signal=found,
            confirmed_at=_moment(data.get("confirmed_at"), "confirmed_at"),
            note=_text(data, "note", 2000),
            round_=self.round_of(programme, data),
            member=self.member,
        )
