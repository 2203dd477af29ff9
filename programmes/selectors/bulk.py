"""Reads of bulk jobs (`BulkJob`): the one a page polls, the latest one a page shows."""

from django.http import Http404

from .. import statements
from ..models import BulkJob, Programme
from ..statements import id_mark, text_mark


def get_bulk_job_for(*, programme: Programme, pk: int) -> BulkJob:
    """The bulk job with this id of `programme`; 404 otherwise (another tenant's too)."""
    found = BulkJob.objects.filter(programme=programme, pk=pk).first()
    if found is None:
        raise Http404
    return found


def bulk_job_latest(*, programme: Programme, kind: str) -> BulkJob | None:
    """The newest bulk job of `kind` of `programme` (what its page shows), or None: one
    statement compiled once (`programmes.statements`), run in the request's tenant scope."""
    using = BulkJob.objects.db
    found = statements.rows(
        "programmes.bulk_job_latest",
        _latest,
        {id_mark(0): programme.pk, text_mark(0): kind},
        using,
        scoped=True,
    )
    return BulkJob.from_db(using, _COLUMNS, found[0]) if found else None


_COLUMNS = tuple(f.attname for f in BulkJob._meta.concrete_fields)


def _latest():
    return (
        BulkJob.objects.filter(programme_id=id_mark(0), kind=text_mark(0))
        .order_by("-created_at", "-id")
        .values_list(*_COLUMNS)[:1]
    )


def bulk_job_latest_for_meeting(*, meeting) -> BulkJob | None:
    """The newest bulk job about `meeting` (its payload names it: invitations of many people
    or applicants), which the meeting's page shows; None when there is none."""
    return (
        BulkJob.objects.filter(programme_id=meeting.programme_id, payload__meeting=meeting.pk)
        .order_by("-created_at", "-id")
        .first()
    )
