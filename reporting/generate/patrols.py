"""Rows of patrols: rounds with walkers and signals (COPY for a very large set)."""

import datetime as dt
import uuid

from django.db import connection

from patrols.models import Round, RoundSlot, Signal
from patrols.workflow import CLOSED, Status
from programmes.models import (
    Programme,
    User,
)

from .base import _batched, _weighted, copy_rows
from .words import SIGNAL_TEXTS, STREETS


class PatrolRows:
    """Rounds and signals in bulk."""

    def rounds(self, programme: Programme, n: int, *, walkers: list[User]) -> list[Round]:
        """Rounds walked by two or three members, an hour or two each; a few still going, and
        some scheduled rounds ahead."""
        objs = []
        for i in range(n):
            start = self.moment()
            going = i == 0 or self.rng.random() < 0.01
            objs.append(
                Round(
                    organisation=programme.organisation,
                    programme=programme,
                    started_by=walkers[i % len(walkers)] if walkers else None,
                    started_at=start,
                    ended_at=None
                    if going
                    else start + dt.timedelta(minutes=self.rng.randint(45, 150)),
                    payload_hash="0" * 64,
                    created_at=start,
                )
            )
        rounds = self._bulk(Round, objs)
        if walkers:
            through = Round.walkers.through
            self._bulk(
                through,
                (
                    through(round_id=r.pk, user_id=u.pk)
                    for r in rounds
                    for u in self.rng.sample(walkers, min(len(walkers), self.rng.randint(2, 3)))
                ),
            )
        self._bulk(
            RoundSlot,
            (
                RoundSlot(
                    organisation=programme.organisation,
                    programme=programme,
                    starts_at=self.now + dt.timedelta(days=d, hours=2),
                    meeting_point="Buurthuis De Ontmoeting",
                    area=programme.neighbourhood,
                )
                for d in range(1, 29, 7)
            ),
        )
        return rounds

    def signal_rows(
        self, programme: Programme, n: int, *, categories, city, rounds=(), reporters=()
    ):
        """Signal field dicts (not saved): every status, a position for most, newest and
        oldest two years apart. A generator, so a million never sit in memory."""
        children = [c for c in categories if c.parent_id] or list(categories)
        parents = [c for c in categories if not c.parent_id] or list(categories)
        statuses = Status.values
        for i in range(n):
            reported = self.moment()
            status = _weighted(self.rng, i, statuses, [2, 2, 1, 8, 1])
            category = self.rng.choice(children if self.rng.random() < 0.4 else parents)
            lat, lng = self.position(city) if self.rng.random() < 0.9 else (None, None)
            with_street = self.rng.random() < 0.6
            yield {
                "uuid": uuid.uuid4(),
                "payload_hash": "0" * 64,
                "created_at": reported,
                "organisation_id": programme.organisation_id,
                "programme_id": programme.pk,
                "round_id": self.rng.choice(rounds).pk if rounds else None,
                "category_id": category.pk,
                "description": self.rng.choice(SIGNAL_TEXTS),
                "urgent": self.rng.random() < 0.05,
                "latitude": lat,
                "longitude": lng,
                "street": self.rng.choice(STREETS) if with_street else "",
                "house_number": str(self.rng.randint(1, 220)) if with_street else "",
                "reported_by_id": self.rng.choice(reporters).pk if reporters else None,
                "reported_at": reported,
                "status": status,
                "assigned_to_id": None,
                "due_date": (reported + dt.timedelta(days=category.handling_days + 2)).date(),
                "closed_at": reported + dt.timedelta(days=self.rng.randint(1, 20))
                if status in CLOSED
                else None,
            }

    def signals(self, programme: Programme, n: int, **kwargs) -> int:
        """`n` signals of the programme: COPY on PostgreSQL (a million in about a minute),
        bulk_create in batches elsewhere."""
        rows = self.signal_rows(programme, n, **kwargs)
        if connection.vendor == "postgresql":
            made = copy_rows(Signal, rows)
        else:
            made = 0
            for batch in _batched(rows):
                made += len(Signal.objects.bulk_create([Signal(**row) for row in batch]))
        self._count(Signal, made)
        return made
