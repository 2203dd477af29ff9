"""Rows around the product's work: outbox mails, meeting invitees, audit entries."""

import datetime as dt

from programmes.audit import audit_actions_registered
from programmes.models import (
    AuditEntry,
    Invitee,
    Meeting,
    Organisation,
    OutboxMessage,
    Programme,
)

from .base import DAYS, _batched, _token_hash, _weighted


class MailRows:
    """Outbox messages, invitees and audit entries in bulk."""

    def outbox(self, programme: Programme, n: int) -> list[OutboxMessage]:
        """Mails in every status, about the programme's applications, meetings and signals."""
        kinds = [
            ("recruitment/application_received", "We hebben je aanmelding ontvangen"),
            ("programmes/meeting_invitation", "Uitnodiging: informatiebijeenkomst"),
            ("programmes/meeting_reminder", "Herinnering: bijeenkomst morgen"),
            ("patrols/round_reminder", "Herinnering: je ronde van morgen"),
            ("patrols/signal_resolved", "Je melding is afgehandeld"),
            ("recruitment/application_selected", "Welkom in het BewonersTeam"),
        ]
        statuses = OutboxMessage.Status.values
        objs = []
        for i in range(n):
            created = self.moment()
            template, subject = self.rng.choice(kinds)
            status = _weighted(self.rng, i, statuses, [1, 1, 40, 1, 1, 1])
            sent = status == OutboxMessage.Status.SENT
            objs.append(
                OutboxMessage(
                    organisation=programme.organisation,
                    programme=programme,
                    template=template,
                    to_email=f"{self.prefix}-m{self._serial()}@example.org",
                    to_name=self.name(),
                    subject=f"BewonersTeam: {subject}",
                    body_text=f"Beste bewoner,\n\n{subject}.\n\nMet vriendelijke groet,\n"
                    f"{programme.name}",
                    status=status,
                    attempts=1 if sent else (3 if status == "failed" else 0),
                    last_error="SMTP 451: try again later"
                    if status in ("failed", "retrying")
                    else "",
                    created_at=created,
                    attempted_at=created if status not in ("queued", "cancelled") else None,
                    sent_at=created + dt.timedelta(seconds=5) if sent else None,
                )
            )
        return self._bulk(OutboxMessage, objs)

    def invitees(self, programme: Programme, n: int, *, per_meeting: int = 100) -> list[Invitee]:
        """Meetings of every kind (past and ahead), together inviting `n` residents in every
        status."""
        kinds = Meeting.Kind.values
        meetings = self._bulk(
            Meeting,
            [
                Meeting(
                    organisation=programme.organisation,
                    programme=programme,
                    kind=kinds[m % len(kinds)],
                    title=f"{Meeting.Kind(kinds[m % len(kinds)]).label} {programme.neighbourhood}",
                    starts_at=(start := self.moment(days=DAYS - 30) + dt.timedelta(days=30)),
                    ends_at=start + dt.timedelta(hours=2),
                    location="Buurthuis De Ontmoeting",
                    capacity=per_meeting if m % 3 == 0 else None,
                )
                for m in range(max(1, -(-n // per_meeting)))
            ],
        )
        statuses = Invitee.Status.values
        objs = []
        for i in range(n):
            meeting = meetings[i // per_meeting]
            status = _weighted(self.rng, i, statuses, [3, 4, 1, 2])
            objs.append(
                Invitee(
                    organisation=programme.organisation,
                    meeting=meeting,
                    name=self.name(),
                    email=f"{self.prefix}-i{self._serial()}@example.org",
                    token_hash=_token_hash(),
                    status=status,
                    guests=self.rng.choice([0, 0, 0, 1]) if status == "accepted" else 0,
                    responded_at=meeting.starts_at - dt.timedelta(days=3)
                    if status != "invited"
                    else None,
                    waitlisted_at=meeting.starts_at - dt.timedelta(days=3)
                    if status == "waitlisted"
                    else None,
                    attended=(self.rng.random() < 0.85)
                    if status == "accepted" and meeting.starts_at < self.now
                    else None,
                    created_at=meeting.starts_at - dt.timedelta(days=14),
                )
            )
        return self._bulk(Invitee, objs)

    def audit(self, organisation: Organisation, n: int, *, actors) -> int:
        """Audit entries of the registered actions by the given actors."""
        actions = sorted(audit_actions_registered()) or ["programme.created"]
        made = 0
        for batch in _batched(range(n)):
            objs = []
            for _i in batch:
                actor = self.rng.choice(actors) if actors else None
                action = self.rng.choice(actions)
                objs.append(
                    AuditEntry(
                        organisation=organisation,
                        actor=actor,
                        actor_name=str(actor) if actor else "",
                        action=action,
                        object_type=action.split(".")[0],
                        object_id=str(self.rng.randint(1, 100_000)),
                        object_repr=self.name(),
                        created_at=self.moment(),
                    )
                )
            made += len(AuditEntry.objects.bulk_create(objs))
        self._count(AuditEntry, made)
        return made
