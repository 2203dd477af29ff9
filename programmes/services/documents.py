"""The document pipeline: a row per document, rendered to PDF in the background.

Every kind of document registers a builder that turns the document row into a template and a
context; later phases (certificates, flyers) register theirs from their own app's `ready()`.
"""

import logging
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from ..audit import audit_log
from ..models import Document
from ..pdf import render_pdf
from ..queueing import enqueue_on_commit

logger = logging.getLogger(__name__)

# kind -> function(document) -> (template, context, language)
BUILDERS: dict[str, Callable[[Document], tuple[str, dict, str]]] = {}


# Kinds that are about one thing inside a programme (a survey): requested with a `ref`.
NEEDS_REF: set[str] = set()
# kind -> function(document) called once the document is ready (e.g. mail it to its owner)
ON_READY: dict[str, Callable[[Document], None]] = {}


def register_builder(kind: str, *, needs_ref: bool = False, on_ready=None):
    def decorator(fn):
        BUILDERS[kind] = fn
        if needs_ref:
            NEEDS_REF.add(kind)
        if on_ready is not None:
            ON_READY[kind] = on_ready
        return fn

    return decorator


def documents_available() -> frozenset[str]:
    """The kinds of document of a whole programme that can be made (each app registers its
    own); kinds about one thing inside it are requested by that thing's own page."""
    return frozenset(BUILDERS) - NEEDS_REF


@transaction.atomic
def document_request(
    *, actor, organisation, kind: str, programme=None, ref: str = "", owner=None
) -> Document:
    """Ask for a document; it is made in the background once this transaction commits."""
    from ..tasks import document_render

    if kind not in BUILDERS:
        raise ValueError(f"no builder for document kind {kind!r}")
    document = Document.objects.create(
        organisation=organisation,
        programme=programme,
        kind=kind,
        requested_by=actor,
        ref=ref,
        owner=owner,
    )
    audit_log(actor=actor, organisation=organisation, action="document.requested", obj=document)
    enqueue_on_commit(document_render, document_id=document.pk, organisation_id=organisation.pk)
    return document


def document_build(*, document_id: int) -> str:
    """Render a pending document to PDF; a ready one is left alone (the task may run twice)."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None or document.status == Document.Status.READY:
        return "skipped"
    try:
        template, context, language = BUILDERS[document.kind](document)
        pdf = render_pdf(template=template, context=context, language=language)
    except Exception as error:  # noqa: BLE001 - recorded on the row, shown to the user
        logger.exception("document %s failed", document.pk)
        document.status = Document.Status.FAILED
        document.error = f"{type(error).__name__}: {error}"[:2000]
        document.finished_at = timezone.now()
        document.save(update_fields=["status", "error", "finished_at"])
        return document.status
    document.file.save(document.filename, ContentFile(pdf), save=False)
    document.status = Document.Status.READY
    document.finished_at = timezone.now()
    document.save(update_fields=["file", "status", "finished_at"])
    if document.kind in ON_READY:
        ON_READY[document.kind](document)
    return document.status


@register_builder(Document.Kind.PLAN)
def _plan_of_approach(document: Document) -> tuple[str, dict, str]:
    """The plan of approach of a programme, in the client's branding."""
    from ..models import Phase
    from ..pdf import media_file_url
    from ..selectors import programme_status

    programme = document.programme
    client = programme.organisation
    milestones = list(programme.milestones.select_related("owner"))
    by_phase = [
        (label, [m for m in milestones if m.phase == value])
        for value, label in Phase.choices
        if any(m.phase == value for m in milestones)
    ]
    context = {
        "programme": programme,
        "client": client,
        "consultancy": client.consultancy,
        "logo_url": media_file_url(client.logo),
        "brand": client.brand_colour,
        "goals": list(programme.goals.all()),
        "partners": list(programme.partners.all()),
        "leaders": list(programme.project_leaders.all()),
        "by_phase": by_phase,
        "status": programme_status(programme, milestones),
        "made_at": timezone.now(),
    }
    language = getattr(document.requested_by, "language", None) or "nl"
    return "pdf/plan.html", context, language
