"""Patrols' personal data: residents named or pictured in signals, conversations and photos,
and a member's own reports; retention of old signals' free text and photos, and a member's
export. Registered with the base's register (`programmes.privacy`) from `PatrolsConfig.ready()`.

Figures stay: a signal past its term keeps its category, status, dates, street and place on
the map (the dashboards' counts and hotspots); its description, house number, notes and
photos go."""

from pathlib import PurePath

from django.utils.translation import gettext_lazy as _

from programmes import privacy as p
from programmes.models import User

from .models import Conversation, Round, Signal, SignalConfirmation, SignalEvent, SignalPhoto

NOT_PERSONAL = {
    "patrols.SignalCategory": ("name",),
    "patrols.EffortRule": ("reward",),
    "patrols.RoundSlot": ("meeting_point", "area"),
    "patrols.Round": ("payload_hash", "outcome"),
    "patrols.Signal": ("payload_hash", "status", "street"),
    "patrols.SignalPhoto": ("payload_hash", "status", "error", "review"),
    "patrols.SignalConfirmation": ("payload_hash",),
    "patrols.SignalEvent": ("from_status", "to_status"),
    "patrols.Conversation": ("payload_hash", "topic", "outcome"),
    "patrols.Activity": ("kind",),
    "patrols.HandoffChannel": (
        "kind",
        "name",
        "target",
        "secret_encrypted",
        "status_map",
        "jurisdiction_id",
        "services",
        "service_map",
    ),
    "patrols.Department": ("name",),
    "patrols.Handoff": (
        "state",
        "external_ref",
        "last_error",
        "remote_token",
        "remote_status",
        "remote_updated",
    ),
    "patrols.HandoffAttempt": ("outcome", "detail"),
    "patrols.InboundSignature": ("signature",),
}

FOLLOW_UP = _("Team, project leader, consultancy and the client's staff who follow signals up")


def _entries():
    return [
        p.PersonalData(
            "patrols.Signal",
            p.RESIDENT,
            ("description", "house_number"),
            _("Following up what the team saw in the neighbourhood"),
            p.PUBLIC_TASK,
            _("Description and house number emptied some time after closing"),
            FOLLOW_UP,
        ),
        p.PersonalData(
            "patrols.SignalPhoto",
            p.RESIDENT,
            ("original", "image"),
            _("Showing what a signal is about"),
            p.PUBLIC_TASK,
            _("Deleted some time after the signal closed"),
            FOLLOW_UP,
            label=_("Photo of a signal"),
            fields_label=_("the photo as sent and as shown"),
        ),
        p.PersonalData(
            "patrols.SignalConfirmation",
            p.RESIDENT,
            ("note",),
            _("A second member confirming a signal"),
            p.PUBLIC_TASK,
            _("Emptied with the signal's free text"),
            FOLLOW_UP,
        ),
        p.PersonalData(
            "patrols.SignalEvent",
            p.RESIDENT,
            ("text",),
            _("The follow-up's history"),
            p.PUBLIC_TASK,
            _("Emptied with the signal's free text"),
            FOLLOW_UP,
            label=_("Step in a signal's follow-up"),
            fields_label=_("text"),
        ),
        p.PersonalData(
            "patrols.Conversation",
            p.RESIDENT,
            ("note",),
            _("Conversations with residents on a round"),
            p.PUBLIC_TASK,
            _("Note emptied after the term; topic and outcome stay"),
            _("Team, project leader and consultancy"),
        ),
        p.PersonalData(
            "patrols.Round",
            p.MEMBER,
            ("remark",),
            _("The round's remark by the team"),
            p.CONTRACT,
            _("Emptied after the term"),
            _("Team, project leader and consultancy"),
        ),
        p.PersonalData(
            "patrols.Activity",
            p.MEMBER,
            ("description",),
            _("A member's other activities for the programme"),
            p.CONTRACT,
            _("During the programme"),
            _("Project leader and consultancy"),
        ),
    ]


def signal_texts_empty(*, organisation, cutoff) -> int:
    """Signals closed before the term lose their free text, house number and photos; their
    category, status, dates, street and place stay for the figures."""
    old = Signal.objects.filter(organisation=organisation, closed_at__lt=cutoff)
    count = old.exclude(description="", house_number="").update(description="", house_number="")
    count += SignalConfirmation.objects.filter(signal__in=old).exclude(note="").update(note="")
    count += SignalEvent.objects.filter(signal__in=old).exclude(text="").update(text="")
    photos, _detail = SignalPhoto.objects.filter(signal__in=old).delete()
    old_rounds = Round.objects.filter(organisation=organisation, started_at__lt=cutoff)
    count += old_rounds.exclude(remark="").update(remark="")
    count += (
        Conversation.objects.filter(organisation=organisation, reported_at__lt=cutoff)
        .exclude(note="")
        .update(note="")
    )
    return count + photos


def member_reports_find(person) -> list:
    users = User.objects.filter(organisation=person.organisation)
    if person.email:
        users = users.filter(email__iexact=person.email)
    else:
        users = users.filter(name__iexact=person.name)
    found = []
    for user in users:
        signals = list(Signal.objects.filter(reported_by=user).select_related("category"))
        conversations = list(Conversation.objects.filter(reported_by=user))
        rounds = Round.objects.filter(walkers=user).count()
        if not (signals or conversations or rounds):
            continue
        photos = SignalPhoto.objects.filter(signal__in=signals).exclude(image="")
        found.append(
            p.Found(
                source="patrols",
                obj=user,
                label=_("Signals: %(signals)s, rounds walked: %(rounds)s")
                % {"signals": len(signals), "rounds": rounds},
                data={
                    "rounds_walked": rounds,
                    "signals": [
                        {
                            "reported_at": s.reported_at,
                            "category": str(s.category),
                            "description": s.description,
                            "street": s.street,
                            "status": s.get_status_display(),
                        }
                        for s in signals
                    ],
                    "conversations": [
                        {
                            "reported_at": c.reported_at,
                            "topic": c.get_topic_display(),
                            "note": c.note,
                        }
                        for c in conversations
                    ],
                },
                files=[
                    (f"foto-{ph.pk}{PurePath(ph.image.name).suffix or '.jpg'}", ph.image)
                    for ph in photos
                ],
                identifiers=[user.name],
            )
        )
    return found


def member_reports_erase(found) -> None:
    """The member's signals and rounds stay (figures, and residents' follow-up); the account
    they point at is anonymised by the base, and their round remarks go."""
    Round.objects.filter(started_by=found.obj).update(remark="")


def register() -> None:
    p.register_personal(*_entries())
    p.register_not_personal(NOT_PERSONAL)
    p.register_retention_rule(
        p.RetentionRule(
            "signal_texts",
            _("Free text and photos of old signals removed"),
            p.RESIDENT,
            signal_texts_empty,
            default=365,
            minimum=90,
            maximum=3 * 365,
            order=40,
        )
    )
    p.register_person_source(
        p.PersonSource(
            "patrols",
            _("Rounds, signals and conversations"),
            p.MEMBER,
            member_reports_find,
            member_reports_erase,
            50,
        )
    )
