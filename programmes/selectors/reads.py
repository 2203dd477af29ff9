"""Reading the read log: who was shown a person's data (`programmes.models.ReadEntry`).

Only the consultancy admin reads it (Perm.AUDIT_VIEW): the person page of the privacy area
shows `reads_about` for one person.
"""

from django.db.models import Q, QuerySet

from ..models import ReadEntry


def reads_about(
    *,
    person=None,
    email: str = "",
    organisation=None,
    subjects=(),
) -> QuerySet[ReadEntry]:
    """The reads of one person's data, newest first: of the record `person` (an application,
    a survey response, a user or roster row, a photo), of any of `subjects`, and of every
    record carrying the e-mail address `email` (a resident's application, survey answers and
    account together). `organisation` narrows to one tenant (otherwise the active scope
    decides). An empty query when nothing identifies anybody."""
    match = Q()
    for subject in [person, *subjects]:
        if subject is not None and subject.pk is not None:
            match |= Q(subject_type=subject._meta.label_lower, subject_id=str(subject.pk))
    email = (email or "").strip().lower()
    if email:
        match |= Q(subject_email=email)
    if not match:
        return ReadEntry.objects.none()
    qs = ReadEntry.objects.filter(match)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.select_related("reader").order_by("-at", "-id")
