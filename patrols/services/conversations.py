"""Conversations with residents, reported by a member; aggression alerts the project leaders."""

from programmes.audit import audit_log
from programmes.mail import mail_queue
from programmes.models import Programme, User

from ..models import Conversation, Round
from .records import _member, _reported, _store_once


def conversation_report(
    *,
    actor: User,
    programme: Programme,
    uuid,
    topic: str,
    outcome: str,
    reported_at,
    aggression=False,
    note="",
    round_: Round | None = None,
):
    """Store a conversation with a resident; aggression alerts the project leaders at once.
    Only a member ready for rounds reports."""
    _member(programme=programme, user=actor, ready=True)
    payload = {
        "programme": programme.pk,
        "topic": topic,
        "outcome": outcome,
        "reported_at": reported_at.isoformat(),
        "aggression": bool(aggression),
        "note": note,
        "round": str(round_.uuid) if round_ else None,
    }

    def create(digest):
        conversation = _reported(
            Conversation,
            uuid=uuid,
            digest=digest,
            programme=programme,
            actor=actor,
            round_=round_,
            topic=topic,
            outcome=outcome,
            note=note.strip(),
            aggression=bool(aggression),
            reported_at=reported_at,
        )
        audit_log(
            actor=actor,
            organisation=programme.organisation,
            action="conversation.reported",
            obj=conversation,
        )
        if conversation.aggression:
            for leader in programme.project_leaders.all():
                mail_queue(
                    organisation=programme.organisation,
                    programme=programme,
                    to=leader.email,
                    to_name=leader.name,
                    language=leader.language,
                    template="patrols/aggression_alert",
                    context={"conversation": conversation, "member": actor},
                )
        return conversation

    return _store_once(Conversation, uuid=uuid, payload=payload, create=create)
