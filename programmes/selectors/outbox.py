"""Reads of the mail outbox: a programme's mail and the whole consultancy's."""

from collections import defaultdict

from django.db.models import QuerySet
from django.http import Http404

from .. import statements
from ..models import OutboxMessage, Programme
from ..statements import id_mark, text_mark

INVITATION_MAIL_TEMPLATE = "programmes/invitation"


def outbox_for_programme(*, programme: Programme) -> QuerySet[OutboxMessage]:
    """Every message sent for `programme`, newest first."""
    return OutboxMessage.objects.filter(programme=programme).order_by("-created_at", "-id")


# What a list of mail shows of each message: rows (dicts) of these, not whole messages with
# their bodies, headers and attachment link.
MESSAGE_ROW_FIELDS = (
    "pk",
    "created_at",
    "to_email",
    "to_name",
    "subject",
    "status",
    "send_after",
    "sent_at",
    "last_error",
)


def outbox_rows_for_programme(*, programme: Programme) -> statements.CompiledRows:
    """`outbox_for_programme` as rows of `MESSAGE_ROW_FIELDS`, for the programme's mail page:
    its count and pages are statements compiled once (`programmes.statements`)."""
    mark = id_mark(0)
    return statements.CompiledRows(
        "outbox_rows_for_programme",
        lambda: outbox_for_programme(programme=Programme(pk=mark)).values(*MESSAGE_ROW_FIELDS),
        {mark: programme.pk},
        names=MESSAGE_ROW_FIELDS,
        using=OutboxMessage.objects.db,
        scoped=True,
    )


def get_programme_outbox_message_for(*, programme: Programme, pk: int) -> OutboxMessage:
    """The message with this id sent for `programme`; 404 otherwise (also for another
    programme's message)."""
    found = outbox_for_programme(programme=programme).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def outbox_for(*, user, status: str = "", without_programme: bool = False):
    """Mail of every organisation in the active scope (the consultancy and its clients),
    newest first; `status` filters through the (status, created_at) index. Mail that belongs
    to no programme (invitations, login codes, password resets) shows only here."""
    qs = OutboxMessage.objects.select_related("organisation", "programme")
    if status:
        qs = qs.filter(status=status)
    if without_programme:
        qs = qs.filter(programme__isnull=True)
    return qs.order_by("-created_at", "-id")


def outbox_ids_for(*, user, status: str = "", without_programme: bool = False):
    """The ids of `outbox_for`, to count and cut into pages (`outbox_rows_for` then reads a
    page of them): sorting bare ids, not rows joined to their organisation and programme,
    keeps a page cheap at thousands of messages."""
    mark = text_mark(0)

    def build():
        qs = OutboxMessage.objects.all()
        if status:
            qs = qs.filter(status=mark)
        if without_programme:
            qs = qs.filter(programme__isnull=True)
        return qs.order_by("-created_at", "-id").values_list("pk")

    # Its count and pages are statements compiled once per filter (`programmes.statements`).
    return statements.CompiledRows(
        ("outbox_ids_for", bool(status), without_programme),
        build,
        {mark: status},
        using=OutboxMessage.objects.db,
        scoped=True,
        flat=True,
    )


def outbox_rows_for(ids) -> list[dict]:
    """The messages with these ids (a page of `outbox_ids_for`), newest first, as rows of
    `MESSAGE_ROW_FIELDS` with `organisation__name`, `programme_id` and `programme__name`, for
    the consultancy's mail page. A page of `outbox_ids_for` goes into the statement as its
    subquery: one query, compiled once (`programmes.statements`)."""
    return statements.dicts_of_ids("outbox_rows_for", _outbox_rows, ids, OutboxMessage.objects.db)


def _outbox_rows(ids):
    return (
        OutboxMessage.objects.filter(pk__in=ids)
        .order_by("-created_at", "-id")
        .values(*MESSAGE_ROW_FIELDS, "organisation__name", "programme_id", "programme__name")
    )


def outbox_count_for(*, user, status: str = "") -> int:
    """How many messages of the active scope have `status` (all when empty)."""
    mark = text_mark(0)
    # Compiled once per filter (`programmes.statements`).
    return statements.count(
        ("outbox_count_for", bool(status)),
        lambda: outbox_for(user=user, status=mark if status else "").order_by().values("pk"),
        {mark: status},
        OutboxMessage.objects.db,
        scoped=True,
    )


def get_outbox_message_for(*, user, pk: int) -> OutboxMessage:
    """The message with this id in the active scope; 404 otherwise."""
    found = outbox_for(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def failed_invitation_mail(*, invitations) -> dict[int, OutboxMessage]:
    """{invitation id: its failed mail} for the invitations whose latest invitation mail
    failed; one query for the whole list."""
    invitations = list(invitations)
    if not invitations:
        return {}
    emails = {inv.email for inv in invitations}
    since = min(inv.created_at for inv in invitations)
    latest: dict[tuple[int, str], list[OutboxMessage]] = defaultdict(list)
    for message in OutboxMessage.objects.filter(
        template=INVITATION_MAIL_TEMPLATE, to_email__in=emails, created_at__gte=since
    ).order_by("created_at", "id"):
        latest[(message.organisation_id, message.to_email)].append(message)
    failed = {}
    for inv in invitations:
        mine = [
            m for m in latest[(inv.organisation_id, inv.email)] if m.created_at >= inv.created_at
        ]
        if mine and mine[-1].status == OutboxMessage.Status.FAILED:
            failed[inv.pk] = mine[-1]
    return failed
