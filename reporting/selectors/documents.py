"""Reads of the client's documents page: everything made for the client across its programmes
(plan of approach, survey reports, flyers and posters, periodic reports) and the certificates
of its team members, listed by holder.

What the client sees is decided here once: only READY documents of a registered kind, of the
programmes the user may read, each kind narrowed further by its own `client_visible` (a
periodic report is the client's once it was sent, not while it is a draft). Certificates are
listed from the certificate rows, which keep the holder's name and know when one was revoked.
"""

from django.db.models import Q, QuerySet

from programmes import registry
from programmes.models import Document, Programme
from programmes.selectors import of_readable_programmes, readable_programmes
from trainings.documents import CERTIFICATE
from trainings.models import Certificate


def document_programmes_for(*, user, organisation) -> QuerySet[Programme]:
    """The programmes of `organisation` whose documents `user` may see, by name: the choices
    of the page's programme filter."""
    return readable_programmes(user=user, organisation=organisation).order_by("name", "pk")


def document_kind_choices() -> list[tuple[str, str]]:
    """(code, label) of the kinds the documents list shows (certificates have a list of their
    own), by label."""
    kinds = [(k.code, str(k.label)) for k in registry.document_kinds() if k.code != CERTIFICATE]
    return sorted(kinds, key=lambda kind: kind[1].lower())


def _client_visible() -> Q:
    """Which documents of which kind the client sees: every ready one of a kind that leaves it
    at that, and of a kind with `client_visible` only those it lets through. A kind no app
    registers (any more) is not shown."""
    plain = []
    visible = Q(pk__in=[])
    for kind in registry.document_kinds():
        if kind.code == CERTIFICATE:
            continue
        if kind.client_visible is None:
            plain.append(kind.code)
        else:
            visible |= Q(kind=kind.code) & kind.client_visible()
    return visible | Q(kind__in=plain)


def client_documents_for(
    *, user, organisation, programme_pk: int | None = None, kind: str = ""
) -> QuerySet[Document]:
    """The documents made for `organisation` that `user` may see, newest first: ready, of the
    programmes the user reads, visible to the client by their kind's rule; `programme_pk` and
    `kind` (already checked against the page's choices) narrow them."""
    qs = Document.objects.filter(
        organisation=organisation, status=Document.Status.READY, programme__isnull=False
    ).filter(_client_visible())
    qs = of_readable_programmes(qs, user=user, organisation=organisation)
    if programme_pk is not None:
        qs = qs.filter(programme_id=programme_pk)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("programme").order_by("-created_at", "-id")


def client_certificates_for(
    *, user, organisation, programme_pk: int | None = None
) -> QuerySet[Certificate]:
    """The certificates of `organisation`'s team members that `user` may see, by holder (then
    newest first): not revoked, with their PDF made, so each row can be downloaded."""
    qs = Certificate.objects.filter(
        organisation=organisation,
        revoked_at__isnull=True,
        document__status=Document.Status.READY,
    )
    qs = of_readable_programmes(qs, user=user, organisation=organisation)
    if programme_pk is not None:
        qs = qs.filter(programme_id=programme_pk)
    return qs.select_related("programme", "document").order_by("holder_name", "-issued_on", "-id")
