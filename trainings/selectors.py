"""Reads of the trainings app for its pages: the track page of a programme, the member's own
part in the app, and the lookups of posted ids, each scoped to the programme in the URL so a
tampered id answers 404 whether the object is missing or someone else's."""

from django.db.models import Count
from django.http import Http404

from programmes.models import Document, Programme, TeamMember, User
from programmes.selectors import roster

from . import services
from .documents import INTRODUCTION_FLYER, INTRODUCTION_POSTER
from .models import (
    Assessment,
    Certificate,
    Gear,
    RulesAcceptance,
    StreetAssignment,
    Training,
)


def track_overview(*, programme: Programme) -> dict:
    """Everything the track page shows, in a fixed number of queries whatever the size of
    the team: the track, verdicts, certificates, readiness with its reason, gear with the
    order list, the rules, the introduction and its documents, and the streets."""
    trainings = list(
        Training.objects.filter(programme=programme)
        .select_related("meeting", "cohort")
        .annotate(n_invited=Count("meeting__invitees"))
    )
    workshop = next((t for t in trainings if t.kind == Training.Kind.WORKSHOP), None)
    members = list(roster(programme=programme))
    # Each member's verdict, from the workshop of whichever cohort they were trained in.
    verdicts = {
        a.user_id: a
        for a in Assessment.objects.filter(
            training__programme=programme, training__kind=Training.Kind.WORKSHOP
        ).order_by("assessed_at", "pk")
    }
    cohorts = {}
    for training in trainings:
        cohorts.setdefault(training.cohort, []).append(training)
    certificates = list(Certificate.objects.filter(programme=programme).select_related("document"))
    held = services.certificate_revokes_held(certificates=certificates)
    for certificate in certificates:
        certificate.revoke_held_until = held.get(certificate.pk)
    progress = services.track_progress(programme=programme, user_ids=[m.user_id for m in members])
    reasons = services.readiness_reasons(programme=programme, members=members)
    gear = {g.user_id: g for g in Gear.objects.filter(programme=programme)}
    for member in members:
        member.verdict = verdicts.get(member.user_id)
        member.track = progress[member.user_id]
        member.readiness = reasons[member.user_id]
        member.gear = gear.get(member.user_id)
    documents = {}
    for document in Document.objects.filter(
        programme=programme,
        kind__in=[INTRODUCTION_FLYER, INTRODUCTION_POSTER],
    ).order_by("-created_at", "-id"):
        documents.setdefault(document.kind, document)
    assignments = list(StreetAssignment.objects.filter(programme=programme).select_related("user"))
    return {
        "trainings": trainings,
        "cohorts": sorted(cohorts.items(), key=lambda item: item[0].number),
        # Offered for a newcomers' cohort: members not trained yet (not ready, no verdict).
        "newcomers": track_newcomers(programme=programme),
        "workshop": workshop,
        "members": members,
        "certificates": certificates,
        "rules": services.rules_for(programme=programme),
        "introduction": services.introduction_for(programme=programme),
        "intro_flyer": documents.get(INTRODUCTION_FLYER),
        "intro_poster": documents.get(INTRODUCTION_POSTER),
        "order": services.gear_order_list(programme=programme),
        "coverage": services.street_coverage(programme=programme),
        "assignments": assignments,
        "streets_text": "\n".join(a.street for a in assignments),
    }


def member_track(*, programme: Programme, user: User) -> dict:
    """The member's own part of the track in the app: the rules and whether they accepted
    them, their gear sizes and the streets they deliver the flyer in."""
    return {
        "rules": services.rules_for(programme=programme),
        "accepted": RulesAcceptance.objects.filter(programme=programme, user=user).first(),
        "gear": Gear.objects.filter(programme=programme, user=user).first(),
        "sizes": Gear.Size.choices,
        "streets": StreetAssignment.objects.filter(programme=programme, user=user),
    }


def track_newcomers(*, programme: Programme):
    """The members a newcomers' cohort may take in: on the team, not trained yet."""
    return roster(programme=programme).filter(ready_for_rounds=False)


def get_training_for(*, programme: Programme, pk: int) -> Training:
    """A training of `programme`; 404 otherwise."""
    found = Training.objects.filter(programme=programme, pk=pk).first()
    if found is None:
        raise Http404
    return found


def get_workshop_for(*, programme: Programme, cohort: int = 1) -> Training:
    """The workshop of the track of `programme`'s cohort number `cohort` (the training that
    is assessed; the founding team's by default); 404 without one."""
    found = Training.objects.filter(
        programme=programme, cohort__number=cohort, kind=Training.Kind.WORKSHOP
    ).first()
    if found is None:
        raise Http404
    return found


def get_roster_member_for(*, programme: Programme, user_pk: int) -> TeamMember:
    """The roster row (also a former member's) of the user with this id in `programme`,
    with the user; 404 for anyone not on this team."""
    found = roster(programme=programme, include_inactive=True).filter(user_id=user_pk).first()
    if found is None:
        raise Http404
    return found


def get_certificate_for(*, programme: Programme, pk: int) -> Certificate:
    """A certificate of `programme`, with its holder; 404 otherwise."""
    found = Certificate.objects.filter(programme=programme, pk=pk).select_related("user").first()
    if found is None:
        raise Http404
    return found


def get_street_assignment_for(*, programme: Programme, pk: int) -> StreetAssignment:
    """A street of `programme`'s flyer round; 404 otherwise (whose it is, the service checks,
    so the member is told it is someone else's)."""
    found = StreetAssignment.objects.filter(programme=programme, pk=pk).first()
    if found is None:
        raise Http404
    return found
